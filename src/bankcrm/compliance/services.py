"""The compliance desk's rules (spec/compliance.md): indicator status, the deterministic draw,
screening and the regulation library. Every state change of this app happens here
(``unjustified_views``, the access-log reading, lives in ``access`` and is re-exported)."""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json
import math
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path

from django.db import transaction
from django.db.models import Count, Sum
from django.utils import timezone

from .access import unjustified_views
from .choices import (
    CaseStatus,
    Direction,
    FindingStatus,
    IndicatorStatus,
    Population,
    RegulationKind,
    RegulationStatus,
    Rule,
    SampleReason,
)
from .models import (
    Finding,
    FindingCode,
    IndicatorAlert,
    IndicatorValue,
    InspectionPlan,
    Regulation,
    RegulationTerm,
    RegulationVersion,
    RiskIndicator,
    SampleItem,
    ScreeningCase,
)

TRANSFER_SINGLE = Decimal("50000.00")
TRANSFER_QUARTER = Decimal("200000.00")
BROWSING_VIEWS = 5


class BadInput(ValueError):
    """Bad input: the message names what and where (one line each)."""

    def __init__(self, errors: list[str] | str):
        self.errors = [errors] if isinstance(errors, str) else list(errors)
        super().__init__("; ".join(self.errors))


# ---------------------------------------------------------------- quarters

_QUARTER = re.compile(r"^(\d{4})Q([1-4])$")


def parse_quarter(text: str) -> tuple[dt.date, dt.date]:
    """'2026Q3' → (2026-07-01, 2026-09-30)."""
    m = _QUARTER.match((text or "").strip())
    if not m:
        raise BadInput(f"not a quarter (YYYYQn, e.g. 2026Q3): {text!r}")
    year, q = int(m[1]), int(m[2])
    start = dt.date(year, 3 * q - 2, 1)
    end = dt.date(year + (q == 4), 1 if q == 4 else 3 * q + 1, 1) - dt.timedelta(days=1)
    return start, end


def quarter_of(day: dt.date) -> str:
    return f"{day.year}Q{(day.month - 1) // 3 + 1}"


def previous_quarter(text: str) -> str:
    start, _end = parse_quarter(text)
    prev = start - dt.timedelta(days=1)
    return f"{prev.year}Q{(prev.month - 1) // 3 + 1}"


# ---------------------------------------------------------------- risk indicators


def indicator_status(direction: str, limit: Decimal, warning: Decimal, value: Decimal) -> str:
    """breach / warning / normal exactly as the spec's bands (edges: at the limit is warning, at the
    warning is normal for ``min``; for ``max`` at the limit is warning, at the warning is normal)."""
    if direction == Direction.MIN:
        if value < limit:
            return IndicatorStatus.BREACH
        return IndicatorStatus.WARNING if value < warning else IndicatorStatus.NORMAL
    if value > limit:
        return IndicatorStatus.BREACH
    return IndicatorStatus.WARNING if value > warning else IndicatorStatus.NORMAL


def _read_rows(path: Path) -> list[dict[str, str]]:
    """CSV (UTF-8, BOM tolerated) or xlsx, header in the first row, as dicts of stripped text."""
    path = Path(path)
    if not path.exists():
        raise BadInput(f"no such file: {path}")
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        from openpyxl import load_workbook

        book = load_workbook(path, read_only=True, data_only=True)
        rows = list(book.worksheets[0].iter_rows(values_only=True))
        if not rows:
            return []
        header = [str(c or "").strip() for c in rows[0]]
        out = []
        for row in rows[1:]:
            cells = ["" if c is None else (c.isoformat()[:10] if isinstance(c, dt.date) else str(c)) for c in row]
            out.append({h: v.strip() for h, v in zip(header, cells, strict=False)})
        return out
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise BadInput(f"{path.name}: not UTF-8 text") from exc
    reader = csv.DictReader(io.StringIO(text))
    return [{(k or "").strip(): (v or "").strip() for k, v in row.items()} for row in reader]


def _need_columns(rows: list[dict], columns: tuple[str, ...], name: str) -> None:
    if rows and (missing := [c for c in columns if c not in rows[0]]):
        raise BadInput(f"{name}: missing column(s) {', '.join(missing)}")


def _decimal(text: str) -> Decimal | None:
    try:
        value = Decimal(text.replace(",", ""))
    except (InvalidOperation, AttributeError):
        return None
    return value if value.is_finite() else None


@transaction.atomic
def import_indicator_values(path: Path) -> int:
    """Columns period, code, value. All or nothing: any bad line and nothing is stored."""
    rows = _read_rows(path)
    _need_columns(rows, ("period", "code", "value"), Path(path).name)
    catalogue = {i.code: i for i in RiskIndicator.objects.all()}
    errors, good = [], []
    for n, row in enumerate(rows, start=2):  # line 1 is the header
        period, code, raw = row.get("period", ""), row.get("code", ""), row.get("value", "")
        try:
            parse_quarter(period)
        except BadInput:
            errors.append(f"line {n}: period {period!r} is not a quarter (YYYYQn)")
            continue
        indicator = catalogue.get(code)
        if indicator is None:
            errors.append(f"line {n}: unknown indicator code {code!r}")
            continue
        if indicator.computed:
            errors.append(f"line {n}: {code} is computed by bankcrm, not imported")
            continue
        value = _decimal(raw)
        if value is None:
            errors.append(f"line {n}: value {raw!r} of {code} is not a number")
            continue
        good.append((period, indicator, value))
    if errors:
        raise BadInput(errors)
    for period, indicator, value in good:
        store_indicator_value(period, indicator, value)
    return len(good)


def periods_in_file(path: Path) -> list[str]:
    """The quarters an (already imported, so valid) indicator file holds, in order."""
    return sorted({row["period"] for row in _read_rows(path) if row.get("period")})


def store_indicator_value(
    period: str, indicator: RiskIndicator, value: Decimal, *, unit: str = "bank", basis: str = ""
) -> IndicatorValue:
    """Grade and store one value (imported, or computed: ``compliance/computed.py``); raise its alert."""
    status = indicator_status(indicator.direction, indicator.limit, indicator.warning, value)
    stored, _created = IndicatorValue.objects.update_or_create(
        period=period, indicator=indicator, unit=unit, defaults={"value": value, "status": status, "basis": basis}
    )
    open_alert = stored.alerts.filter(acknowledged_at__isnull=True).first()
    if status != IndicatorStatus.NORMAL and (open_alert is None or open_alert.status != status):
        IndicatorAlert.objects.create(value=stored, status=status)
    return stored


def acknowledge_alert(alert: IndicatorAlert, user_name: str, note: str) -> IndicatorAlert:
    note = (note or "").strip()
    if not note:
        raise BadInput("acknowledging an alert needs a note")
    with transaction.atomic():
        alert = IndicatorAlert.objects.select_for_update().get(pk=alert.pk)
        if alert.acknowledged_at is not None:
            raise BadInput(f"alert {alert.pk} is already acknowledged")
        alert.acknowledged_at, alert.acknowledged_by, alert.note = timezone.now(), user_name, note
        alert.save()
    return alert


def plain(value: Decimal | None) -> Decimal | None:
    """10.5000 → 10.5, 100.0000 → 100 (never 1E+2): the figure as the finance file wrote it."""
    if value is None:
        return None
    return value.quantize(Decimal(1)) if value == value.to_integral() else value.normalize()


def indicator_rows(period: str) -> list[dict]:
    """period, code, value, status, prev_value, change — for every catalogue line with a bank value
    (the per-branch deposit deviations are on the desk page and in the alerts, not in this export)."""
    parse_quarter(period)
    bank = IndicatorValue.objects.filter(unit="bank")
    prev = {v.indicator_id: v.value for v in bank.filter(period=previous_quarter(period))}
    rows = []
    for v in bank.filter(period=period).select_related("indicator").order_by("indicator_id"):
        before = prev.get(v.indicator_id)
        rows.append(
            {
                "period": period,
                "code": v.indicator_id,
                "value": plain(v.value),
                "status": v.status,
                "prev_value": plain(before),
                "change": None if before is None else plain(v.value - before),
            }
        )
    return rows


# ---------------------------------------------------------------- inspection sampling


def sample_digest(plan_code: str, key: str) -> str:
    return hashlib.sha256(f"{plan_code}:{key}".encode()).hexdigest()


def random_count(rate_pct: Decimal, count: int) -> int:
    """⌈rate_pct × count ÷ 100⌉ in exact decimal arithmetic."""
    return math.ceil(Decimal(rate_pct) * count / 100)


def select_sample(plan_code: str, items: list[tuple[str, Decimal]], rate_pct: Decimal, full_above: Decimal):
    """The spec's rule: every item with amount ≥ full_above; of the others the ⌈rate×n/100⌉ with the
    smallest sha256("<plan>:<key>") hex. Returns [(key, amount, reason, digest)] ordered by key."""
    full = [(k, a, SampleReason.FULL, sample_digest(plan_code, k)) for k, a in items if a >= full_above]
    rest = sorted(((sample_digest(plan_code, k), k, a) for k, a in items if a < full_above))
    drawn = [(k, a, SampleReason.RANDOM, d) for d, k, a in rest[: random_count(rate_pct, len(rest))]]
    return sorted(full + drawn, key=lambda row: row[0])


def create_plan(path: Path) -> InspectionPlan:
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise BadInput(f"no such file: {path}") from exc
    except json.JSONDecodeError as exc:
        raise BadInput(f"{Path(path).name}: not JSON (line {exc.lineno}: {exc.msg})") from exc
    if not isinstance(data, dict):
        raise BadInput(f"{Path(path).name}: expected one JSON object")
    errors = []
    code = str(data.get("code") or "").strip()
    if not code:
        errors.append("code: missing")
    population = data.get("population")
    if population not in Population.values:
        errors.append(f"population: {population!r} is not one of {', '.join(Population.values)}")
    period = str(data.get("period") or "")
    try:
        parse_quarter(period)
    except BadInput as exc:
        errors.append(f"period: {exc}")
    rate = _decimal(str(data.get("rate_pct", "")))
    if rate is None or not Decimal(10) <= rate <= Decimal(100):
        errors.append(f"rate_pct: {data.get('rate_pct')!r} is not a number from 10 to 100")
    full_above = _decimal(str(data.get("full_above", "")))
    if full_above is None or full_above <= 0:
        errors.append(f"full_above: {data.get('full_above')!r} is not a positive amount")
    if errors:
        raise BadInput(errors)
    existing = InspectionPlan.objects.filter(pk=code).first()
    if existing is not None and existing.drawn_at is not None:
        raise BadInput(f"plan {code} is already drawn; its parameters are frozen")
    plan, _ = InspectionPlan.objects.update_or_create(
        code=code,
        defaults={"population": population, "period": period, "rate_pct": rate, "full_above": full_above},
    )
    return plan


def plan_population(plan: InspectionPlan) -> list[tuple[str, Decimal]]:
    start, end = parse_quarter(plan.period)
    if plan.population == Population.NEW_LOANS:
        from .screening import new_loans_population

        return new_loans_population(start, end)
    from bankcrm.campaigns.models import Sale

    return list(Sale.objects.filter(sale_date__range=(start, end)).values_list("sale_id", "amount"))


@transaction.atomic
def draw_plan(code: str, user_name: str = "") -> tuple[InspectionPlan, bool]:
    """Draw once and freeze; a second draw returns the stored sample unchanged. (plan, newly drawn)."""
    plan = InspectionPlan.objects.select_for_update().filter(pk=code).first()
    if plan is None:
        raise BadInput(f"no inspection plan with code {code!r}")
    if plan.drawn_at is not None:
        return plan, False
    items = plan_population(plan)
    if not items:
        raise BadInput(f"plan {code}: the population {plan.population} of {plan.period} is empty")
    chosen = select_sample(plan.code, items, plan.rate_pct, plan.full_above)
    SampleItem.objects.bulk_create(SampleItem(plan=plan, key=k, amount=a, reason=r, digest=d) for k, a, r, d in chosen)
    plan.drawn_at, plan.drawn_by, plan.population_count = timezone.now(), user_name, len(items)
    plan.save()
    return plan, True


# ---------------------------------------------------------------- staff screening


@dataclass
class ScreenResult:
    quarter: str
    opened: list[ScreeningCase] = field(default_factory=list)
    existing: int = 0


def _open_case(result: ScreenResult, staff_id: str, rule: str, detail: str) -> None:
    case, created = ScreeningCase.objects.get_or_create(
        quarter=result.quarter, staff_id=staff_id, rule=rule, defaults={"detail": detail}
    )
    if created:
        result.opened.append(case)
    else:
        result.existing += 1


@transaction.atomic
def screen(quarter: str) -> ScreenResult:
    start, end = parse_quarter(quarter)
    result = ScreenResult(quarter)
    _screen_browsing(result, start, end)
    _screen_exit_audit(result)
    from .screening import screen_transfers

    screen_transfers(result, start, end)  # in the analytics engine's SQL (compliance/screening.py)
    return result


def transfer_hits(transfers: list[tuple[str, Decimal]]) -> dict[str, str]:
    """staff_no → detail for the transfer rule, given (staff_no, amount) of each linked transfer."""
    by_staff: dict[str, list[Decimal]] = {}
    for staff_no, amount in transfers:
        by_staff.setdefault(staff_no, []).append(abs(Decimal(amount)))
    hits = {}
    for staff_no, amounts in by_staff.items():
        big, total = max(amounts), sum(amounts, Decimal("0"))
        if big >= TRANSFER_SINGLE or total >= TRANSFER_QUARTER:
            hits[staff_no] = f"{len(amounts)} transfers, largest {big:.2f}, total {total:.2f}"
    return hits


def _screen_browsing(result: ScreenResult, start: dt.date, end: dt.date) -> None:
    from bankcrm.core.models import AccessLog
    from bankcrm.org.models import UserProfile

    views = unjustified_views(AccessLog.objects.filter(time__date__range=(start, end)))
    counts = views.order_by().values("user_id").annotate(n=Count("pk")).filter(n__gte=BROWSING_VIEWS)
    staff_of = dict(UserProfile.objects.filter(staff__isnull=False).values_list("user_id", "staff_id"))
    for row in counts:
        staff_no = staff_of.get(row["user_id"])
        if staff_no:
            _open_case(result, staff_no, Rule.BROWSING, f"{row['n']} unjustified views")


def _screen_exit_audit(result: ScreenResult) -> None:
    """One exit audit per leaver: opened in the first quarter screened after they left, not every quarter."""
    from bankcrm.campaigns.choices import ListItemStatus
    from bankcrm.campaigns.models import ListItem
    from bankcrm.complaints.models import Complaint
    from bankcrm.customers.models import Customer
    from bankcrm.org.choices import StaffStatus
    from bankcrm.org.models import Staff

    from .screening import OverdueLoans

    overdue_loans = OverdueLoans()  # the latest loans file, read once for every leaver
    OPEN_ITEM_STATES = (ListItemStatus.PENDING, ListItemStatus.CONTACTED, ListItemStatus.PROMISE_BROKEN)
    audited = set(ScreeningCase.objects.filter(rule=Rule.EXIT_AUDIT).values_list("staff_id", flat=True))
    for staff in Staff.objects.filter(status=StaffStatus.LEFT).exclude(pk__in=audited).order_by("pk"):
        customers = list(Customer.objects.filter(rm=staff).order_by("pk").values_list("pk", flat=True))
        items = ListItem.objects.filter(assignee=staff, status__in=OPEN_ITEM_STATES).count()
        complaints = _open_complaints_handled(Complaint, staff)
        detail = (
            f"customers still assigned: {len(customers)} ({' '.join(customers[:50])}); "
            f"open list items: {items}; open complaints handled: {complaints}; "
            f"customers' overdue loans: {overdue_loans.detail(customers)}"
        )
        _open_case(result, staff.pk, Rule.EXIT_AUDIT, detail)


def _open_complaints_handled(Complaint, staff) -> int:
    """Complaints assigned to a login of this staff member and not closed."""
    from bankcrm.complaints.choices import Status
    from bankcrm.org.models import UserProfile

    users = UserProfile.objects.filter(staff=staff).values("user_id")
    return Complaint.objects.filter(assignee_id__in=users).exclude(status=Status.CLOSED).count()


CASE_MOVES = {
    CaseStatus.OPEN: {CaseStatus.EXPLAINED, CaseStatus.ESCALATED},
    CaseStatus.EXPLAINED: {CaseStatus.CLOSED, CaseStatus.ESCALATED},
    CaseStatus.ESCALATED: {CaseStatus.CLOSED, CaseStatus.EXPLAINED},
    CaseStatus.CLOSED: set(),
}


def move_case(case: ScreeningCase, to: str, user, note: str = "") -> ScreeningCase:
    with transaction.atomic():
        case = ScreeningCase.objects.select_for_update().get(pk=case.pk)
        if to not in CASE_MOVES[case.status]:
            raise BadInput(f"case {case.pk}: cannot go from {case.status} to {to}")
        if to == CaseStatus.CLOSED and not (note or "").strip():
            raise BadInput(f"case {case.pk}: closing needs a note")
        stamp = timezone.now().strftime("%Y-%m-%d %H:%M")
        if note:
            case.notes = (case.notes + "\n" if case.notes else "") + f"{stamp} {user}: {note.strip()}"
        case.status, case.reviewer = to, user if getattr(user, "pk", None) else case.reviewer
        case.save()
    return case


# ---------------------------------------------------------------- regulation library

_HAN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]+")
_WORD = re.compile(r"[0-9a-z]+")
REG_COLUMNS = ("reg_id", "kind", "title", "issuer", "doc_no", "issued_date", "effective_date", "status", "text")


def terms(text: str) -> set[str]:
    """Search terms: bigrams of each run of Chinese characters (a lone character as itself) and
    lower-cased Latin words/numbers (so 银发〔2024〕12号 is found by 12 as well)."""
    text = (text or "").lower()
    found = set(_WORD.findall(text))
    for run in _HAN.findall(text):
        found.update([run] if len(run) == 1 else (run[i : i + 2] for i in range(len(run) - 1)))
    return {t[:40] for t in found}


def _date_or_error(row: dict, name: str, n: int, errors: list[str]) -> dt.date | None:
    raw = row.get(name, "")
    if not raw:
        return None
    try:
        return dt.date.fromisoformat(raw[:10])
    except ValueError:
        errors.append(f"line {n}: {name} {raw!r} is not a date (YYYY-MM-DD)")
        return None


@transaction.atomic
def import_regulations(path: Path) -> tuple[int, int]:
    """All or nothing. Returns (new, replaced)."""
    rows = _read_rows(path)
    _need_columns(rows, ("reg_id", "kind", "title", "status"), Path(path).name)
    errors, good, seen = [], [], set()
    for n, row in enumerate(rows, start=2):
        reg_id = row.get("reg_id", "")
        if not reg_id:
            errors.append(f"line {n}: reg_id is missing")
            continue
        if reg_id in seen:
            errors.append(f"line {n}: reg_id {reg_id} appears twice in the file")
        seen.add(reg_id)
        if row.get("kind") not in RegulationKind.values:
            errors.append(f"line {n}: kind {row.get('kind')!r} is not external or internal")
        if row.get("status") not in RegulationStatus.values:
            errors.append(f"line {n}: status {row.get('status')!r} is not in_force, amended or repealed")
        if not row.get("title"):
            errors.append(f"line {n}: title is missing")
        issued, effective = (
            _date_or_error(row, "issued_date", n, errors),
            _date_or_error(row, "effective_date", n, errors),
        )
        good.append((reg_id, row, issued, effective))
    if errors:
        raise BadInput(errors)
    new = replaced = 0
    for reg_id, row, issued, effective in good:
        fields = {c: row.get(c, "") for c in ("kind", "title", "issuer", "doc_no", "status", "text")}
        fields.update(issued_date=issued, effective_date=effective)
        current = Regulation.objects.filter(pk=reg_id).first()
        if current is None:
            reg = Regulation.objects.create(reg_id=reg_id, **fields)
            new += 1
        else:
            RegulationVersion.objects.create(
                regulation=current, version=current.version, title=current.title, doc_no=current.doc_no,
                status=current.status, text=current.text,
            )  # fmt: skip
            for name, value in fields.items():
                setattr(current, name, value)
            current.version += 1
            current.save()
            reg = current
            replaced += 1
        reg.terms.all().delete()
        RegulationTerm.objects.bulk_create(
            RegulationTerm(regulation=reg, term=t) for t in terms(f"{reg.title} {reg.doc_no} {reg.text}")
        )
    return new, replaced


def search_regulations(query: str, queryset=None):
    """Regulations holding every term of the query; in force first, then newest effective date."""
    from django.db.models import Case, IntegerField, Value, When

    queryset = Regulation.objects.all() if queryset is None else queryset
    wanted = terms(query)
    if wanted:
        matching = (
            RegulationTerm.objects.filter(term__in=wanted)
            .values("regulation_id")
            .annotate(n=Count("term", distinct=True))
            .filter(n=len(wanted))
            .values("regulation_id")
        )
        queryset = queryset.filter(pk__in=matching)
    elif (query or "").strip():
        return queryset.none()
    in_force_first = Case(
        When(status=RegulationStatus.IN_FORCE, then=Value(0)), default=Value(1), output_field=IntegerField()
    )
    return queryset.annotate(_rank=in_force_first).order_by("_rank", "-effective_date", "reg_id")


def sample_total(plan: InspectionPlan) -> Decimal:
    return plan.items.aggregate(s=Sum("amount"))["s"] or Decimal("0")


# ---------------------------------------------------------------- findings and rectification


def record_finding(
    item: SampleItem,
    *,
    code: str,
    severity: str,
    description: str,
    responsible: str,
    due_date: dt.date,
    inspector: str,
) -> Finding:
    from bankcrm.org.models import Staff

    from .choices import Severity

    errors = []
    finding_code = FindingCode.objects.filter(pk=code).first()
    if finding_code is None:
        errors.append(f"code: unknown finding code {code!r}")
    if severity not in Severity.values:
        errors.append(f"severity: {severity!r} is not low, medium or high")
    staff = Staff.objects.filter(pk=responsible).first()
    if staff is None:
        errors.append(f"responsible: unknown staff member {responsible!r}")
    if not (description or "").strip():
        errors.append("description: missing")
    if errors:
        raise BadInput(errors)
    with transaction.atomic():
        finding = Finding.objects.create(
            item=item, code=finding_code, severity=severity, description=description.strip(), responsible=staff,
            due_date=due_date, inspector=inspector,
        )  # fmt: skip
        mark_inspected(item, inspector)
    return finding


def mark_inspected(item: SampleItem, inspector: str) -> None:
    if item.inspected_at is None:
        SampleItem.objects.filter(pk=item.pk, inspected_at__isnull=True).update(
            inspected_at=timezone.now(), inspected_by=inspector
        )


# status -> {action: next status}
FINDING_MOVES = {
    FindingStatus.OPEN: {"rectify": FindingStatus.RECTIFIED},
    FindingStatus.RECTIFIED: {"verify": FindingStatus.VERIFIED, "reopen": FindingStatus.OPEN},
    FindingStatus.VERIFIED: {},
}


def move_finding(finding: Finding, action: str, user_name: str, note: str = "") -> Finding:
    """rectify (with a note) → verify (by someone other than who rectified) or reopen."""
    with transaction.atomic():
        finding = Finding.objects.select_for_update().get(pk=finding.pk)
        to = FINDING_MOVES[finding.status].get(action)
        if to is None:
            raise BadInput(f"finding {finding.pk} is {finding.status}: {action!r} is not allowed now")
        if action == "rectify" and not (note or "").strip():
            raise BadInput(f"finding {finding.pk}: rectifying needs a note saying what was done")
        if action == "verify" and user_name == finding.rectified_by:
            raise BadInput(f"finding {finding.pk}: the one who rectified it cannot verify it (four eyes)")
        now = timezone.now()
        if action == "rectify":
            finding.rectified_at, finding.rectified_by = now, user_name
        elif action == "verify":
            finding.verified_at, finding.verified_by = now, user_name
        else:
            finding.rectified_at, finding.rectified_by = None, ""
        if note:
            finding.notes = (
                finding.notes + "\n" if finding.notes else ""
            ) + f"{now:%Y-%m-%d %H:%M} {user_name}: {note}"
        finding.status = to
        finding.save()
    return finding


def plan_report(plan: InspectionPlan, today: dt.date | None = None) -> dict:
    """Population, sampled, inspected, findings by code and severity, on-time rectification rate.

    On-time rate = findings rectified on or before their due date ÷ findings that are due (rectified,
    or open past their due date); None while nothing is due.
    """
    today = today or timezone.localdate()
    findings = list(Finding.objects.filter(item__plan=plan))
    by = {}
    for f in findings:
        by[(f.code_id, f.severity)] = by.get((f.code_id, f.severity), 0) + 1
    rectified = [f for f in findings if f.rectified_at is not None]
    on_time = sum(1 for f in rectified if timezone.localtime(f.rectified_at).date() <= f.due_date)
    due = len(rectified) + sum(1 for f in findings if f.is_overdue(today))
    return {
        "plan": plan.code,
        "population": plan.population_count,
        "sampled": plan.items.count(),
        "inspected": plan.items.filter(inspected_at__isnull=False).count(),
        "findings": [{"code": c, "severity": s, "count": n} for (c, s), n in sorted(by.items())],
        "overdue": sum(1 for f in findings if f.is_overdue(today)),
        "on_time_rate_pct": None if not due else (Decimal(on_time * 100) / due).quantize(Decimal("0.01")),
    }


# ---------------------------------------------------------------- checklists (issue 13)


def checklist_for(item: SampleItem) -> list[tuple]:
    """(question, answer or None) for the template of the item's population, in template order.

    Questions no longer in use still show when the item answered them (the inspection stays whole).
    """
    from .models import ChecklistQuestion

    answers = {a.question_id: a for a in item.answers.all()}
    questions = ChecklistQuestion.objects.filter(population=item.plan.population).order_by("position", "pk")
    return [(q, answers.get(q.pk)) for q in questions if q.active or q.pk in answers]


def answer_checklist(item: SampleItem, answers: dict[int, tuple[str, str]], user_name: str) -> list:
    """Store the answers {question id: (yes | no | na, note)} for one sampled item (a changed answer
    replaces the earlier one). Returns the questions answered "no" — each suggests a finding.

    Every question must belong to the item's population; a "no" or "not applicable" without a note
    is accepted (the finding or the inspector's judgement carries the reason)."""
    from .choices import Answer
    from .models import ChecklistAnswer, ChecklistQuestion

    questions = {q.pk: q for q in ChecklistQuestion.objects.filter(population=item.plan.population)}
    errors = []
    for qid, (answer, _note) in answers.items():
        if qid not in questions:
            errors.append(f"question {qid}: not on the {item.plan.population} checklist")
        elif answer not in Answer.values:
            errors.append(f"question {qid}: answer {answer!r} is not yes, no or na")
    if errors:
        raise BadInput(errors)
    with transaction.atomic():
        for qid, (answer, note) in answers.items():
            ChecklistAnswer.objects.update_or_create(
                item=item,
                question=questions[qid],
                defaults={
                    "answer": answer, "note": (note or "").strip(), "answered_by": user_name,
                    "question_text": questions[qid].text,
                },
            )  # fmt: skip
        if answers:
            mark_inspected(item, user_name)
    return [questions[qid] for qid, (answer, _n) in answers.items() if answer == Answer.NO]


def add_checklist_question(population: str, text: str, position: int = 0):
    """A new question on the population's template (the bank edits its templates)."""
    from .models import ChecklistQuestion

    text = (text or "").strip()
    errors = []
    if population not in Population.values:
        errors.append(f"population: {population!r} is not one of {', '.join(Population.values)}")
    if not text:
        errors.append("text: missing")
    if errors:
        raise BadInput(errors)
    return ChecklistQuestion.objects.create(population=population, text=text, position=position)


def set_question_in_use(question, active: bool):
    """Take a question out of use (or back): never deleted, the items that answered it keep it."""
    question.active = active
    question.save()
    return question


# ---------------------------------------------------------------- screening cases: notes and reviewer


def add_case_note(case: ScreeningCase, user, note: str) -> ScreeningCase:
    note = (note or "").strip()
    if not note:
        raise BadInput(f"case {case.pk}: the note is empty")
    with transaction.atomic():
        case = ScreeningCase.objects.select_for_update().get(pk=case.pk)
        stamp = timezone.now().strftime("%Y-%m-%d %H:%M")
        case.notes = (case.notes + "\n" if case.notes else "") + f"{stamp} {user}: {note}"
        case.save()
    return case


def set_case_reviewer(case: ScreeningCase, reviewer, user) -> ScreeningCase:
    """The reviewer must be a login that may work on the desk (change screening cases)."""
    if reviewer is None or not reviewer.has_perm("compliance.change_screeningcase"):
        raise BadInput(f"case {case.pk}: the reviewer must be a compliance login")
    with transaction.atomic():
        case = ScreeningCase.objects.select_for_update().get(pk=case.pk)
        if case.status == CaseStatus.CLOSED:
            raise BadInput(f"case {case.pk} is closed")
        case.reviewer = reviewer
        case.save()
    return case


# ---------------------------------------------------------------- overdue findings and escalation


@dataclass
class SweepResult:
    today: dt.date
    overdue: int = 0
    escalated: list = field(default_factory=list)  # FindingEscalation created by this run
    no_branch_head: list[str] = field(default_factory=list)  # branch codes with no branch-manager login


def overdue_findings(today: dt.date | None = None):
    """Open findings past their due date (on the due date itself a finding is not overdue)."""
    today = today or timezone.localdate()
    return Finding.objects.filter(status=FindingStatus.OPEN, due_date__lt=today)


def sweep(today: dt.date | None = None) -> SweepResult:
    """``bankcrm compliance sweep``: escalate every overdue finding to the head of the responsible
    staff member's branch, once. Idempotent: a finding already escalated is left alone (also after
    it is reopened), so running the sweep daily — or twice a day — escalates each finding one time."""
    from bankcrm.org.choices import UserRole
    from bankcrm.org.models import UserProfile

    from .models import FindingEscalation

    today = today or timezone.localdate()
    result = SweepResult(today)
    overdue = overdue_findings(today).select_related("responsible")
    result.overdue = overdue.count()
    from bankcrm.org.models import Branch

    managed = UserProfile.objects.filter(role=UserRole.BRANCH_MANAGER, branch__isnull=False)
    heads = set(managed.values_list("branch_id", flat=True))
    parent_of = dict(Branch.objects.values_list("code", "parent_id"))

    def has_a_head(branch: str | None) -> bool:
        """A branch manager of the branch or of a branch above it sees the escalation (their scope)."""
        seen = set()
        while branch and branch not in seen:
            if branch in heads:
                return True
            seen.add(branch)
            branch = parent_of.get(branch)
        return False

    for finding in overdue.filter(escalation__isnull=True).order_by("pk"):
        with transaction.atomic():
            escalation, created = FindingEscalation.objects.get_or_create(
                finding=finding, defaults={"branch_id": finding.responsible.branch_id, "escalated_on": today}
            )
        if created:
            result.escalated.append(escalation)
            if not has_a_head(escalation.branch_id) and escalation.branch_id not in result.no_branch_head:
                result.no_branch_head.append(escalation.branch_id)
    return result


def acknowledge_escalation(escalation, user_name: str):
    from .models import FindingEscalation

    with transaction.atomic():
        escalation = FindingEscalation.objects.select_for_update().get(pk=escalation.pk)
        if escalation.acknowledged_at is not None:
            raise BadInput(f"escalation {escalation.pk} is already acknowledged")
        escalation.acknowledged_at, escalation.acknowledged_by = timezone.now(), user_name
        escalation.save()
    return escalation


# ---------------------------------------------------------------- citations


def cite(regulation: Regulation, user_name: str, *, finding=None, case=None, complaint=None):
    """Cite the regulation's current version from one finding, case or complaint root cause; citing
    the same regulation twice from one record adds nothing (returns the existing citation)."""
    from .models import Citation

    targets = {"finding": finding, "case": case, "complaint": complaint}
    if sum(t is not None for t in targets.values()) != 1:
        raise BadInput("a citation belongs to exactly one finding, case or complaint")
    if complaint is not None and not complaint.root_cause:
        raise BadInput(f"complaint {complaint}: no root cause recorded yet to cite a regulation for")
    with transaction.atomic():
        existing = Citation.objects.filter(regulation=regulation, **{k: v for k, v in targets.items() if v}).first()
        if existing is not None:
            return existing
        return Citation.objects.create(regulation=regulation, version=regulation.version, cited_by=user_name, **targets)


def remove_citation(citation) -> None:
    citation.delete()


# ---------------------------------------------------------------- indicator trend


def indicator_trend(indicator: RiskIndicator) -> list[tuple[str, Decimal, str]]:
    """(period, value, status) of every quarter with a value, oldest first."""
    return [
        (v.period, v.value, v.status)
        # the bank's line: deposit_deviation also has one per branch (compliance/computed.py)
        for v in IndicatorValue.objects.filter(indicator=indicator, unit="bank").order_by("period")
    ]
