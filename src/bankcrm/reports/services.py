"""The reports' domain operations: figures per unit, target completion, scorecards, red lines.

Figures come from the one indicator query (figures.py) over the warehouse; targets, weights,
coefficients, bonus bases and red lines from the database. Every number is integer cents or an
exact Decimal; every rounding is half-up, at the unit level (spec/indicators.md).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db import transaction

from .choices import Basis, IndicatorKind, Level, RedLineCode, TargetStatus
from .figures import Window, compute_sums
from .indicators import DEVIATION, INDICATORS
from .periods import ONE_DAY, Period, parse_period, period_of, year_base

CENT = Decimal("0.01")
DEFAULT_CAP = Decimal(120)
AT_RISK_BELOW = Decimal(-5)  # gap_pct below −5 is at risk; −5 itself is "behind"


class UnknownUnit(ValueError):
    pass


def half_up(value: Decimal) -> Decimal:
    return value.quantize(CENT, ROUND_HALF_UP)


def avg_cents(total: int, days: int) -> int:
    """Σ daily cents ÷ days, rounded half-up (away from zero) to a whole cent."""
    q = (Decimal(total) / Decimal(days)).quantize(Decimal(1), ROUND_HALF_UP)
    return int(q)


def money(cents: int) -> Decimal:
    return Decimal(int(cents)).scaleb(-2)


def pct(part: Decimal, whole: Decimal) -> Decimal | None:
    if not whole:
        return None
    return half_up(Decimal(part) * 100 / Decimal(whole))


# ------------------------------------------------------------------ units


def resolve_unit(unit: str) -> tuple[str, str]:
    """``bank`` / ``branch:<code>`` / ``rm:<staff_no>`` → (branch_code, rm_staff_no) scoping keys."""
    from bankcrm.org.models import Branch, Staff

    if unit == "bank":
        return "", ""
    kind, _, key = unit.partition(":")
    if kind == "branch" and key and Branch.objects.filter(pk=key).exists():
        return key, ""
    if kind == "rm" and key:
        branch = Staff.objects.filter(pk=key).values_list("branch_id", flat=True).first()
        if branch is not None:
            return branch, key
    raise UnknownUnit(f"unknown unit {unit!r} (bank, branch:<code> of a known branch or rm:<staff_no>)")


def report_units() -> list[str]:
    """bank, every branch, every rm with customers (spec/indicators.md export indicators)."""
    from bankcrm.customers.models import Customer
    from bankcrm.org.models import Branch

    branches = Branch.objects.order_by("code").values_list("code", flat=True)
    rms = Customer.objects.exclude(rm=None).order_by("rm_id").values_list("rm_id", flat=True).distinct()
    return ["bank", *(f"branch:{c}" for c in branches), *(f"rm:{s}" for s in rms)]


@dataclass(frozen=True)
class UnitScope:
    """Which units a login may see, read through the one scoping door (``restrict``) on branches and staff."""

    everything: bool
    branches: frozenset[str]
    staff: frozenset[str]

    def allows(self, unit: str) -> bool:
        if self.everything:
            return True
        kind, _, key = unit.partition(":")
        return (kind == "branch" and key in self.branches) or (kind == "rm" and key in self.staff)


def unit_scope(user) -> UnitScope:
    from bankcrm.org.models import Branch, Staff
    from bankcrm.org.scope import scope_for

    if user is None or not user.is_authenticated:
        return UnitScope(False, frozenset(), frozenset())
    if user.is_superuser or scope_for(user).everything:
        return UnitScope(True, frozenset(), frozenset())
    branches = frozenset(Branch.objects.restrict(user, "view").values_list("code", flat=True))
    staff = frozenset(Staff.objects.restrict(user, "view").values_list("staff_no", flat=True))
    return UnitScope(False, branches, staff)


# ------------------------------------------------------------------ figures


def _stock_window(ind, day: dt.date) -> Window:
    return Window(ind.source if ind.source in ("snapshot", "loans") else "balance", day, day)


class Figures:
    """Sums for a set of windows, then indicator values read from them."""

    def __init__(self, engine_name: str = "duckdb") -> None:
        self.engine_name = engine_name
        self.windows: set[Window] = set()
        self.sums: dict = {}

    def need_stock(self, ind, day: dt.date) -> None:
        self.windows.add(_stock_window(ind, day))

    def need(self, ind, start: dt.date, end: dt.date) -> None:
        if ind.kind == IndicatorKind.STOCK:
            self.need_stock(ind, end)
        else:
            self.windows.add(Window("flow" if ind.kind == IndicatorKind.FLOW else "balance", start, end))

    def run(self) -> None:
        from bankcrm.analytics.engines import get_engine

        engine = get_engine(self.engine_name)
        try:
            self.sums = compute_sums(self.windows, engine)
        finally:
            engine.close()

    def _sum(self, w: Window, unit: str, measure: str) -> int:
        return self.sums.get((w.name, unit, measure), 0)

    def value(self, ind, unit: str, start: dt.date, end: dt.date):
        """The indicator over start … end: a stock's value on ``end``, an average, a flow's sum."""
        if ind.kind == IndicatorKind.STOCK:
            raw = self._sum(_stock_window(ind, end), unit, ind.measure)
        elif ind.kind == IndicatorKind.AVERAGE:
            w = Window("balance", start, end)
            raw = avg_cents(self._sum(w, unit, ind.measure), w.days)
        else:
            raw = self._sum(Window("flow", start, end), unit, ind.measure)
        return money(raw) if ind.is_money else raw


def deviation(balance: Decimal, average: Decimal) -> Decimal | None:
    """存款偏离度 = (deposit on D − deposit_avg of the month to D) ÷ deposit_avg × 100, 2 decimals."""
    return pct(balance - average, average)


@dataclass
class IndicatorRow:
    as_of: dt.date
    period: str
    period_start: dt.date
    period_end: dt.date
    unit: str
    indicator: str
    value: Decimal | int | None
    prev_value: Decimal | int | None
    change_ytd: Decimal | int | None


def indicator_rows(
    as_of: dt.date, period_type: str, *, units: Iterable[str] | None = None, engine_name: str = "duckdb"
) -> list[IndicatorRow]:
    """Every indicator for every unit, period-to-date, ordered by unit then indicator."""
    p = period_of(period_type, as_of)
    prev = p.previous()
    before, base = p.start - ONE_DAY, year_base(as_of)
    fig = Figures(engine_name)
    for ind in INDICATORS.values():
        fig.need(ind, p.start, as_of)
        fig.need(ind, prev.start, prev.end)
        if ind.kind == IndicatorKind.STOCK:
            fig.need_stock(ind, before)
            fig.need_stock(ind, base)
    fig.run()
    rows = []
    wanted = list(units) if units is not None else report_units()
    dep_bal, dep_avg = INDICATORS["deposit_balance"], INDICATORS["deposit_avg"]
    for unit in sorted(wanted):
        for code in sorted([*INDICATORS, *([DEVIATION] if period_type == "month" else [])]):
            if code == DEVIATION:
                value = deviation(fig.value(dep_bal, unit, p.start, as_of), fig.value(dep_avg, unit, p.start, as_of))
                prev_value = deviation(
                    fig.value(dep_bal, unit, prev.start, prev.end), fig.value(dep_avg, unit, prev.start, prev.end)
                )
                rows.append(IndicatorRow(as_of, period_type, p.start, p.end, unit, code, value, prev_value, None))
                continue
            ind = INDICATORS[code]
            value = fig.value(ind, unit, p.start, as_of)
            if ind.kind == IndicatorKind.STOCK:
                prev_value = fig.value(ind, unit, before, before)
                ytd = value - fig.value(ind, unit, base, base)
            else:
                prev_value = fig.value(ind, unit, prev.start, prev.end)
                ytd = None
            rows.append(IndicatorRow(as_of, period_type, p.start, p.end, unit, code, value, prev_value, ytd))
    return rows


# ------------------------------------------------------------------ targets


@dataclass
class TargetResult:
    as_of: dt.date
    period: str
    period_start: dt.date
    period_end: dt.date
    unit: str
    indicator: str
    basis: str
    target: Decimal
    actual: Decimal | int
    completion_pct: Decimal
    time_progress_pct: Decimal
    gap_pct: Decimal
    status: str
    warning: str = ""
    days: int = 0
    days_total: int = 0

    @property
    def remaining(self) -> Decimal | int:
        """What is still needed to reach 100 % by the period end (0 once reached)."""
        left = max(self.target - self.actual, 0)
        return left if isinstance(self.target, int) else Decimal(left)


def status_for(gap: Decimal) -> str:
    if gap >= 0:
        return TargetStatus.AHEAD
    if gap >= AT_RISK_BELOW:
        return TargetStatus.BEHIND
    return TargetStatus.AT_RISK


def _need_actual(fig: Figures, ind, basis: str, p: Period, day: dt.date) -> None:
    if basis == Basis.INCREASE:
        fig.need_stock(ind, day)
        fig.need_stock(ind, p.start - ONE_DAY)
    else:
        fig.need(ind, p.start, day)


def _actual(fig: Figures, ind, basis: str, unit: str, p: Period, day: dt.date):
    if basis == Basis.INCREASE:  # the stock on D − the stock on S − 1
        return fig.value(ind, unit, day, day) - fig.value(ind, unit, p.start - ONE_DAY, p.start - ONE_DAY)
    return fig.value(ind, unit, p.start, day)


def evaluate(targets: list, as_of: dt.date, *, engine_name: str = "duckdb") -> list[TargetResult]:
    """Completion of ``targets`` (Target rows) as of D; D is clamped into each target's period."""
    fig = Figures(engine_name)
    plan = []
    for t in targets:
        p = Period(parse_period(t.period).kind, t.period_start, t.period_end)
        day = min(max(as_of, p.start), p.end)
        ind = INDICATORS[t.indicator]
        _need_actual(fig, ind, t.basis, p, day)
        plan.append((t, p, day, ind))
    if plan:
        fig.run()
    results = []
    for t, p, day, ind in plan:
        actual = _actual(fig, ind, t.basis, t.unit, p, day)
        completion = half_up(Decimal(actual) * 100 / Decimal(t.target))
        days = p.days_to(day)
        progress = half_up(Decimal(days) * 100 / Decimal(p.length))
        gap = completion - progress
        results.append(
            TargetResult(
                as_of=as_of,
                period=t.period,
                period_start=p.start,
                period_end=p.end,
                unit=t.unit,
                indicator=t.indicator,
                basis=t.basis,
                target=t.target if ind.is_money else int(t.target),
                actual=actual,
                completion_pct=completion,
                time_progress_pct=progress,
                gap_pct=gap,
                status=status_for(gap),
                warning=t.warning,
                days=days,
                days_total=p.length,
            )
        )
    return results


def target_results(as_of: dt.date, queryset=None, *, engine_name: str = "duckdb") -> list[TargetResult]:
    """Every target whose period contains D, ordered by period, unit, indicator."""
    from .models import Target

    qs = Target.objects.all() if queryset is None else queryset
    qs = qs.filter(period_start__lte=as_of, period_end__gte=as_of).order_by("period", "unit", "indicator")
    return evaluate(list(qs), as_of, engine_name=engine_name)


# ------------------------------------------------------------------ scorecards


@dataclass
class Contribution:
    indicator: str
    weight: Decimal
    cap_pct: Decimal
    target: Decimal | None
    actual: Decimal | int | None
    completion_pct: Decimal
    capped_pct: Decimal
    points: Decimal


@dataclass
class Scorecard:
    period: str
    as_of: dt.date
    unit: str
    level: str
    score: Decimal
    coefficient: Decimal
    red_line: bool
    bonus_base: Decimal | None
    bonus: Decimal | None
    score_coefficient: Decimal = Decimal(0)  # what the score alone maps to (before a red line)
    red_lines: list = field(default_factory=list)
    contributions: list[Contribution] = field(default_factory=list)
    next_step: tuple[Decimal, Decimal] | None = None  # (min_score, coefficient) of the next row up


def coefficient_for(score: Decimal, table: list[tuple[Decimal, Decimal]]) -> Decimal:
    """The row with the greatest min_score ≤ score; below every row the coefficient is 0."""
    found = Decimal(0)
    for min_score, coefficient in sorted(table):
        if min_score <= score:
            found = coefficient
    return found


def scorecards(
    period_code: str,
    as_of: dt.date,
    *,
    units: Iterable[str] | None = None,
    allow=None,
    engine_name: str = "duckdb",
) -> list[Scorecard]:
    """Score, coefficient and bonus of every unit of a level with weights for the period, ordered by unit.

    Every branch and every rm with customers is scored at a level that has weights, and so is any unit
    with a target or a bonus base for the period (0 where it has no target). Completion is as of D
    clamped into the period (a year's final scorecard is run in January on 31 December's figures).
    """
    from .models import BonusBase, Coefficient, RedLine, Target, Weight

    p = parse_period(period_code)
    weights: dict[str, list] = defaultdict(list)
    for w in Weight.objects.filter(period=p.code).order_by("indicator"):
        weights[w.level].append(w)
    if not weights:
        return []
    tables: dict[str, list] = defaultdict(list)
    for c in Coefficient.objects.filter(period=p.code):
        tables[c.level].append((c.min_score, c.coefficient))
    bonus = dict(BonusBase.objects.filter(period=p.code).values_list("unit", "bonus_base"))
    targets = list(Target.objects.filter(period=p.code))
    # every unit of a weighted level (as the indicator report lists them), and any unit with a letter
    candidates = {u for u in report_units() if u != "bank"} | {t.unit for t in targets} | set(bonus)
    if units is not None:
        candidates &= set(units)
    if allow is not None:  # the caller's scope, applied before anything is computed
        candidates = {u for u in candidates if allow(u)}
    scored = sorted(u for u in candidates if u.partition(":")[0] in weights)
    by_key = {(t.unit, t.indicator): t for t in targets}
    wanted = [
        by_key[(u, w.indicator)] for u in scored for w in weights[u.partition(":")[0]] if (u, w.indicator) in by_key
    ]
    results = {(r.unit, r.indicator): r for r in evaluate(wanted, as_of, engine_name=engine_name)}
    lines = defaultdict(list)
    rm_staff = [u[3:] for u in scored if u.startswith("rm:")]
    for rl in RedLine.objects.filter(staff_id__in=rm_staff, date__gte=p.start, date__lte=p.end).order_by("date"):
        lines[rl.staff_id].append(rl)
    cards = []
    for unit in scored:
        level = unit.partition(":")[0]
        contributions, score = [], Decimal(0)
        for w in weights[level]:
            r = results.get((unit, w.indicator))
            completion = r.completion_pct if r else Decimal(0)
            capped = min(completion, w.cap_pct)
            points = w.weight * capped / 100
            score += points
            contributions.append(
                Contribution(
                    w.indicator,
                    w.weight,
                    w.cap_pct,
                    r.target if r else None,
                    r.actual if r else None,
                    completion,
                    capped,
                    half_up(points),
                )
            )
        score = half_up(score)
        table = tables.get(level, [])
        by_score = coefficient_for(score, table)
        red = lines.get(unit[3:], []) if level == Level.RM else []
        coefficient = Decimal(0) if red else by_score
        base = bonus.get(unit)
        amount = half_up(base * coefficient) if base is not None else None
        higher = sorted((m, c) for m, c in table if m > score)
        cards.append(
            Scorecard(
                period=p.code,
                as_of=as_of,
                unit=unit,
                level=level,
                score=score,
                coefficient=coefficient,
                red_line=bool(red),
                bonus_base=base,
                bonus=amount,
                score_coefficient=by_score,
                red_lines=red,
                contributions=contributions,
                next_step=higher[0] if higher else None,
            )
        )
    return cards


# ------------------------------------------------------------------ red lines


def add_red_line(staff_no: str, code: str, date: dt.date, *, note: str = "", recorded_by: str | None = None):
    """Record a red-line violation (change-logged through the ORM); who recorded it defaults to the actor."""
    from bankcrm.core.context import current
    from bankcrm.org.models import Staff

    from .models import RedLine

    if code not in RedLineCode.values:
        raise ValueError(f"unknown red-line code {code!r}; one of: {', '.join(RedLineCode.values)}")
    staff = Staff.objects.filter(pk=staff_no).first()
    if staff is None:
        raise UnknownUnit(f"unknown staff member {staff_no!r}")
    with transaction.atomic():
        return RedLine.objects.create(
            staff=staff, code=code, date=date, note=note, recorded_by=(recorded_by or current().user_name)[:150]
        )
