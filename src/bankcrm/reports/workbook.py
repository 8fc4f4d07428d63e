"""The targets workbook (目标责任书 as a spreadsheet): the template staff download, and the writer the
demo uses for its own targets. Sheets and columns are those ``bankcrm targets import`` reads."""

from __future__ import annotations

from io import BytesIO

from .loading import SHEETS

EXAMPLES = {
    "targets": [
        ["2026", "branch:B001", "deposit_avg", "balance", "120000000.00"],
        ["2026", "rm:S001", "aum_balance", "increase", "5000000.00"],
        ["2026-11", "rm:S001", "fee_income", "sum", "20000.00"],
        ["2026-11X2", "rm:S001", "new_customers", "sum", "5"],
        ["2026W47", "branch:B001", "sales_amount.wealth", "sum", "300000.00"],
    ],
    "weights": [
        ["2026", "rm", "deposit_avg", "balance", "40", "120"],
        ["2026", "rm", "aum_balance", "increase", "30", "120"],
        ["2026", "rm", "fee_income", "sum", "30", "150"],
    ],
    "coefficients": [
        ["2026", "rm", "0", "0"],
        ["2026", "rm", "60", "0.6"],
        ["2026", "rm", "80", "0.8"],
        ["2026", "rm", "95", "1.0"],
        ["2026", "rm", "110", "1.2"],
    ],
    "bonus": [["2026", "rm:S001", "60000.00"]],
}
README = [
    "bankcrm targets workbook — load with: bankcrm targets import FILE.xlsx",
    "period: 2026 (year), 2026Q4 (quarter), 2026-11 (month), 2026-11X2 (2nd 旬 of November), 2026W47 (ISO week)",
    "unit: bank, branch:<code> or rm:<staff_no>; indicator: see spec/indicators.md (deposit_avg, aum_balance, …)",
    "basis: balance (stocks and averages), increase (stocks: growth since the day before the period), sum (flows)",
    "weights of one (period, level) sum to 100; deposit_balance may not be weighted (存款时点, banned_kpi)",
    "coefficients: a unit's coefficient is the row with the greatest min_score ≤ its score",
    "Re-loading replaces: the same (period, unit, indicator) target, a (period, level)'s weights or table",
]


def workbook_bytes(sheets: dict[str, list[list]], *, readme: bool = False) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    wb = Workbook()
    wb.remove(wb.active)
    for name, columns in SHEETS.items():
        ws = wb.create_sheet(name)
        ws.append(list(columns))
        for cell in ws[1]:
            cell.font = Font(bold=True)
        for row in sheets.get(name, []):
            ws.append(row)
        for col in ws.columns:
            ws.column_dimensions[col[0].column_letter].width = 16
    if readme:
        ws = wb.create_sheet("readme")
        for line in README:
            ws.append([line])
    buf = BytesIO()
    wb.save(buf)
    return buf.getvalue()


def template_bytes() -> bytes:
    return workbook_bytes(EXAMPLES, readme=True)
