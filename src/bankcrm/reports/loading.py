"""``bankcrm targets import PATH``: targets, weights, coefficients and bonus bases from the bankers' file.

An ``.xlsx`` workbook (openpyxl) with sheets ``targets``, ``weights``, ``coefficients``, ``bonus``,
or a folder of ``targets.csv`` … ``bonus.csv`` (any subset). Each bad row is rejected with its sheet,
line (the header is line 1, as the batch import counts), column and reason; the rest is loaded in
one transaction. Re-loading replaces: a target or bonus row replaces the stored one of the same key,
and a (period, level)'s weights or coefficient table replace the stored ones as a whole.
"""

from __future__ import annotations

import csv
import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path

from django.db import transaction

from .choices import BASES_FOR_KIND, Basis, Level
from .indicators import INDICATORS
from .periods import BadPeriod, parse_period
from .services import DEFAULT_CAP, UnknownUnit, resolve_unit

SHEETS = {
    "targets": ("period", "unit", "indicator", "basis", "target"),
    "weights": ("period", "level", "indicator", "basis", "weight", "cap_pct"),
    "coefficients": ("period", "level", "min_score", "coefficient"),
    "bonus": ("period", "unit", "bonus_base"),
}
OPTIONAL = {"cap_pct"}
# 存款时点 may not be assessed (2018 deposit-deviation rules): weight deposit_avg instead.
BANNED_WEIGHT_INDICATORS = {"deposit_balance"}


@dataclass
class Reject:
    file: str
    sheet: str
    line: int
    column: str
    reason: str
    detail: str = ""

    def __str__(self) -> str:
        return f"{self.file}: sheet {self.sheet} line {self.line} column {self.column}: {self.reason} ({self.detail})"


@dataclass
class LoadResult:
    loaded: dict = field(default_factory=lambda: dict.fromkeys(SHEETS, 0))
    rejects: list[Reject] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


class RowError(Exception):
    def __init__(self, column: str, reason: str, detail: str = ""):
        super().__init__(detail)
        self.column, self.reason, self.detail = column, reason, detail


# ------------------------------------------------------------------ reading


def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime | dt.date):
        # Excel turns a typed "2026-11" into a date: the month is what the banker meant.
        return f"{value.year:04d}-{value.month:02d}"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def read_sheets(path: Path) -> tuple[str, dict[str, list[tuple[int, dict]]]]:
    """{sheet: [(line, {column: text})]} and the file name the rejects name."""
    sheets: dict[str, list] = {}
    if path.is_dir():
        for name in SHEETS:
            f = path / f"{name}.csv"
            if f.exists():
                with f.open(newline="", encoding="utf-8-sig") as fh:
                    reader = csv.reader(fh)
                    sheets[name] = _rows(list(reader))
        return str(path), sheets
    if path.suffix.lower() == ".csv" and path.stem.lower() in SHEETS:  # one sheet as its own file
        with path.open(newline="", encoding="utf-8-sig") as fh:
            sheets[path.stem.lower()] = _rows(list(csv.reader(fh)))
        return path.name, sheets
    if path.suffix.lower() == ".xlsx":
        from openpyxl import load_workbook

        wb = load_workbook(path, read_only=True, data_only=True)
        try:
            for ws in wb.worksheets:
                name = ws.title.strip().lower()
                if name in SHEETS:
                    sheets[name] = _rows([[_cell_text(v) for v in row] for row in ws.iter_rows(values_only=True)])
        finally:
            wb.close()
        return path.name, sheets
    raise ValueError(
        f"{path}: not an .xlsx workbook, a folder of CSV files or one of {', '.join(f'{n}.csv' for n in SHEETS)}"
    )


def _rows(raw: list[list]) -> list:
    if not raw:
        return []
    header = [_cell_text(h).lower() for h in raw[0]]
    out = []
    for i, values in enumerate(raw[1:], start=2):
        cells = [_cell_text(v) for v in values]
        if not any(cells):
            continue  # blank lines in a spreadsheet are not rows
        out.append((i, {h: (cells[j] if j < len(cells) else "") for j, h in enumerate(header) if h}))
    return [("header", header), *out]


# ------------------------------------------------------------------ validating


def _number(row: dict, column: str, *, default=None) -> Decimal:
    text = row.get(column, "").replace(",", "")
    if not text:
        if default is not None:
            return default
        raise RowError(column, "missing_value", f"{column} is empty")
    try:
        value = Decimal(text)
    except InvalidOperation as exc:
        raise RowError(column, "bad_number", f"not a number: {text!r}") from exc
    if not value.is_finite():
        raise RowError(column, "bad_number", f"not a number: {text!r}")
    return value


def _period(row: dict):
    try:
        return parse_period(row.get("period", ""))
    except BadPeriod as exc:
        raise RowError("period", "bad_period", str(exc)) from exc


def _unit(row: dict) -> tuple[str, str, str]:
    unit = row.get("unit", "")
    try:
        branch, rm = resolve_unit(unit)
    except UnknownUnit as exc:
        raise RowError("unit", "unknown_unit", str(exc)) from exc
    return unit, branch, rm


def _indicator(row: dict):
    code = row.get("indicator", "")
    ind = INDICATORS.get(code)
    if ind is None:
        raise RowError("indicator", "unknown_indicator", f"unknown indicator {code!r}")
    return ind


def _basis(row: dict, ind) -> str:
    basis = row.get("basis", "")
    if basis not in Basis.values:
        raise RowError("basis", "unknown_basis", f"basis {basis!r} is not one of {', '.join(Basis.values)}")
    if basis not in BASES_FOR_KIND[ind.kind]:
        fits = ", ".join(sorted(BASES_FOR_KIND[ind.kind]))
        raise RowError("basis", "basis_mismatch", f"{ind.code} is a {ind.kind}: basis {basis!r} does not fit ({fits})")
    return basis


def _level(row: dict) -> str:
    level = row.get("level", "")
    if level not in Level.values:
        raise RowError("level", "unknown_level", f"level {level!r} is not branch or rm")
    return level


def _money2(value: Decimal) -> Decimal:
    return value.quantize(Decimal("0.01"))


def _check_target(row):
    p = _period(row)
    unit, branch, rm = _unit(row)
    ind = _indicator(row)
    basis = _basis(row, ind)
    target = _number(row, "target")
    if target <= 0:
        raise RowError("target", "target_not_positive", f"target must be > 0, got {target}")
    if not ind.is_money and target != target.to_integral_value():
        raise RowError("target", "bad_number", f"{ind.code} is a count: target must be a whole number, got {target}")
    if ind.is_money and target != target.quantize(Decimal("0.01")):
        # money has at most 2 decimals (spec/batch-files.md value formats): never rounded silently
        raise RowError("target", "bad_number", f"a money target has at most 2 decimals, got {target}")
    return (p.code, unit, ind.code), {
        "period_start": p.start,
        "period_end": p.end,
        "basis": basis,
        "target": _money2(target),
        "branch_code": branch,
        "rm_staff_no": rm,
    }


def _check_weight(row):
    p = _period(row)
    level = _level(row)
    ind = _indicator(row)
    if ind.code in BANNED_WEIGHT_INDICATORS:
        raise RowError(
            "indicator",
            "banned_kpi",
            "point-in-time deposits (存款时点) may not be assessed (2018 deposit-deviation rules): use deposit_avg",
        )
    basis = _basis(row, ind)
    weight = _number(row, "weight")
    if weight <= 0:
        raise RowError("weight", "bad_number", f"weight must be > 0, got {weight}")
    cap = _number(row, "cap_pct", default=DEFAULT_CAP)
    if cap <= 0:
        raise RowError("cap_pct", "bad_number", f"cap_pct must be > 0, got {cap}")
    return (p.code, level, ind.code), {"basis": basis, "weight": weight, "cap_pct": cap}


def _check_coefficient(row):
    p = _period(row)
    level = _level(row)
    min_score = _number(row, "min_score")
    coefficient = _number(row, "coefficient")
    if coefficient < 0:
        raise RowError("coefficient", "bad_number", f"coefficient must be ≥ 0, got {coefficient}")
    return (p.code, level, min_score), {"coefficient": coefficient}


def _check_bonus(row):
    p = _period(row)
    unit, branch, rm = _unit(row)
    base = _number(row, "bonus_base")
    if base < 0:
        raise RowError("bonus_base", "bad_number", f"bonus_base must be ≥ 0, got {base}")
    return (p.code, unit), {"bonus_base": _money2(base), "branch_code": branch, "rm_staff_no": rm}


CHECKS = {"targets": _check_target, "weights": _check_weight, "coefficients": _check_coefficient, "bonus": _check_bonus}


def validate(file: str, sheets: dict) -> tuple[dict, list[Reject]]:
    """{sheet: {key: (line, values)}} of the good rows, and the rejects."""
    good: dict[str, dict] = {}
    rejects: list[Reject] = []
    for sheet, rows in sheets.items():
        good[sheet] = {}
        if not rows:
            continue
        header = rows[0][1]
        missing = [c for c in SHEETS[sheet] if c not in header and c not in OPTIONAL]
        if missing:
            rejects.append(
                Reject(file, sheet, 1, missing[0], "missing_column", f"columns {', '.join(missing)} missing")
            )
            continue
        for line, row in rows[1:]:
            try:
                key, values = CHECKS[sheet](row)
            except RowError as err:
                rejects.append(Reject(file, sheet, line, err.column, err.reason, err.detail))
                continue
            if key in good[sheet]:
                reason = "overlapping_coefficient" if sheet == "coefficients" else "duplicate_row"
                first = good[sheet][key][0]
                col = "min_score" if sheet == "coefficients" else SHEETS[sheet][2]
                rejects.append(Reject(file, sheet, line, col, reason, f"same key as line {first}"))
                continue
            good[sheet][key] = (line, values)
    _weights_sum_to_100(file, good.get("weights", {}), rejects)
    rejects.sort(key=lambda r: (list(SHEETS).index(r.sheet), r.line))
    return good, rejects


def _weights_sum_to_100(file: str, weights: dict, rejects: list[Reject]) -> None:
    groups = defaultdict(list)
    for key, (line, values) in weights.items():
        groups[key[:2]].append((key, line, values["weight"]))
    for (period, level), members in groups.items():
        total = sum(w for _, _, w in members)
        if total != 100:
            for key, line, _ in members:
                del weights[key]
                rejects.append(
                    Reject(
                        file, "weights", line, "weight", "weights_not_100", f"{period} {level}: weights sum to {total}"
                    )
                )


# ------------------------------------------------------------------ loading


@transaction.atomic
def load_targets(path: Path) -> LoadResult:
    """Validate and load one file: the good rows in one transaction, the bad ones reported."""
    from .models import BonusBase, Coefficient, Target, Weight

    file, sheets = read_sheets(Path(path))
    good, rejects = validate(file, sheets)
    result = LoadResult(rejects=rejects)
    for (period, unit, indicator), (_, values) in good.get("targets", {}).items():
        Target.objects.update_or_create(period=period, unit=unit, indicator=indicator, defaults=values)
        result.loaded["targets"] += 1
    weights = good.get("weights", {})
    for period, level in {k[:2] for k in weights}:
        for old in Weight.objects.filter(period=period, level=level):
            old.delete()  # one by one: each removal lands in the change log
    for (period, level, indicator), (_, values) in weights.items():
        Weight.objects.create(period=period, level=level, indicator=indicator, **values)
        result.loaded["weights"] += 1
    coefficients = good.get("coefficients", {})
    for period, level in {k[:2] for k in coefficients}:
        for old in Coefficient.objects.filter(period=period, level=level):
            old.delete()
    for (period, level, min_score), (_, values) in coefficients.items():
        Coefficient.objects.create(period=period, level=level, min_score=min_score, **values)
        result.loaded["coefficients"] += 1
    for (period, unit), (_, values) in good.get("bonus", {}).items():
        BonusBase.objects.update_or_create(period=period, unit=unit, defaults=values)
        result.loaded["bonus"] += 1
    touched = {k[0] for k in good.get("targets", {})}
    result.warnings = refresh_cascade_warnings(touched)
    return result


def refresh_cascade_warnings(periods: set[str]) -> list[str]:
    """层层加码: the rm targets of one branch adding up to more than the branch's own target for the
    same period and indicator. The target loads; the warning is stored beside the branch's target."""
    from bankcrm.org.models import Staff

    from .models import Target

    if not periods:
        return []
    home = dict(Staff.objects.values_list("staff_no", "branch_id"))
    targets = list(Target.objects.filter(period__in=periods))
    rm_sums: dict[tuple, Decimal] = defaultdict(Decimal)
    for t in targets:
        if t.unit.startswith("rm:") and home.get(t.unit[3:]):
            rm_sums[(t.period, home[t.unit[3:]], t.indicator)] += t.target
    messages = []
    for t in targets:
        if not t.unit.startswith("branch:"):
            continue
        total = rm_sums.get((t.period, t.unit[7:], t.indicator))
        warning = ""
        if total is not None and total > t.target:
            warning = f"rm targets add up to {total:f} > branch target {t.target:f} (层层加码)"
            messages.append(f"{t.period} {t.unit} {t.indicator}: {warning}")
        if t.warning != warning:
            t.warning = warning
            t.save(update_fields=["warning", "last_updated"])
    return sorted(messages)
