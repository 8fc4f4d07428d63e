"""``bankcrm export quality``: the data-quality findings as CSV (spec/cli.md)."""

from pathlib import Path

from bankcrm.core.spreadsheets import CsvWriter, open_csv

from .models import QualityFinding

QUALITY_COLUMNS = ["customer_no", "finding", "detail"]


def export_quality(out: Path) -> int:
    """Write customer_no, finding, detail ordered by customer_no, finding; return the row count."""
    rows = (
        QualityFinding._base_manager.order_by("customer_id", "finding")
        .values_list("customer_id", "finding", "detail")
        .iterator(chunk_size=20000)
    )
    count = 0
    with open_csv(Path(out)) as fh:
        writer = CsvWriter(fh)  # details quote imported text (+86 mobiles, names): never a formula
        writer.writeheader(QUALITY_COLUMNS)
        for row in rows:
            writer.writerow(row)
            count += 1
    return count
