"""贷款质量 (the loan book) of one unit: balances, buckets and NPL ratio over the last 12 month ends, the
roll-rate matrix and the classification findings (spec/loans.md), for the page and its Excel export.

Every figure comes from analytics.loans' SQL (FIGURES_SQL over the 12 month ends in one query,
ROLL_MATRIX_SQL, FINDINGS_SQL); this module only picks the unit's rows and lays them out. It lives
in reports (layer 7) because it composes analytics (layer 6) with the report units and their scope.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.utils.translation import gettext as _

from bankcrm.analytics import loans as loan_sql
from bankcrm.core.charts import chart_json
from bankcrm.core.money import to_wan
from bankcrm.core.warehouse import partition_dates
from bankcrm.loans.choices import BUCKETS, FiveClass

TREND_MONTHS = 12
BUCKET_COLOURS = ("#ffc107", "#fd7e14", "#dc3545", "#6f1d1b")  # M1 .. M4+: worse is darker


def latest_loans_day() -> dt.date | None:
    days = partition_dates("loans")
    return days[-1] if days else None


def month_ends(as_of: dt.date, count: int = TREND_MONTHS) -> list[dt.date]:
    """The last ``count`` month ends up to D, oldest first; D itself stands for its month when mid-month."""
    ends, day = [], as_of
    for _n in range(count):
        ends.append(day)
        day = day.replace(day=1) - dt.timedelta(days=1)
    return ends[::-1]


def in_unit(unit: str, branch_code: str | None, rm_staff_no: str | None) -> bool:
    kind, _sep, key = unit.partition(":")
    if kind == "bank":
        return True
    return (kind == "branch" and branch_code == key) or (kind == "rm" and rm_staff_no == key)


def build(unit: str, as_of: dt.date, children: list[str]) -> dict:
    """Everything the page shows for ``unit`` as of D (the dimensions are dumped by the caller)."""
    from bankcrm.analytics.engines import get_engine

    engine = get_engine("duckdb")
    try:
        figures = {r["unit"]: r for r in loan_sql.loan_figures(as_of, engine, dump=False)}
        trend = loan_sql.loan_trend(month_ends(as_of), unit, engine, dump=False)
        matrix = loan_sql.roll_matrix(as_of, unit, engine, dump=False)
        findings = [
            f
            for f in loan_sql.loan_findings(as_of, engine, dump=False)
            if in_unit(unit, f.get("branch_code"), f.get("rm_staff_no"))
        ]
    finally:
        engine.close()
    empty = loan_sql.figure_row(as_of, unit, {})
    for f in findings:
        f["five_class_display"] = FiveClass(f["five_class"]).label
        f["minimum_class_display"] = FiveClass(f["minimum_class"]).label
    return {
        "unit": unit,
        "as_of": as_of,
        "figures": figures.get(unit, empty),
        "children": [figures.get(c, loan_sql.figure_row(as_of, c, {})) for c in children],
        "buckets": [name for name, _low, _high in BUCKETS[1:]],
        "trend": trend,
        "matrix": matrix,
        "findings": findings,
    }


def bucket_cells(row: dict) -> list[tuple[str, int, Decimal]]:
    """(bucket, count, balance) of M1 .. M4+ for a figure row."""
    return [(name, row[f"m{n}_count"], row[f"m{n}_balance"]) for n, (name, _l, _h) in enumerate(BUCKETS) if n]


# ------------------------------------------------------------------ charts (options for core/charts.py)


def buckets_chart(trend: list[dict]) -> str:
    """M1–M4+ balances stacked per month end (万元; the tables carry the exact figures)."""
    labels = [r["as_of"].isoformat() for r in trend]
    series = [
        {
            "name": name,
            "type": "bar",
            "stack": "overdue",
            "itemStyle": {"color": BUCKET_COLOURS[n - 1]},
            "data": [to_wan(r[f"m{n}_balance"]) for r in trend],
        }
        for n, (name, _l, _h) in enumerate(BUCKETS)
        if n
    ]
    return chart_json(
        {
            "tooltip": {"trigger": "axis", "axisPointer": {"type": "shadow"}},
            "legend": {"top": 0},
            "grid": {"left": 8, "right": 16, "top": 40, "bottom": 8, "containLabel": True},
            "xAxis": {"type": "category", "data": labels},
            "yAxis": {"type": "value", "name": _("10k CNY")},
            "series": series,
        }
    )


def npl_chart(trend: list[dict]) -> str:
    return chart_json(
        {
            "tooltip": {"trigger": "axis"},
            "grid": {"left": 8, "right": 16, "top": 30, "bottom": 8, "containLabel": True},
            "xAxis": {"type": "category", "data": [r["as_of"].isoformat() for r in trend]},
            "yAxis": {"type": "value", "name": _("NPL ratio %"), "axisLabel": {"formatter": "{value}%"}},
            "series": [
                {
                    "name": _("NPL ratio"),
                    "type": "line",
                    "connectNulls": False,
                    "data": [float(r["npl_ratio_pct"]) if r["npl_ratio_pct"] is not None else None for r in trend],
                }
            ],
        }
    )


def matrix_chart(matrix: dict) -> str:
    """Heat map: from-bucket (previous month-end) rows × to-bucket (D) columns, percent of the base."""
    names = matrix["buckets"]
    data = [
        [j, i, float(v)] for i, row in enumerate(matrix["rows"]) for j, v in enumerate(row["cells"]) if v is not None
    ]
    return chart_json(
        {
            "tooltip": {"position": "top"},
            "grid": {"left": 8, "right": 16, "top": 30, "bottom": 60, "containLabel": True},
            "xAxis": {"type": "category", "data": names, "name": _("to"), "splitArea": {"show": True}},
            "yAxis": {
                "type": "category",
                "data": names,
                "name": _("from"),
                "inverse": True,
                "splitArea": {"show": True},
            },
            "visualMap": {
                "min": 0,
                "max": 100,
                "calculable": True,
                "orient": "horizontal",
                "left": "center",
                "bottom": 0,
                "inRange": {"color": ["#f8f9fa", "#ffc107", "#dc3545"]},
            },
            "series": [{"name": _("Roll-rate matrix"), "type": "heatmap", "data": data, "label": {"show": True}}],
        }
    )


# ------------------------------------------------------------------ Excel


def workbook_bytes(book: dict, unit_name: str) -> bytes:
    """Four sheets: the balances (the unit and the units below it), the 12 month ends, the roll-rate
    matrix, the findings. Money as numbers with 2 decimals, text through the formula-safe helper."""
    from io import BytesIO

    from openpyxl import Workbook
    from openpyxl.styles import Font

    from bankcrm.core.spreadsheets import append_row, money_cell

    def money_or_none(value):
        return money_cell(value) if value is not None else None

    wb = Workbook()
    ws = wb.active
    ws.title = _("Loan book")
    append_row(
        ws, [_("%(unit)s loan book, data date %(date)s") % {"unit": unit_name, "date": book["as_of"].isoformat()}]
    )
    ws["A1"].font = Font(bold=True, size=14)
    head = [_("Unit"), _("Loans"), _("Loan balance"), _("Overdue balance"), _("NPL balance"), _("NPL ratio %")]
    for name in book["buckets"]:
        head += [_("%(bucket)s count") % {"bucket": name}, _("%(bucket)s balance") % {"bucket": name}]
    append_row(ws, head)
    for row in [book["figures"], *book["children"]]:
        cells = [
            row["unit"],
            row["loans"],
            money_cell(row["loan_balance"]),
            money_cell(row["overdue_balance"]),
            money_cell(row["npl_balance"]),
            money_or_none(row["npl_ratio_pct"]),
        ]
        for _name, count, balance in bucket_cells(row):
            cells += [count, money_cell(balance)]
        append_row(ws, cells)

    ws = wb.create_sheet(_("Month ends"))
    append_row(ws, [_("Month end"), _("Loan balance"), _("NPL ratio %"), *book["buckets"]])
    for row in book["trend"]:
        append_row(
            ws,
            [
                row["as_of"],
                money_cell(row["loan_balance"]),
                money_or_none(row["npl_ratio_pct"]),
                *[money_cell(balance) for _n, _c, balance in bucket_cells(row)],
            ],
        )

    ws = wb.create_sheet(_("Roll rates"))
    matrix = book["matrix"]
    if matrix:
        append_row(
            ws,
            [
                _("From %(previous)s to %(date)s, percent of the base")
                % {"previous": matrix["previous_month_end"].isoformat(), "date": matrix["as_of"].isoformat()}
            ],
        )
        append_row(ws, [_("From"), _("Base balance"), *matrix["buckets"], _("Repaid"), _("Roll rate %")])
        for r in matrix["rows"]:
            append_row(
                ws,
                [
                    r["from_bucket"],
                    money_cell(r["base_balance"]),
                    *[money_or_none(v) for v in r["cells"]],
                    money_or_none(r["repaid_pct"]),
                    money_or_none(r["roll_rate_pct"]),
                ],
            )
    else:
        append_row(ws, [_("No loans file for the previous month-end.")])

    ws = wb.create_sheet(_("Findings"))
    append_row(ws, list(loan_sql.FINDING_COLUMNS))
    for f in book["findings"]:
        append_row(ws, [f[c] for c in loan_sql.FINDING_COLUMNS])
    buf = BytesIO()
    wb.save(buf)
    return buf.getvalue()
