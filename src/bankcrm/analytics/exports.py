"""``bankcrm export customer-month | list | tier-summary`` (spec/cli.md). Each returns the row count."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from django.core.management.base import CommandError

from bankcrm.core.spreadsheets import CsvWriter, append_row, money_cell, open_csv

from .choices import ListKind
from .definitions import FLAG_COLUMNS, MONEY_COLUMNS, SNAPSHOT_COLUMNS
from .summary import SUMMARY_COLUMNS, tier_summary_rows

LIST_COLUMNS = ("kind", "as_of", "rank", "customer_no", "branch_code", "assignee", "aum_avg", "tier", "detail")


def export_customer_month(month: str, out: Path) -> int:
    from bankcrm.customers.models import CustomerMonth

    rows = CustomerMonth.objects.filter(month=month).order_by("customer_id")
    fields = [("customer_id" if c == "customer_no" else c) for c in SNAPSHOT_COLUMNS]
    n = 0
    with open_csv(out) as fh:
        w = CsvWriter(fh)
        w.writeheader(SNAPSHOT_COLUMNS)
        for values in rows.values_list(*fields).iterator(chunk_size=5000):
            rec = dict(zip(SNAPSHOT_COLUMNS, values, strict=True))
            for c in MONEY_COLUMNS:
                rec[c] = money_cell(rec[c])  # a number cell: -20.00 stays -20.00
            for c in FLAG_COLUMNS:
                rec[c] = "Y" if rec[c] else "N"
            rec["as_of"] = rec["as_of"].isoformat()
            w.writerow([rec[c] for c in SNAPSHOT_COLUMNS])
            n += 1
    return n


def export_list(kind: str, as_of: dt.date, out: Path) -> int:
    from bankcrm.campaigns.models import ListItem

    if kind not in ListKind.values:
        raise CommandError(f"unknown list kind {kind!r}; one of: {', '.join(ListKind.values)}")
    items = ListItem.objects.filter(kind=kind, as_of=as_of).order_by("rank", "customer_id")
    n = 0
    with open_csv(out) as fh:
        w = CsvWriter(fh)
        w.writeheader(LIST_COLUMNS)
        for rank, customer, branch, assignee, aum_avg, tier, detail in items.values_list(
            "rank", "customer_id", "branch_code", "assignee", "aum_avg", "tier", "detail"
        ).iterator(chunk_size=5000):
            w.writerow([kind, as_of, rank, customer, branch, assignee, money_cell(aum_avg), tier, detail])
            n += 1
    return n


_SUMMARY_MONEY = ("aum_avg_sum", "aum_end_sum", "cross_sell_rate_pct")


def _cell(col: str, value):
    if value is not None and col in _SUMMARY_MONEY:
        return money_cell(value)
    return value


def export_tier_summary(as_of: dt.date, out: Path) -> int:
    """CSV, or Excel when ``out`` ends in .xlsx."""
    rows = tier_summary_rows(as_of)
    if out.suffix.lower() == ".xlsx":
        from openpyxl import Workbook

        wb = Workbook()
        ws = wb.active
        ws.title = f"tier summary {as_of.isoformat()}"
        append_row(ws, SUMMARY_COLUMNS)
        for r in rows:
            append_row(ws, [_cell(c, r[c]) for c in SUMMARY_COLUMNS])
        for idx, col in enumerate(SUMMARY_COLUMNS, start=1):
            if col in _SUMMARY_MONEY:
                for cell in ws.iter_cols(min_col=idx, max_col=idx, min_row=2):
                    for c in cell:
                        c.number_format = "#,##0.00"
        ws.freeze_panes = "A2"
        wb.save(out)
    else:
        with open_csv(out) as fh:
            w = CsvWriter(fh)
            w.writeheader(SUMMARY_COLUMNS)
            for r in rows:
                w.writerow([_cell(c, r[c]) for c in SUMMARY_COLUMNS])
    return len(rows)
