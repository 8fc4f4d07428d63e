"""The figures the desk reports (spec/complaints.md), per branch, tier, category and period.

Definitions (docs/complaints.md "Figures"):
* received: complaints whose receipt falls in the period;
* complaint rate: received ÷ active customers of the same branches (goal < 2%);
* first-contact resolution rate: summary resolutions ÷ received;
* on-time rate per clock: met ÷ (met + breached) among the bank's obligations whose outcome is known;
* days to resolve: receipt to (first) response, in days; mean and 90th percentile (nearest rank);
* escalation rate: escalated at least once ÷ received; reopen rate: reopened ÷ responded;
* satisfaction rate: satisfied ÷ answered surveys (goal ≥ 80%); compensation paid: sum.
"""

import datetime as dt
import io
import math
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import F as models_F
from django.utils import timezone

from bankcrm.customers.models import Customer

from .choices import OPEN_CLOCK_STATES, Category, ClockState
from .models import Complaint, Deadline, root_cause_label

COMPLAINT_RATE_GOAL = Decimal("0.02")
SATISFACTION_GOAL = Decimal("0.80")


def ratio(part: int, whole: int) -> Decimal | None:
    if not whole:
        return None
    return (Decimal(part) / Decimal(whole)).quantize(Decimal("0.0001"))


def percentile_nearest_rank(values: list[float], pct: int) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return ordered[max(0, math.ceil(pct / 100 * len(ordered)) - 1)]


@dataclass
class Figures:
    received: int = 0
    active_customers: int = 0
    complaint_rate: Decimal | None = None
    first_contact: int = 0
    first_contact_rate: Decimal | None = None
    responded: int = 0
    closed: int = 0
    days_to_resolve_mean: float | None = None
    days_to_resolve_p90: float | None = None
    escalated: int = 0
    escalation_rate: Decimal | None = None
    reopened: int = 0
    reopen_rate: Decimal | None = None
    satisfied: int = 0
    answered: int = 0
    satisfaction_rate: Decimal | None = None
    compensation: Decimal = Decimal("0.00")
    on_time: dict = field(default_factory=dict)  # clock -> {"met", "breached", "rate"}
    root_causes: list = field(default_factory=list)  # [(code, label, count, cumulative share)]
    by_branch: list = field(default_factory=list)
    by_category: list = field(default_factory=list)
    open_breaches: int = 0

    @property
    def complaint_rate_ok(self) -> bool | None:
        return None if self.complaint_rate is None else self.complaint_rate < COMPLAINT_RATE_GOAL

    @property
    def satisfaction_ok(self) -> bool | None:
        return None if self.satisfaction_rate is None else self.satisfaction_rate >= SATISFACTION_GOAL


def period_bounds(start: dt.date, end: dt.date) -> tuple[dt.datetime, dt.datetime]:
    tz = timezone.get_default_timezone()  # the bank's own calendar days
    return (
        dt.datetime.combine(start, dt.time.min, tzinfo=tz),
        dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min, tzinfo=tz),
    )


def compute(complaints, customers, *, start: dt.date, end: dt.date, now: dt.datetime | None = None) -> Figures:
    """``complaints`` and ``customers`` are already scoped and filtered (branch, tier, category)."""
    now = now or timezone.now()
    lo, hi = period_bounds(start, end)
    rows = list(
        complaints.filter(received_at__gte=lo, received_at__lt=hi).values(
            "pk",
            "branch_id",
            "category",
            "received_at",
            "responded_at",
            "closed_at",
            "summary_resolution",
            "escalations",
            "reopens",
            "satisfaction",
            "root_cause",
            "compensation",
        )
    )
    f = Figures(received=len(rows))
    f.active_customers = customers.filter(status="active").count()
    f.complaint_rate = ratio(f.received, f.active_customers)
    f.first_contact = sum(r["summary_resolution"] for r in rows)
    f.first_contact_rate = ratio(f.first_contact, f.received)
    responded = [r for r in rows if r["responded_at"]]
    f.responded, f.closed = len(responded), sum(1 for r in rows if r["closed_at"])
    days = [(r["responded_at"] - r["received_at"]).total_seconds() / 86400 for r in responded]
    if days:
        f.days_to_resolve_mean = round(sum(days) / len(days), 1)
        f.days_to_resolve_p90 = round(percentile_nearest_rank(days, 90), 1)
    f.escalated = sum(1 for r in rows if r["escalations"])
    f.escalation_rate = ratio(f.escalated, f.received)
    f.reopened = sum(1 for r in responded if r["reopens"])
    f.reopen_rate = ratio(f.reopened, f.responded)
    answered = [r["satisfaction"] for r in rows if r["satisfaction"]]
    f.answered, f.satisfied = len(answered), answered.count("satisfied")
    f.satisfaction_rate = ratio(f.satisfied, f.answered)
    f.compensation = sum((r["compensation"] for r in rows), Decimal("0.00"))
    f.on_time = on_time_by_clock([r["pk"] for r in rows], now)
    f.root_causes = pareto(Counter(r["root_cause"] for r in rows if r["root_cause"]))
    f.by_branch = breakdown(rows, "branch_id", lambda code: code)
    f.by_category = breakdown(rows, "category", lambda code: str(Category(code).label))
    f.open_breaches = (
        Deadline.objects.filter(complaint_id__in=[r["pk"] for r in rows], binding=True, met_at__isnull=True)
        .filter(state=ClockState.BREACHED)
        .count()
    )
    return f


def on_time_by_clock(pks: list[int], now: dt.datetime) -> dict:
    result: dict[str, dict] = defaultdict(lambda: {"met": 0, "breached": 0, "rate": None})
    for d in Deadline.objects.filter(complaint_id__in=pks, binding=True).only("clock", "state", "due_at"):
        state = d.live_state(now)
        if state == ClockState.MET:
            result[d.clock]["met"] += 1
        elif state == ClockState.BREACHED:
            result[d.clock]["breached"] += 1
        elif state in OPEN_CLOCK_STATES or state == ClockState.STOPPED:
            continue  # outcome not known yet, or replaced by an extension
    for values in result.values():
        values["rate"] = ratio(values["met"], values["met"] + values["breached"])
    return dict(sorted(result.items()))


def pareto(counts: Counter) -> list[tuple[str, str, int, Decimal]]:
    total = sum(counts.values())
    rows, running = [], 0
    for code, count in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])):
        running += count
        label = root_cause_label(code)
        rows.append((code, label, count, ratio(running, total)))
    return rows


def breakdown(rows: list[dict], key: str, label) -> list[dict]:
    groups: dict[str, list[dict]] = defaultdict(list)
    for r in rows:
        groups[r[key]].append(r)
    out = []
    for code, items in sorted(groups.items(), key=lambda kv: (-len(kv[1]), kv[0])):
        answered = [r["satisfaction"] for r in items if r["satisfaction"]]
        out.append(
            {
                "code": code,
                "label": label(code),
                "received": len(items),
                "first_contact_rate": ratio(sum(r["summary_resolution"] for r in items), len(items)),
                "escalation_rate": ratio(sum(1 for r in items if r["escalations"]), len(items)),
                "satisfaction_rate": ratio(answered.count("satisfied"), len(answered)),
                "compensation": sum((r["compensation"] for r in items), Decimal("0.00")),
            }
        )
    return out


def pareto_chart(f: Figures) -> dict:
    """An ECharts option: bars of root-cause counts and the cumulative share line."""
    return {
        "tooltip": {"trigger": "axis"},
        "xAxis": {"type": "category", "data": [label for _, label, _, _ in f.root_causes]},
        "yAxis": [
            {"type": "value", "name": "n"},
            {"type": "value", "max": 100, "axisLabel": {"formatter": "{value}%"}},
        ],
        "series": [
            {"type": "bar", "data": [count for _, _, count, _ in f.root_causes]},
            {"type": "line", "yAxisIndex": 1, "data": [float(share * 100) for _, _, _, share in f.root_causes]},
        ],
    }


def excel(f: Figures, *, start: dt.date, end: dt.date, scope_label: str = "") -> bytes:
    from openpyxl import Workbook

    from bankcrm.core.spreadsheets import append_row

    # every row through append_row: branch codes, labels and the scope label (a URL parameter) are
    # text from outside, written as string cells so none can run as a formula (issue 8.14)
    wb = Workbook()
    ws = wb.active
    ws.title = "summary"
    append_row(ws, ["complaint desk report", f"{start} – {end}", scope_label])
    for name, value in [
        ("complaints received", f.received),
        ("active customers", f.active_customers),
        ("complaint rate (goal < 2%)", f.complaint_rate),
        ("first-contact resolution rate", f.first_contact_rate),
        ("responded", f.responded),
        ("closed", f.closed),
        ("days to resolve, mean", f.days_to_resolve_mean),
        ("days to resolve, 90th percentile", f.days_to_resolve_p90),
        ("escalation rate", f.escalation_rate),
        ("reopen rate", f.reopen_rate),
        ("satisfaction rate (goal >= 80%)", f.satisfaction_rate),
        ("answered surveys", f.answered),
        ("compensation paid", f.compensation),
        ("breached deadlines not met", f.open_breaches),
    ]:
        append_row(ws, [name, value])
    ws = wb.create_sheet("on_time")
    append_row(ws, ["clock", "met", "breached", "on-time rate"])
    for clock, v in f.on_time.items():
        append_row(ws, [clock, v["met"], v["breached"], v["rate"]])
    for title, rows in (("branches", f.by_branch), ("categories", f.by_category)):
        ws = wb.create_sheet(title)
        append_row(
            ws,
            ["code", "name", "received", "first-contact rate", "escalation rate", "satisfaction rate", "compensation"],
        )
        for r in rows:
            append_row(ws, [r["code"], r["label"], r["received"], r["first_contact_rate"], r["escalation_rate"],
                       r["satisfaction_rate"], r["compensation"]])  # fmt: skip
    ws = wb.create_sheet("root_causes")
    append_row(ws, ["root cause", "name", "complaints", "cumulative share"])
    for code, label, count, share in f.root_causes:
        append_row(ws, [code, label, count, share])
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def customers_for(user, branch_codes: frozenset[str] | None):
    qs = Customer.objects.restrict(user, "view")
    return qs.filter(branch__in=sorted(branch_codes)) if branch_codes is not None else qs


def complaints_for(user):
    return Complaint.objects.restrict(user, "view")


# --- the regulator's monthly complaint return (issue 14; layout in docs/complaints.md) -------------


def month_bounds(month: dt.date) -> tuple[dt.date, dt.date]:
    first = month.replace(day=1)
    last = (first + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)
    return first, last


def _return_row(code, label) -> dict:
    return {"code": code, "label": str(label), "received": 0, "handled": 0, "on_time": 0, "rate": None, "open": 0}


def monthly_return(complaints, month: dt.date) -> dict:
    """Counts of one bank month for the regulator, by category, channel and status at the month's end.

    ``complaints`` is already scoped. Per category and channel: received in the month; handled (first
    response) in the month, and of those answered within every deadline due by then; still open
    (not closed) at the month's end. Statuses are those at the month's end, replayed from the events
    of the complaints received in the month.
    """
    from .choices import Channel, Status
    from .models import ComplaintEvent

    first, last = month_bounds(month)
    lo, hi = period_bounds(first, last)
    by = {
        "category": {c.value: _return_row(c.value, c.label) for c in Category},
        "channel": {c.value: _return_row(c.value, c.label) for c in Channel},
    }
    total = _return_row("", "")
    rows = (
        complaints.filter(received_at__lt=hi)
        .exclude(closed_at__lt=lo)
        .values("pk", "category", "channel", "received_at", "responded_at", "closed_at")
    )
    late = set(
        Deadline.objects.filter(
            complaint__in=complaints.filter(responded_at__gte=lo, responded_at__lt=hi),
            binding=True,
            state=ClockState.BREACHED,
        )
        .filter(due_at__lt=models_F("complaint__responded_at"))
        .values_list("complaint_id", flat=True)
    )
    received_pks = []
    for r in rows:
        targets = [by["category"].get(r["category"]), by["channel"].get(r["channel"]), total]
        received = lo <= r["received_at"] < hi
        handled = r["responded_at"] is not None and lo <= r["responded_at"] < hi
        still_open = r["closed_at"] is None or r["closed_at"] >= hi
        if received:
            received_pks.append(r["pk"])
        for t in targets:
            if t is None:  # a code from another system: counted in the total only
                continue
            t["received"] += received
            t["handled"] += handled
            t["on_time"] += handled and r["pk"] not in late
            t["open"] += still_open
    for t in [*by["category"].values(), *by["channel"].values(), total]:
        t["rate"] = ratio(t["on_time"], t["handled"])
    status_at_end: dict[int, str] = {}
    events = (
        ComplaintEvent.objects.filter(complaint_id__in=received_pks, time__lt=hi)
        .exclude(to_status="")
        .order_by("complaint_id", "time", "pk")
        .values_list("complaint_id", "to_status")
    )
    for pk, status in events:
        status_at_end[pk] = status
    counted = Counter(status_at_end.values())
    statuses = [{"code": s.value, "label": str(s.label), "count": counted.get(s.value, 0)} for s in Status]
    return {"first": first, "last": last, **by, "total": total, "status": statuses}


def monthly_return_excel(ret: dict, *, scope_label: str = "") -> bytes:
    from django.utils.translation import gettext as _
    from openpyxl import Workbook

    from bankcrm.core.spreadsheets import append_row

    wb = Workbook()
    ws = wb.active
    ws.title = "summary"
    append_row(ws, [_("Monthly complaint return"), f"{ret['first']:%Y-%m}", scope_label])
    append_row(ws, [_("period"), ret["first"].isoformat(), ret["last"].isoformat()])
    t = ret["total"]
    for label, value in (
        (_("complaints received"), t["received"]),
        (_("complaints handled (first response)"), t["handled"]),
        (_("handled within the deadline"), t["on_time"]),
        (_("within-deadline rate"), t["rate"]),
        (_("open at the end of the month"), t["open"]),
    ):
        append_row(ws, [label, value])
    header = [_("code"), _("name"), _("received"), _("handled"), _("within the deadline"),
              _("within-deadline rate"), _("open at month end")]  # fmt: skip
    for title, rows in (("by_category", ret["category"]), ("by_channel", ret["channel"])):
        ws = wb.create_sheet(title)
        append_row(ws, header)
        for r in rows.values():
            append_row(ws, [r["code"], r["label"], r["received"], r["handled"], r["on_time"], r["rate"], r["open"]])
        append_row(ws, [_("total"), "", t["received"], t["handled"], t["on_time"], t["rate"], t["open"]])
    ws = wb.create_sheet("by_status")
    append_row(ws, [_("code"), _("name"), _("complaints received in the month, by status at its end")])
    for r in ret["status"]:
        append_row(ws, [r["code"], r["label"], r["count"]])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
