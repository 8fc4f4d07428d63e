"""``bankcrm export customer-month | list | tier-summary`` (spec/cli.md). Each returns the row count."""

from __future__ import annotations

import csv
import datetime as dt
from decimal import Decimal
from pathlib import Path

from django.core.management.base import CommandError

from .choices import ListKind
from .definitions import FLAG_COLUMNS, MONEY_COLUMNS, SNAPSHOT_COLUMNS
from .summary import SUMMARY_COLUMNS, tier_summary_rows

LIST_COLUMNS = ("kind", "as_of", "rank", "customer_no", "branch_code", "assignee", "aum_avg", "tier", "detail")


def money(value: Decimal) -> str:
    """Exactly two decimals, never through a float."""
    return f"{Decimal(value).quantize(Decimal('0.01')):f}"


def _open_csv(out: Path):
    return out.open("w", newline="", encoding="utf-8")


def export_customer_month(month: str, out: Path) -> int:
    from .models import CustomerMonth

    rows = CustomerMonth.objects.filter(month=month).order_by("customer_id")
    fields = [("customer_id" if c == "customer_no" else c) for c in SNAPSHOT_COLUMNS]
    n = 0
    with _open_csv(out) as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(SNAPSHOT_COLUMNS)
        for values in rows.values_list(*fields).iterator(chunk_size=5000):
            rec = dict(zip(SNAPSHOT_COLUMNS, values, strict=True))
            for c in MONEY_COLUMNS:
                rec[c] = money(rec[c])
            for c in FLAG_COLUMNS:
                rec[c] = "Y" if rec[c] else "N"
            rec["as_of"] = rec["as_of"].isoformat()
            w.writerow([rec[c] for c in SNAPSHOT_COLUMNS])
            n += 1
    return n


def export_list(kind: str, as_of: dt.date, out: Path) -> int:
    from .models import ListItem

    if kind not in ListKind.values:
        raise CommandError(f"unknown list kind {kind!r}; one of: {', '.join(ListKind.values)}")
    items = ListItem.objects.filter(kind=kind, as_of=as_of).order_by("rank", "customer_id")
    n = 0
    with _open_csv(out) as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(LIST_COLUMNS)
        for rank, customer, branch, assignee, aum_avg, tier, detail in items.values_list(
            "rank", "customer_id", "branch_code", "assignee", "aum_avg", "tier", "detail"
        ).iterator(chunk_size=5000):
            w.writerow([kind, as_of.isoformat(), rank, customer, branch, assignee, money(aum_avg), tier, detail])
            n += 1
    return n


def _cell(col: str, value):
    if value is None:
        return ""
    if col in ("aum_avg_sum", "aum_end_sum", "cross_sell_rate_pct"):
        return money(value)
    return value


def export_tier_summary(as_of: dt.date, out: Path) -> int:
    """CSV, or Excel when ``out`` ends in .xlsx."""
    rows = tier_summary_rows(as_of)
    if out.suffix.lower() == ".xlsx":
        from openpyxl import Workbook

        wb = Workbook()
        ws = wb.active
        ws.title = f"tier summary {as_of.isoformat()}"
        ws.append(list(SUMMARY_COLUMNS))
        for r in rows:
            ws.append([r[c] if r[c] is not None else None for c in SUMMARY_COLUMNS])
        for idx, col in enumerate(SUMMARY_COLUMNS, start=1):
            if col in ("aum_avg_sum", "aum_end_sum", "cross_sell_rate_pct"):
                for cell in ws.iter_cols(min_col=idx, max_col=idx, min_row=2):
                    for c in cell:
                        c.number_format = "#,##0.00"
        ws.freeze_panes = "A2"
        wb.save(out)
    else:
        with _open_csv(out) as fh:
            w = csv.writer(fh, lineterminator="\n")
            w.writerow(SUMMARY_COLUMNS)
            for r in rows:
                w.writerow([_cell(c, r[c]) for c in SUMMARY_COLUMNS])
    return len(rows)
