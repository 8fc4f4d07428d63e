"""``bankcrm export indicators | targets | scorecard``: exactly the spec's columns, CSV or xlsx.

Money as plain text with 2 decimals (never a float), counts as integers, empty where the spec says
empty (change_ytd of averages and flows, a percentage of a zero base).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

from bankcrm.core.spreadsheets import CsvWriter, append_row, open_csv

INDICATOR_COLUMNS = (
    "as_of",
    "period",
    "period_start",
    "period_end",
    "unit",
    "indicator",
    "value",
    "prev_value",
    "change_ytd",
)
TARGET_COLUMNS = (
    "as_of",
    "period",
    "period_start",
    "period_end",
    "unit",
    "indicator",
    "basis",
    "target",
    "actual",
    "completion_pct",
    "time_progress_pct",
    "gap_pct",
    "status",
)
SCORECARD_COLUMNS = ("period", "as_of", "unit", "score", "coefficient", "red_line", "bonus_base", "bonus")


def text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "Y" if value else "N"
    if isinstance(value, Decimal):
        return f"{value.quantize(Decimal('0.01')):f}"
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def coefficient_text(value: Decimal) -> str:
    """Coefficients keep the table's precision (0.85, 1.2), at least 2 decimals."""
    q = value.normalize()
    return f"{q:f}" if -q.as_tuple().exponent > 2 else text(value)


def write_rows(out: Path, columns: tuple[str, ...], rows: list[list[str]], *, title: str | None = None) -> int:
    if out.suffix.lower() == ".xlsx":
        from openpyxl import Workbook

        wb = Workbook()
        ws = wb.active
        ws.title = title or "data"
        ws.append(list(columns))
        for row in rows:
            append_row(ws, row)  # text cells as text: a unit name can never run as a formula
        wb.save(out)
    else:
        with open_csv(out) as fh:
            w = CsvWriter(fh, lineterminator="\n")
            w.writeheader(columns)
            for row in rows:
                w.writerow(row)
    return len(rows)


def indicator_table(rows) -> list[list[str]]:
    return [[text(getattr(r, c)) for c in INDICATOR_COLUMNS] for r in rows]


def target_table(results) -> list[list[str]]:
    return [[text(getattr(r, c)) for c in TARGET_COLUMNS] for r in results]


def scorecard_table(cards) -> list[list[str]]:
    return [
        [
            c.period,
            c.as_of.isoformat(),
            c.unit,
            text(c.score),
            coefficient_text(c.coefficient),
            "Y" if c.red_line else "N",
            text(c.bonus_base),
            text(c.bonus),
        ]
        for c in cards
    ]


def export_indicators(as_of: dt.date, period: str, out: Path, unit: str | None = None) -> int:
    from .rollup import refresh_inputs
    from .services import indicator_rows

    refresh_inputs()
    rows = indicator_rows(as_of, period, units=[unit] if unit else None)
    return write_rows(out, INDICATOR_COLUMNS, indicator_table(rows), title="indicators")


def export_targets(as_of: dt.date, out: Path) -> int:
    from .rollup import refresh_inputs
    from .services import target_results

    refresh_inputs()
    return write_rows(out, TARGET_COLUMNS, target_table(target_results(as_of)), title="targets")


def export_scorecard(period: str, as_of: dt.date, out: Path) -> int:
    from .rollup import refresh_inputs
    from .services import scorecards

    refresh_inputs()
    return write_rows(out, SCORECARD_COLUMNS, scorecard_table(scorecards(period, as_of)), title="scorecard")
