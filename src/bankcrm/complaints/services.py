"""The complaint desk's operations: the ONLY place a complaint changes (after Oscar's ``set_status``).

Every state change goes through ``transition()``: it locks the row, checks the
transition map against the *locked* state, saves, records one event and
starts / meets / stops clocks, all in one transaction. Two handlers acting at
once are serialised by the lock; the second sees the new state and is refused.
"""

import datetime as dt
import logging
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext, gettext_noop

from bankcrm.core.exceptions import TransitionNotAllowed
from bankcrm.core.forms import scoped_choices
from bankcrm.core.querysets import still_in_scope

from . import events, policies
from .choices import (
    CLOCK_LABELS,
    OPEN_CLOCK_STATES,
    Action,
    Category,
    ClockState,
    RootCause,
    Satisfaction,
    Status,
    Tier,
)
from .models import Complaint, Deadline, ReferenceCounter

log = logging.getLogger("bankcrm.complaints")

S, A = Status, Action
# current status -> {action: next status}. Extend and holding_reply keep the status (they move clocks).
TRANSITIONS: dict[str, dict[str, str]] = {
    S.RECEIVED: {
        A.ACKNOWLEDGE: S.ACKNOWLEDGED,
        A.INVESTIGATE: S.INVESTIGATING,
        A.RESPOND: S.RESPONDED,  # resolved at first contact
        A.ESCALATE: S.ESCALATED,
        A.REFER: S.REFERRED,
        A.EXTEND: S.RECEIVED,
        A.HOLDING_REPLY: S.RECEIVED,
    },
    S.ACKNOWLEDGED: {
        A.INVESTIGATE: S.INVESTIGATING,
        A.RESPOND: S.RESPONDED,
        A.ESCALATE: S.ESCALATED,
        A.REFER: S.REFERRED,
        A.EXTEND: S.ACKNOWLEDGED,
        A.HOLDING_REPLY: S.ACKNOWLEDGED,
    },
    S.INVESTIGATING: {
        A.RESPOND: S.RESPONDED,
        A.ESCALATE: S.ESCALATED,
        A.REFER: S.REFERRED,
        A.EXTEND: S.INVESTIGATING,
        A.HOLDING_REPLY: S.INVESTIGATING,
    },
    S.ESCALATED: {
        A.INVESTIGATE: S.INVESTIGATING,
        A.RESPOND: S.RESPONDED,
        A.ESCALATE: S.ESCALATED,
        A.REFER: S.REFERRED,
        A.EXTEND: S.ESCALATED,
        A.HOLDING_REPLY: S.ESCALATED,
    },
    S.RESPONDED: {
        A.CLOSE: S.CLOSED,
        A.REOPEN: S.REOPENED,
        A.ESCALATE: S.ESCALATED,
        A.REFER: S.REFERRED,
    },
    S.REOPENED: {
        A.INVESTIGATE: S.INVESTIGATING,
        A.RESPOND: S.RESPONDED,
        A.ESCALATE: S.ESCALATED,
        A.REFER: S.REFERRED,
    },
    S.REFERRED: {A.CLOSE: S.CLOSED},
    # After closing the customer may still ask for a review or go to the ombudsman / regulator.
    S.CLOSED: {A.REOPEN: S.REOPENED, A.REFER: S.REFERRED},
}

# Handing a complaint to another handler keeps its state; a closed one has nobody to work on it
# (reopen it first). spec/api.md: ``assign`` goes through POST .../transition/ like the others.
for _status, _moves in TRANSITIONS.items():
    if _status != S.CLOSED:
        _moves[A.ASSIGN] = _status

# Who may approve a second extension ("approved by a senior manager", docs/adr/0101).
SENIOR_ROLES = ("admin", "branch_manager", "head_office")
SENIOR_PERMISSION = "complaints.approve_extension"


def allowed_actions(status: str) -> list[str]:
    return list(TRANSITIONS.get(status, {}))


def is_senior(user) -> bool:
    if user is None:
        return False
    if user.is_superuser or user.has_perm(SENIOR_PERMISSION):
        return True
    profile = getattr(user, "profile", None)
    return profile is not None and profile.role in SENIOR_ROLES


# --- registration -----------------------------------------------------------------------------


def next_reference(day: dt.date) -> str:
    """CP-YYYYMMDD-NNNNNN: the day's counter row is locked, so concurrent registrations queue up.

    Must run inside the registration's transaction: a rolled-back registration gives its number back
    (it was never shown to anyone); a committed one never reuses it (unique constraint on reference).
    """
    ReferenceCounter.objects.bulk_create([ReferenceCounter(day=day, last=0)], ignore_conflicts=True)
    counter = ReferenceCounter.objects.select_for_update().get(day=day)
    counter.last += 1
    counter.save(update_fields=["last"])
    return f"CP-{day:%Y%m%d}-{counter.last:06d}"


def age_on(birth_date: dt.date, day: dt.date) -> int:
    return day.year - birth_date.year - ((day.month, day.day) < (birth_date.month, birth_date.day))


VULNERABLE_AGE = 65

# docs/complaints.md "Time of receipt". Servers and tablets drift by seconds to a few minutes; more
# than that ahead of our clock is a typo or a wrong clock, and would start the clocks late.
RECEIPT_CLOCK_SKEW = dt.timedelta(minutes=5)
# A letter opened days later or a complaint typed in after an outage is still taken (the customer
# complained then, the clocks run from then), but a regulator asks why: the gap is recorded.
REGISTERED_LATE_AFTER = dt.timedelta(days=1)


def receipt_time_error(received_at: dt.datetime, now: dt.datetime) -> str | None:
    """The message for a receipt time we refuse (one rule for the form, the API and the service)."""
    if received_at > now + RECEIPT_CLOCK_SKEW:
        return gettext(
            "received_at %(received)s is more than 5 minutes ahead of the server clock (%(now)s): "
            "a complaint cannot be received in the future"
        ) % {"received": received_at.isoformat(timespec="minutes"), "now": now.isoformat(timespec="minutes")}
    return None


@transaction.atomic
def register_complaint(
    *,
    user,
    branch,
    channel: str,
    category: str,
    description: str,
    policy: str = "cn",
    payment_service: bool = False,
    received_at: dt.datetime | None = None,
    customer=None,
    product=None,
    staff_involved=None,
    amount_in_dispute: Decimal | None = None,
    severity: str = "low",
    vulnerable: bool = False,
    now: dt.datetime | None = None,
) -> Complaint:
    """Register a complaint: a reference number at once, clocks started at the moment of receipt."""
    now = now or timezone.now()
    received_at = received_at or now
    errors = {}
    if timezone.is_naive(received_at):
        errors["received_at"] = "give the time with its UTC offset, e.g. 2026-09-23T10:30:00+08:00"
    elif message := receipt_time_error(received_at, now):
        errors["received_at"] = message
    if policy not in policies.POLICIES:
        errors["policy"] = f"unknown policy {policy!r}; one of: {', '.join(policies.POLICIES)}"
    if not (description or "").strip():
        errors["description"] = "describe the complaint"
    if errors:
        raise ValidationError(errors)
    receipt = policies.local_date(policy, received_at)
    if customer is not None and customer.birth_date is not None:
        vulnerable = age_on(customer.birth_date, receipt) >= VULNERABLE_AGE
    can_handle = user is not None and user.has_perm("complaints.change_complaint")
    complaint = Complaint.objects.create(
        reference=next_reference(timezone.localdate(now)),
        policy=policy,
        payment_service=bool(payment_service),
        received_at=received_at,
        customer=customer,
        branch=branch,
        channel=channel,
        category=category,
        product=product,
        staff_involved=staff_involved,
        amount_in_dispute=amount_in_dispute,
        severity=severity,
        vulnerable=vulnerable,
        description=description,
        assignee=user if can_handle else None,
    )
    events.complaint_registered(complaint, user, at=now)
    if now - received_at > REGISTERED_LATE_AFTER:
        events.complaint_registered_late(complaint, user, registered_at=now, at=now)
    _start_clocks(complaint, "register", started_at=received_at, start_day=receipt)
    return complaint


def assignable_handlers(complaint: Complaint, user):
    """The complaint handlers ``user`` may hand ``complaint`` to (the page's choices, the API's check).

    spec/api.md: the assignee is a complaint handler. Offered are the logins the acting user may see
    (``core.forms.scoped_choices``) whose own scope covers the complaint, so nobody is handed a
    complaint they would get a 404 for.
    """
    from bankcrm.org.choices import UserRole
    from bankcrm.org.models import UserProfile

    profiles = (
        scoped_choices(UserProfile, user)
        .filter(role=UserRole.COMPLAINT_HANDLER, user__is_active=True)
        .select_related("user")
        .order_by("user__username")
    )
    return [p.user for p in profiles if still_in_scope(complaint, p.user, "change")]


def assign(complaint: Complaint, *, user, assignee, note: str = "", now: dt.datetime | None = None) -> Complaint:
    """Hand the complaint to another handler (``assignee``: a user or a username), through ``transition``."""
    return transition(complaint, A.ASSIGN, user=user, assignee=assignee, note=note, now=now)


CHANGEABLE_DETAILS = ("category", "amount_in_dispute", "customer")


@transaction.atomic
def change_details(
    complaint: Complaint,
    *,
    user,
    category: str | None = None,
    amount_in_dispute: Decimal | None = None,
    customer=None,
    clear_amount: bool = False,
    clear_customer: bool = False,
    now: dt.datetime | None = None,
) -> Complaint:
    """Correct what was registered (category, amount in dispute, customer); refused once closed.

    The save is change-logged (before/after) and the timeline gets one ``edit`` event naming the
    fields and their old and new values, so the history still shows what was registered first.
    The clocks are not touched: they run from the receipt, whatever was corrected.
    """
    now = now or timezone.now()
    locked = Complaint.objects.select_for_update().get(pk=complaint.pk)
    if locked.status == Status.CLOSED:
        raise TransitionNotAllowed(
            gettext("%(ref)s is closed: its details can no longer be changed (reopen it first)")
            % {"ref": locked.reference},
            codes={"status": locked.status},
        )
    errors = {}
    if category is not None and category not in Category.values:
        errors["category"] = gettext("unknown category %(value)s") % {"value": category}
    if amount_in_dispute is not None and amount_in_dispute < 0:
        errors["amount_in_dispute"] = gettext("the amount in dispute cannot be negative")
    if errors:
        raise ValidationError(errors)
    wanted = {}
    if category is not None:
        wanted["category"] = category
    if amount_in_dispute is not None or clear_amount:
        wanted["amount_in_dispute"] = None if clear_amount else amount_in_dispute
    if customer is not None or clear_customer:
        wanted["customer"] = None if clear_customer else customer
    changes = {}
    for field, value in wanted.items():
        old = getattr(locked, field)
        if old != value:
            changes[field] = {"from": _plain(old), "to": _plain(value)}
            setattr(locked, field, value)
    if not changes:
        return locked
    if "customer" in changes and locked.customer is not None and locked.customer.birth_date is not None:
        receipt = policies.local_date(locked.policy, locked.received_at)
        locked.vulnerable = age_on(locked.customer.birth_date, receipt) >= VULNERABLE_AGE
    locked.save()
    events.complaint_details_changed(locked, user, changes=changes, at=now)
    return locked


def _plain(value) -> str | None:
    if value is None:
        return None
    return str(getattr(value, "pk", value))


# --- the one transition method ------------------------------------------------------------------


def _labels(choices, codes) -> str:
    """The labels of ``codes`` in the user's language, joined as the language lists things."""
    return gettext(", ").join(str(choices(code).label) for code in codes)


@dataclass
class _Step:
    complaint: Complaint
    user: object
    action: str
    from_status: str
    now: dt.datetime
    note: str


@transaction.atomic
def transition(
    complaint: Complaint,
    action: str,
    *,
    user,
    note: str = "",
    reason: str = "",
    root_cause: str = "",
    satisfaction: str = "",
    remedy: str = "",
    compensation: Decimal | None = None,
    assignee=None,
    now: dt.datetime | None = None,
) -> Complaint:
    """Apply ``action`` to ``complaint``; returns the updated (locked, saved) complaint.

    Raises TransitionNotAllowed (API 409) when the action is not allowed now,
    ValidationError (API 400) when the action lacks what it needs, PermissionDenied
    (API 403) for a second extension without a senior role.
    """
    now = now or timezone.now()
    locked = Complaint.objects.select_for_update().get(pk=complaint.pk)
    current = locked.status
    if action not in Action.values or action not in _HANDLERS:
        raise ValidationError(
            {"action": gettext("Unknown action “%(action)s”; choose one of: %(choices)s.")
             % {"action": action, "choices": _labels(Action, _HANDLERS)}}
        )  # fmt: skip
    moves = TRANSITIONS.get(current, {})
    if action not in moves:
        raise TransitionNotAllowed(
            gettext("%(reference)s is %(status)s: “%(action)s” is not allowed now (allowed: %(allowed)s).")
            % {
                "reference": locked.reference,
                "status": Status(current).label,
                "action": Action(action).label,
                "allowed": _labels(Action, moves) or gettext("none"),
            },
            codes={"status": current, "allowed": list(moves)},
        )
    errors = {}
    if action in (A.ESCALATE, A.EXTEND) and not (reason or "").strip():
        errors["reason"] = gettext("A reason is needed to %(action)s.") % {"action": Action(action).label}
    root_cause = (root_cause or "").strip()
    # spec/api.md: the root cause comes at respond or close; close needs one unless respond gave it.
    if action == A.CLOSE and not root_cause and not locked.root_cause:
        # The choices by their labels: a handler picks from the list, never types a code (issue 14).
        errors["root_cause"] = gettext("Choose a root cause before closing: %(choices)s.") % {
            "choices": _labels(RootCause, RootCause.values)
        }
    if satisfaction and satisfaction not in Satisfaction.values:
        errors["satisfaction"] = gettext("Satisfaction is one of: %(choices)s, or no answer.") % {
            "choices": _labels(Satisfaction, Satisfaction.values)
        }
    if compensation is not None and compensation < 0:
        errors["compensation"] = gettext("Compensation cannot be negative.")
    if errors:
        raise ValidationError(errors)
    step = _Step(locked, user, action, current, now, note or "")
    locked.status = moves[action]
    _HANDLERS[action](
        step, reason=reason, root_cause=root_cause, satisfaction=satisfaction, remedy=remedy,
        compensation=compensation, assignee=assignee,
    )  # fmt: skip
    locked.save()
    _meet_clocks(locked, action, now)
    return locked


def _on_acknowledge(step: _Step, **_):
    events.complaint_acknowledged(step.complaint, step.user, from_status=step.from_status, note=step.note, at=step.now)


def _on_investigate(step: _Step, **_):
    events.complaint_investigated(step.complaint, step.user, from_status=step.from_status, note=step.note, at=step.now)


def _on_respond(step: _Step, *, remedy, compensation, root_cause="", **_):
    c = step.complaint
    first = c.responded_at is None
    if first:
        c.responded_at = step.now
        receipt = policies.local_date(c.policy, c.received_at)
        in_window = policies.local_date(c.policy, step.now) <= policies.summary_resolution_due(c.policy, receipt)
        c.summary_resolution = in_window and c.tier == Tier.FRONT and c.escalations == 0
    if root_cause:
        c.root_cause = root_cause
    if remedy:
        c.remedy = remedy
    if compensation is not None:
        c.compensation = compensation
    events.complaint_responded(
        c,
        step.user,
        from_status=step.from_status,
        note=step.note,
        remedy=remedy,
        compensation=compensation,
        root_cause=root_cause,
        at=step.now,
    )
    _start_clocks(c, "respond", started_at=step.now, start_day=policies.local_date(c.policy, step.now))


def _on_close(step: _Step, *, root_cause, satisfaction, remedy, compensation, **_):
    c = step.complaint
    c.closed_at = step.now
    c.root_cause = root_cause or c.root_cause  # the one respond gave, unless close names another
    c.satisfaction = satisfaction or ""
    if remedy:
        c.remedy = remedy
    if compensation is not None:
        c.compensation = compensation
    events.complaint_closed(
        c, step.user, from_status=step.from_status, note=step.note, root_cause=c.root_cause,
        satisfaction=c.satisfaction, at=step.now,
    )  # fmt: skip


def _on_escalate(step: _Step, *, reason, **_):
    c = step.complaint
    if c.tier >= Tier.SENIOR:
        raise TransitionNotAllowed(
            gettext(
                "%(reference)s is already at tier %(tier)s, the highest; refer it to the ombudsman / regulator instead."
            )
            % {"reference": c.reference, "tier": c.tier}
        )
    from_tier = c.tier
    c.tier += 1
    c.escalations += 1
    events.complaint_escalated(
        c, step.user, reason=reason, from_status=step.from_status, from_tier=from_tier, note=step.note, at=step.now
    )


def _on_reopen(step: _Step, **_):
    c = step.complaint
    c.reopens += 1
    c.closed_at = None
    events.complaint_reopened(c, step.user, from_status=step.from_status, note=step.note, at=step.now)


def _on_refer(step: _Step, **_):
    c = step.complaint
    events.complaint_referred(c, step.user, from_status=step.from_status, note=step.note, at=step.now)
    # The ombudsman / regulator now holds it: the bank's own clocks stop (a breach stays a breach).
    for deadline in c.deadlines.filter(binding=True, state__in=OPEN_CLOCK_STATES):
        if deadline.live_state(step.now) == ClockState.BREACHED:
            _breach(deadline, step.now)
        else:
            deadline.state, deadline.stopped_at = ClockState.STOPPED, step.now
            deadline.save(update_fields=["state", "stopped_at"])


def _on_extend(step: _Step, *, reason, **_):
    c = step.complaint
    rules = policies.POLICIES[c.policy]
    if c.extensions >= rules.max_extensions:
        raise TransitionNotAllowed(
            gettext("%(reference)s: policy %(policy)s allows %(allowed)s extension(s); %(used)s already used.")
            % {"reference": c.reference, "policy": c.policy, "allowed": rules.max_extensions, "used": c.extensions}
        )
    _refuse_if_breached(c, step.now, A.EXTEND)
    approved_by = ""
    if c.extensions == 1:
        if not is_senior(step.user):
            raise PermissionDenied(gettext("A second extension needs approval by a senior manager."))
        approved_by = step.user.get_username()
    c.extensions += 1
    events.complaint_extended(
        c, step.user, reason=reason, from_status=step.from_status, approved_by=approved_by, note=step.note, at=step.now
    )
    _start_clocks(c, f"extend_{c.extensions}", started_at=step.now, start_day=policies.local_date(c.policy, step.now))


def _on_holding_reply(step: _Step, **_):
    c = step.complaint
    if not (policies.POLICIES[c.policy].holding_reply and c.payment_service):
        raise TransitionNotAllowed(
            gettext("%(reference)s: a holding reply applies to uk payment-services complaints only.")
            % {"reference": c.reference}
        )
    if c.holding_reply_at is not None:
        raise TransitionNotAllowed(
            gettext("%(reference)s: a holding reply was already sent.") % {"reference": c.reference}
        )
    if c.responded_at is not None:
        raise TransitionNotAllowed(
            gettext("%(reference)s: the final response was already sent.") % {"reference": c.reference}
        )
    _refuse_if_breached(c, step.now, A.HOLDING_REPLY)
    c.holding_reply_at = step.now
    events.complaint_holding_reply_sent(c, step.user, from_status=step.from_status, note=step.note, at=step.now)
    _start_clocks(c, "holding_reply", started_at=step.now, start_day=policies.local_date(c.policy, step.now))


def _on_assign(step: _Step, *, assignee, **_):
    c = step.complaint
    name = assignee.get_username() if hasattr(assignee, "get_username") else (assignee or "").strip()
    if not name:
        raise ValidationError({"assignee": gettext("name the complaint handler to assign it to (a username)")})
    chosen = next((u for u in assignable_handlers(c, step.user) if u.get_username() == name), None)
    if chosen is None:
        raise ValidationError(
            {
                "assignee": gettext(
                    "%(name)s is not a complaint handler who may handle %(ref)s (unknown login, another role, "
                    "or the complaint is outside their branch)"
                )
                % {"name": name, "ref": c.reference}
            }
        )
    previous = c.assignee
    c.assignee = chosen
    events.complaint_assigned(c, step.user, assignee=chosen, previous=previous, note=step.note, at=step.now)


_HANDLERS = {
    A.ASSIGN: _on_assign,
    A.ACKNOWLEDGE: _on_acknowledge,
    A.INVESTIGATE: _on_investigate,
    A.RESPOND: _on_respond,
    A.CLOSE: _on_close,
    A.ESCALATE: _on_escalate,
    A.REOPEN: _on_reopen,
    A.REFER: _on_refer,
    A.EXTEND: _on_extend,
    A.HOLDING_REPLY: _on_holding_reply,
}


def _refuse_if_breached(c: Complaint, now: dt.datetime, action: str) -> None:
    # Moving a deadline that has already passed would hide a breach.
    for deadline in c.deadlines.filter(binding=True, state__in=(*OPEN_CLOCK_STATES, ClockState.BREACHED)):
        if deadline.live_state(now) == ClockState.BREACHED:
            raise TransitionNotAllowed(
                gettext("%(reference)s: the deadline “%(clock)s” (%(due)s) has passed; “%(action)s” is not possible.")
                % {
                    "reference": c.reference,
                    "clock": CLOCK_LABELS.get(deadline.clock, deadline.clock),
                    "due": deadline.due_date,
                    "action": Action(action).label,
                }
            )


# Public, typed wrappers: one function per state change, all through transition().
def acknowledge(complaint: Complaint, user, *, note: str = "", now=None) -> Complaint:
    return transition(complaint, A.ACKNOWLEDGE, user=user, note=note, now=now)


def investigate(complaint: Complaint, user, *, note: str = "", now=None) -> Complaint:
    return transition(complaint, A.INVESTIGATE, user=user, note=note, now=now)


def respond(complaint: Complaint, user, *, note: str = "", remedy: str = "", compensation=None, now=None) -> Complaint:
    return transition(complaint, A.RESPOND, user=user, note=note, remedy=remedy, compensation=compensation, now=now)


def close(
    complaint: Complaint, user, *, root_cause: str, satisfaction: str = "", note: str = "", remedy: str = "",
    compensation=None, now=None,
) -> Complaint:  # fmt: skip
    return transition(
        complaint, A.CLOSE, user=user, note=note, root_cause=root_cause, satisfaction=satisfaction, remedy=remedy,
        compensation=compensation, now=now,
    )  # fmt: skip


def escalate(complaint: Complaint, user, *, reason: str, note: str = "", now=None) -> Complaint:
    return transition(complaint, A.ESCALATE, user=user, reason=reason, note=note, now=now)


def reopen(complaint: Complaint, user, *, note: str = "", now=None) -> Complaint:
    return transition(complaint, A.REOPEN, user=user, note=note, now=now)


def refer(complaint: Complaint, user, *, note: str = "", now=None) -> Complaint:
    return transition(complaint, A.REFER, user=user, note=note, now=now)


def extend(complaint: Complaint, user, *, reason: str, note: str = "", now=None) -> Complaint:
    return transition(complaint, A.EXTEND, user=user, reason=reason, note=note, now=now)


def holding_reply(complaint: Complaint, user, *, note: str = "", now=None) -> Complaint:
    return transition(complaint, A.HOLDING_REPLY, user=user, note=note, now=now)


# --- clocks ---------------------------------------------------------------------------------------


def _start_clocks(c: Complaint, trigger: str, *, started_at: dt.datetime, start_day: dt.date) -> list[Deadline]:
    receipt = policies.local_date(c.policy, c.received_at)
    started = []
    for clock in policies.clocks_started_by(c.policy, trigger, payment_service=c.payment_service):
        if c.deadlines.filter(clock=clock.name).exists():
            continue  # a clock runs once (e.g. a second response after a review does not restart the window)
        if clock.replaces:
            c.deadlines.filter(clock=clock.replaces, state__in=OPEN_CLOCK_STATES).update(
                state=ClockState.STOPPED, stopped_at=started_at
            )
        due = policies.due_date(c.policy, clock, receipt=receipt, start=start_day)
        started.append(
            Deadline.objects.create(
                complaint=c,
                clock=clock.name,
                binding=clock.binding,
                started_at=started_at,
                due_date=due,
                due_at=policies.end_of_day(c.policy, due),
            )
        )
    return started


def _clock_rule(c: Complaint, name: str) -> policies.Clock | None:
    for clock in policies.POLICIES[c.policy].clocks:
        if clock.name == name and policies.applies(clock, c.payment_service):
            return clock
    return None


def _meet_clocks(c: Complaint, action: str, now: dt.datetime) -> None:
    for deadline in c.deadlines.filter(state__in=(*OPEN_CLOCK_STATES, ClockState.BREACHED), met_at__isnull=True):
        rule = _clock_rule(c, deadline.clock)
        if rule is None or action not in rule.met_by:
            continue
        live = deadline.live_state(now)
        if live == ClockState.BREACHED:
            if deadline.state != ClockState.BREACHED:
                _breach(deadline, now)
            deadline.met_at = now  # met late: stays a breach, with the date it was finally met
            deadline.save(update_fields=["met_at"])
        elif live == ClockState.STOPPED:
            continue  # the customer's window had already closed
        else:
            deadline.state, deadline.met_at = ClockState.MET, now
            deadline.save(update_fields=["state", "met_at"])


def _breach(deadline: Deadline, now: dt.datetime) -> bool:
    """Mark a clock breached once (the conditional update makes concurrent sweeps record one event)."""
    changed = Deadline.objects.filter(pk=deadline.pk, state__in=OPEN_CLOCK_STATES).update(state=ClockState.BREACHED)
    if changed:
        deadline.state = ClockState.BREACHED
        events.deadline_breached(deadline, at=now)
        assignee = deadline.complaint.assignee
        # One line per clock at info: the event is recorded and the desk shows it; the sweep's
        # summary (SweepResult) is the operator's line. As warnings, a demo's seeded backlog read
        # like a screen of errors (issue 14).
        log.info(
            "complaint %s: %s deadline %s breached; assignee %s",
            deadline.complaint.reference,
            deadline.clock,
            deadline.due_date,
            assignee.get_username() if assignee else "(none)",
        )
    return bool(changed)


def warn_days() -> int:
    return int(getattr(settings, "BANKCRM_COMPLAINTS", {}).get("warn_days_before", 3))


@dataclass
class SweepResult:
    due_soon: int = 0
    breached: int = 0
    windows_closed: int = 0
    open_breaches: int = 0
    notifications: int = 0

    def summary(self) -> str:
        return (
            f"{self.due_soon} deadline(s) newly due soon, {self.breached} newly breached, "
            f"{self.windows_closed} customer window(s) closed; {self.open_breaches} breached deadline(s) "
            f"on complaints not yet closed; {self.notifications} notification(s) sent"
        )


def sweep(now: dt.datetime | None = None, *, warn_days_before: int | None = None, progress=None) -> SweepResult:
    """Mark clocks due-soon and breached; one event per change of a clock; safe to run any time, often."""
    now = now or timezone.now()
    warn = warn_days() if warn_days_before is None else warn_days_before
    result = SweepResult()
    horizon = now + dt.timedelta(days=warn + 1)
    candidates = (
        Deadline.objects.filter(state__in=OPEN_CLOCK_STATES, due_at__lte=horizon)
        .select_related("complaint__assignee")
        .order_by("due_at", "pk")
    )
    rows = candidates.iterator()
    if progress is not None:  # e.g. a tqdm factory when run in a terminal
        rows = progress(rows, total=candidates.count())
    for deadline in rows:
        with transaction.atomic():
            if now > deadline.due_at:
                if deadline.binding:
                    result.breached += _breach(deadline, now)
                else:
                    result.windows_closed += Deadline.objects.filter(
                        pk=deadline.pk, state__in=OPEN_CLOCK_STATES
                    ).update(state=ClockState.STOPPED, stopped_at=deadline.due_at)
                continue
            today = policies.local_date(deadline.complaint.policy, now)
            if not deadline.binding or deadline.state != ClockState.PENDING:
                continue
            if today >= deadline.due_date - dt.timedelta(days=warn):
                changed = Deadline.objects.filter(pk=deadline.pk, state=ClockState.PENDING).update(
                    state=ClockState.DUE_SOON
                )
                if changed:
                    events.deadline_due_soon(deadline, at=now)
                    assignee = deadline.complaint.assignee
                    log.info(
                        "complaint %s: %s deadline %s due soon; assignee %s",
                        deadline.complaint.reference,
                        deadline.clock,
                        deadline.due_date,
                        assignee.get_username() if assignee else "(none)",
                    )
                    result.due_soon += 1
    result.open_breaches = (
        Deadline.objects.filter(state=ClockState.BREACHED).exclude(complaint__status=Status.CLOSED).count()
    )
    result.notifications = notify_deadlines(now)
    return result


# --- in-app notifications before a deadline (issue 14) -------------------------------------------

NOTIFY_DUE = gettext_noop("%(reference)s: %(clock)s deadline on %(due)s, %(left)s working day(s) left")
NOTIFY_DUE_TODAY = gettext_noop("%(reference)s: %(clock)s deadline is today (%(due)s)")
NOTIFY_BREACHED = gettext_noop("%(reference)s: %(clock)s deadline (%(due)s) has passed without the required step")


def notify_working_days() -> list[int]:
    """The stages, in working days before a deadline, at which its handler is notified (largest first)."""
    stages = getattr(settings, "BANKCRM_COMPLAINTS", {}).get("notify_working_days_before", "3,1")
    items = str(stages).split(",") if isinstance(stages, str | int) else stages  # "3,1" in bankcrm.toml
    return sorted({int(n) for n in items if str(n).strip() and int(n) >= 0}, reverse=True)


def working_days_left(policy: str, today: dt.date, due: dt.date) -> int:
    """Working days after today up to and including the due date (0 on the due date itself)."""
    left, day = 0, today
    while day < due:
        day += dt.timedelta(days=1)
        left += policies.is_working_day(policy, day)
    return left


def deadline_stage(policy: str, due: dt.date, due_at: dt.datetime, now: dt.datetime) -> tuple[str, int] | None:
    """(stage code, working days left) a deadline is at now, or None while it is further away.

    When a run was missed, only the tightest stage that applies is sent: a handler one day before the
    deadline is not also told it is three days away.
    """
    if now > due_at:
        return "breached", 0
    left = working_days_left(policy, policies.local_date(policy, now), due)
    if left == 0:
        return "0wd", 0  # due today: always worth a last word, whatever the configured stages
    applicable = [n for n in notify_working_days() if left <= n]
    if not applicable:
        return None
    return f"{min(applicable)}wd", left


def notify_deadlines(now: dt.datetime) -> int:
    """One notification per complaint, deadline and stage for whoever works on it (idempotent).

    The assignee is notified; a complaint nobody is assigned to goes to every complaint handler
    whose scope covers it, so an unassigned complaint does not run out of time unseen.
    """
    from django.urls import reverse

    from bankcrm.core.notifications import notify
    from bankcrm.org.choices import UserRole
    from bankcrm.org.models import UserProfile

    from .choices import CLOCK_MSGIDS

    stages = notify_working_days()
    # Working days can be spread over a long holiday (春节: 8 calendar days off): look far enough ahead.
    horizon = now + dt.timedelta(days=2 * (stages[0] if stages else 0) + 10)
    deadlines = (
        Deadline.objects.filter(binding=True, met_at__isnull=True, due_at__lte=horizon)
        .filter(state__in=(*OPEN_CLOCK_STATES, ClockState.BREACHED))
        .exclude(complaint__status__in=(Status.CLOSED, Status.REFERRED))
        .select_related("complaint__assignee")
        .order_by("due_at", "pk")
    )
    handlers = None
    sent = 0
    for deadline in deadlines:
        complaint = deadline.complaint
        stage = deadline_stage(complaint.policy, deadline.due_date, deadline.due_at, now)
        if stage is None:
            continue
        code, left = stage
        if complaint.assignee is not None:
            recipients = [complaint.assignee]
        else:
            if handlers is None:
                handlers = [
                    p.user
                    for p in UserProfile.objects.filter(role=UserRole.COMPLAINT_HANDLER, user__is_active=True)
                    .select_related("user")
                    .order_by("user__username")
                ]
            recipients = [u for u in handlers if still_in_scope(complaint, u, "change")]
        message = NOTIFY_BREACHED if code == "breached" else NOTIFY_DUE if left else NOTIFY_DUE_TODAY
        params = {
            "reference": complaint.reference,
            # the label's msgid, translated when shown (core.notifications.render)
            "clock": CLOCK_MSGIDS.get(deadline.clock, deadline.clock),
            "due": deadline.due_date.isoformat(),
            "left": left,
        }
        link = reverse("complaints:detail", kwargs={"reference": complaint.reference})
        for recipient in recipients:
            sent += notify(
                recipient,
                key=f"complaint:{complaint.reference}:{deadline.clock}:{code}",
                message=message,
                params=params,
                link=link,
                now=now,
            )
    return sent
