"""``bankcrm export quality``: the data-quality findings as CSV (spec/cli.md)."""

import csv
from pathlib import Path

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
    with Path(out).open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(QUALITY_COLUMNS)
        for row in rows:
            writer.writerow(row)
            count += 1
    return count
