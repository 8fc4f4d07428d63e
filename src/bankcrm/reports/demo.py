"""Believable targets for the demo bank, relative to its own figures (run by ``bankcrm demo``).

Head office sets a year and a month letter (目标责任书) for every branch and relationship manager:
a growth on what the unit already does, as a bank would (deposit daily average +8 % on the year,
AUM +10 % over last December, fee income and sales a little above the run rate), a weighted
scorecard (no 存款时点 weight), a coefficient table and bonus bases. Written as the workbook staff
download and loaded through ``bankcrm targets import`` itself, so the demo exercises the real path.
"""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

from .periods import period_of

WEIGHTS = {
    "year": [("deposit_avg", "balance", 40, 120), ("aum_balance", "increase", 30, 120), ("fee_income", "sum", 30, 150)],
    "month": [("deposit_avg", "balance", 40, 120), ("sales_amount", "sum", 30, 150), ("fee_income", "sum", 30, 150)],
}
COEFFICIENTS = [(0, "0"), (60, "0.6"), (80, "0.8"), (95, "1.0"), (110, "1.2")]
BONUS = {("year", "branch"): 300_000, ("year", "rm"): 60_000, ("month", "branch"): 25_000, ("month", "rm"): 5_000}


def _round_to(value: Decimal, step: int) -> Decimal:
    return max((value / step).quantize(Decimal(1), ROUND_HALF_UP) * step, Decimal(step))


def demo_sheets(as_of: dt.date) -> dict[str, list[list]]:
    from .services import indicator_rows, report_units

    units = [u for u in report_units() if u != "bank"]
    year, month = period_of("year", as_of), period_of("month", as_of)
    ytd = {(r.unit, r.indicator): r for r in indicator_rows(as_of, "year", units=units)}
    mtd = {(r.unit, r.indicator): r for r in indicator_rows(as_of, "month", units=units)}
    run_year = Decimal(year.length) / Decimal(year.days_to(as_of))
    run_month = Decimal(month.length) / Decimal(month.days_to(as_of))
    targets, bonus = [], []
    for unit in units:
        level = unit.partition(":")[0]
        dep_avg = Decimal(ytd[(unit, "deposit_avg")].value)
        if dep_avg <= 0:
            continue  # a unit with no business gets no letter
        # 较年初 growth at the year's run rate, a little above it (a unit that shrank still gets a target)
        growth = max(Decimal(ytd[(unit, "aum_balance")].change_ytd), Decimal(ytd[(unit, "aum_balance")].value) / 20)
        aum_growth = growth * run_year * Decimal("1.05")
        fee_year = Decimal(ytd[(unit, "fee_income")].value) * run_year * Decimal("1.05")
        targets += [
            [year.code, unit, "deposit_avg", "balance", _round_to(dep_avg * Decimal("1.08"), 10_000)],
            [year.code, unit, "aum_balance", "increase", _round_to(aum_growth, 10_000)],
            [year.code, unit, "fee_income", "sum", _round_to(fee_year, 1_000)],
            [year.code, unit, "new_customers", "sum", max(int(ytd[(unit, "new_customers")].value * 1.1), 1)],
        ]
        month_dep = Decimal(mtd[(unit, "deposit_avg")].value)
        sales = Decimal(mtd[(unit, "sales_amount")].value) * run_month * Decimal("1.1")
        fee = Decimal(mtd[(unit, "fee_income")].value) * run_month * Decimal("1.1")
        targets += [
            [month.code, unit, "deposit_avg", "balance", _round_to(month_dep * Decimal("1.02"), 10_000)],
            [month.code, unit, "sales_amount", "sum", _round_to(sales, 10_000)],
            [month.code, unit, "fee_income", "sum", _round_to(fee, 100)],
        ]
        bonus += [[year.code, unit, BONUS[("year", level)]], [month.code, unit, BONUS[("month", level)]]]
    weights, coefficients = [], []
    for kind, period in (("year", year), ("month", month)):
        for level in ("branch", "rm"):
            weights += [[period.code, level, ind, basis, w, cap] for ind, basis, w, cap in WEIGHTS[kind]]
            coefficients += [[period.code, level, m, c] for m, c in COEFFICIENTS]
    as_text = [[str(v) for v in row] for row in targets]
    return {
        "targets": as_text,
        "weights": [[str(v) for v in r] for r in weights],
        "coefficients": [[str(v) for v in r] for r in coefficients],
        "bonus": [[str(v) for v in r] for r in bonus],
    }


def seed_demo_targets(as_of: dt.date, home: Path) -> dict:
    """Write ``demo-targets.xlsx`` into the demo home and load it; one red line shows the zeroing."""
    from bankcrm.core.context import acting_as
    from bankcrm.org.models import UserProfile

    from .loading import load_targets
    from .rollup import refresh_inputs
    from .services import add_red_line, report_units
    from .workbook import workbook_bytes

    refresh_inputs()
    path = home / "demo-targets.xlsx"
    path.write_bytes(workbook_bytes(demo_sheets(as_of), readme=True))
    with acting_as(user_name="demo"):
        result = load_targets(path)
        with_login = set(UserProfile.objects.exclude(staff=None).values_list("staff_id", flat=True))
        rms = [u[3:] for u in report_units() if u.startswith("rm:") and u[3:] not in with_login]
        if rms:  # not a demo login's rm: their own scorecard stays the happy path
            add_red_line(rms[len(rms) // 2], "outside_work", as_of.replace(day=1), note="demo: unapproved outside work")
    return {"file": str(path), **result.loaded, "rejected": len(result.rejects), "warnings": len(result.warnings)}
