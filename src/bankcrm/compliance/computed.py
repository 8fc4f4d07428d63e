"""The two risk indicators bankcrm computes itself (spec/compliance.md catalogue), graded with the
catalogue's bands and alerted like imported values (``services.store_indicator_value``).

* ``retail_npl_ratio`` — spec/loans.md ``npl_ratio_pct`` of the bank unit at the quarter's last day.
  The loans file of that day is used; when there is none (the quarter still running, or that day's
  delivery missing) the latest loans file *within* the quarter is used and named in ``basis``. A
  quarter without any loans file has no value (the ratio is unknown, not 0).
* ``deposit_deviation`` — spec/indicators.md ``deposit_deviation_pct`` for the bank and each branch:
  (deposit balance at month end − the month's deposit_avg) ÷ deposit_avg × 100, for each month of
  the quarter whose last day has a balances file (a month without its month-end file would read as a
  balance of 0, a −100 % that never happened); the worst (highest: the catalogue's direction is
  ``max``) month counts and is named in ``basis``. A unit without deposits has no value.

Both reuse the figures of their own specs (``analytics.loans.loan_figures``; the indicator reports'
``Figures`` over the daily rollup), so the desk and the reports cannot disagree on a digit.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.translation import gettext

from bankcrm.core import warehouse

from .models import IndicatorValue, RiskIndicator
from .services import BadInput, parse_quarter, store_indicator_value

RETAIL_NPL = "retail_npl_ratio"
DEPOSIT_DEVIATION = "deposit_deviation"


@dataclass
class ComputeResult:
    period: str
    stored: list[IndicatorValue] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # why a value could not be computed


def month_ends(start: dt.date, end: dt.date) -> list[dt.date]:
    ends, day = [], start
    while day <= end:
        following = (day.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
        ends.append(following - dt.timedelta(days=1))
        day = following
    return ends


def retail_npl_ratio(start: dt.date, end: dt.date) -> tuple[Decimal | None, str]:
    """(bank npl_ratio_pct, basis) from the last loans file of the quarter; (None, why) without one."""
    from bankcrm.analytics.loans import loan_figures

    days = [d for d in warehouse.partition_dates("loans") if start <= d <= end]
    if not days:
        return None, gettext("%(code)s: no loans file imported for %(start)s … %(end)s") % {
            "code": RETAIL_NPL,
            "start": start.isoformat(),
            "end": end.isoformat(),
        }
    day = days[-1]
    bank = next(r for r in loan_figures(day) if r["unit"] == "bank")
    if bank["npl_ratio_pct"] is None:
        return None, gettext("%(code)s: the loans file of %(day)s holds no loans") % {
            "code": RETAIL_NPL,
            "day": day.isoformat(),
        }
    basis = f"loans file of {day.isoformat()}" + ("" if day == end else f" (none for {end.isoformat()})")
    return bank["npl_ratio_pct"], basis


def deposit_deviations(start: dt.date, end: dt.date) -> tuple[dict[str, tuple[Decimal, str]], str]:
    """{unit: (worst month's deviation, basis)} for the bank and every branch; and a note if none."""
    from bankcrm.org.models import Branch
    from bankcrm.reports.indicators import INDICATORS
    from bankcrm.reports.rollup import refresh_inputs
    from bankcrm.reports.services import Figures, deviation

    balance_days = set(warehouse.partition_dates("balances"))
    months = [e for e in month_ends(start, end) if e in balance_days]
    if not months:
        return {}, gettext("%(code)s: no balances file for any month end of %(start)s … %(end)s") % {
            "code": DEPOSIT_DEVIATION,
            "start": start.isoformat(),
            "end": end.isoformat(),
        }
    refresh_inputs()  # the dimensions, the daily rollup (what the indicator reports read)
    balance, average = INDICATORS["deposit_balance"], INDICATORS["deposit_avg"]
    figures = Figures()
    for month_end in months:
        figures.need(balance, month_end.replace(day=1), month_end)
        figures.need(average, month_end.replace(day=1), month_end)
    figures.run()
    units = ["bank", *(f"branch:{code}" for code in Branch.objects.order_by("code").values_list("code", flat=True))]
    worst: dict[str, tuple[Decimal, str]] = {}
    for unit in units:
        for month_end in months:
            first = month_end.replace(day=1)
            value = deviation(
                figures.value(balance, unit, first, month_end), figures.value(average, unit, first, month_end)
            )
            if value is not None and (unit not in worst or value > worst[unit][0]):
                worst[unit] = (value, f"worst month {month_end:%Y-%m} (of {', '.join(f'{m:%Y-%m}' for m in months)})")
    if worst:
        return worst, ""
    return worst, gettext("%(code)s: no deposits in %(start)s … %(end)s") % {
        "code": DEPOSIT_DEVIATION,
        "start": start.isoformat(),
        "end": end.isoformat(),
    }


def compute_indicators(period: str, *, required: bool = True) -> ComputeResult:
    """Compute, grade and store the quarter's computed indicators (a rerun replaces the values and
    raises no second alert for the same status).

    ``required=False`` (the import and the export, which compute on the way): a catalogue from which
    the bank removed both computed lines is nothing to compute, not an error."""
    start, end = parse_quarter(period)
    catalogue = {i.code: i for i in RiskIndicator.objects.filter(computed=True)}
    result = ComputeResult(period)
    if RETAIL_NPL in catalogue:
        value, basis = retail_npl_ratio(start, end)
        if value is None:
            result.notes.append(basis)
        else:
            result.stored.append(store_indicator_value(period, catalogue[RETAIL_NPL], value, basis=basis))
    if DEPOSIT_DEVIATION in catalogue:
        worst, note = deposit_deviations(start, end)
        if note:
            result.notes.append(note)
        for unit, (value, basis) in worst.items():
            result.stored.append(
                store_indicator_value(period, catalogue[DEPOSIT_DEVIATION], value, unit=unit, basis=basis)
            )
    if not catalogue and required:
        raise BadInput("the catalogue has no computed indicator")
    return result
