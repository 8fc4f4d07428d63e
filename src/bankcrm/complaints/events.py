"""Domain events as typed functions (after Saleor ``giftcard/events.py``).

Each function appends one ComplaintEvent; the history is never edited. They
are called by services.py only, inside the transaction that changed the state.
"""

import datetime as dt
from decimal import Decimal

from django.utils import timezone

from bankcrm.core import webhooks

from .choices import TRANSITION_ACTIONS, Action
from .models import Complaint, ComplaintEvent, Deadline

SYSTEM_USER_NAME = "system"


def _who(user) -> tuple[object | None, str]:
    if user is not None and getattr(user, "pk", None):
        return user, user.get_username()
    return None, SYSTEM_USER_NAME


def _event(
    complaint: Complaint,
    user,
    action: str,
    *,
    from_status: str = "",
    note: str = "",
    data: dict | None = None,
    at: dt.datetime | None = None,
) -> ComplaintEvent:
    who, name = _who(user)
    event = ComplaintEvent.objects.create(
        complaint=complaint,
        time=at or timezone.now(),
        user=who,
        user_name=name,
        action=action,
        from_status=from_status,
        to_status=complaint.status,
        note=note,
        data=data or {},
    )
    _announce(event)
    return event


def _announce(event: ComplaintEvent) -> None:
    """Queue the webhook of this event, if it is one integrators can subscribe to (core/webhooks.py).

    Registered, breached, and every action of the transition API (spec/api.md); assignments and
    due-soon marks are not announced. The payload has the reference and statuses, never the customer or the texts.
    """
    if event.action == Action.REGISTER:
        event_type = webhooks.WebhookEventType.COMPLAINT_REGISTERED
    elif event.action == Action.BREACH:
        event_type = webhooks.WebhookEventType.COMPLAINT_BREACHED
    elif event.action in TRANSITION_ACTIONS:
        event_type = webhooks.WebhookEventType.COMPLAINT_TRANSITIONED
    else:
        return
    complaint = event.complaint
    data = {
        "complaint_id": complaint.pk,
        "reference": complaint.reference,
        "policy": complaint.policy,
        "tier": complaint.tier,
        "action": event.action,
        "from_status": event.from_status,
        "status": event.to_status,
    }
    if event.action == Action.BREACH:
        data |= {"clock": event.data["clock"], "due": event.data["due"]}
    webhooks.publish(event_type, data, at=event.time)


def _money(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


def complaint_registered(complaint: Complaint, user, *, at: dt.datetime | None = None) -> ComplaintEvent:
    return _event(complaint, user, Action.REGISTER, data={"received_at": complaint.received_at.isoformat()}, at=at)


def complaint_registered_late(
    complaint: Complaint, user, *, registered_at: dt.datetime, at: dt.datetime | None = None
) -> ComplaintEvent:
    """The receipt was long before the registration: the clocks run from the receipt, the gap is on record."""
    delay = registered_at - complaint.received_at
    data = {
        "received_at": complaint.received_at.isoformat(),
        "registered_at": registered_at.isoformat(),
        "delay_hours": int(delay.total_seconds() // 3600),
    }
    return _event(complaint, user, Action.REGISTERED_LATE, data=data, at=at)


def complaint_acknowledged(complaint, user, *, from_status, note="", at=None) -> ComplaintEvent:
    return _event(complaint, user, Action.ACKNOWLEDGE, from_status=from_status, note=note, at=at)


def complaint_investigated(complaint, user, *, from_status, note="", at=None) -> ComplaintEvent:
    return _event(complaint, user, Action.INVESTIGATE, from_status=from_status, note=note, at=at)


def complaint_responded(
    complaint, user, *, from_status, note="", remedy="", compensation=None, root_cause="", at=None
) -> ComplaintEvent:
    data = {"summary_resolution": complaint.summary_resolution}
    if root_cause:
        data["root_cause"] = root_cause
    if remedy:
        data["remedy"] = remedy
    if compensation is not None:
        data["compensation"] = _money(compensation)
    return _event(complaint, user, Action.RESPOND, from_status=from_status, note=note, data=data, at=at)


def complaint_closed(complaint, user, *, from_status, note="", root_cause, satisfaction="", at=None) -> ComplaintEvent:
    data = {
        "root_cause": root_cause,
        "satisfaction": satisfaction,
        "compensation": _money(complaint.compensation),
    }
    return _event(complaint, user, Action.CLOSE, from_status=from_status, note=note, data=data, at=at)


def complaint_escalated(
    complaint: Complaint, user, *, reason: str, from_status: str, from_tier: int, note: str = "", at=None
) -> ComplaintEvent:
    data = {"reason": reason, "from_tier": from_tier, "to_tier": complaint.tier}
    return _event(complaint, user, Action.ESCALATE, from_status=from_status, note=note, data=data, at=at)


def complaint_reopened(complaint, user, *, from_status, note="", at=None) -> ComplaintEvent:
    return _event(complaint, user, Action.REOPEN, from_status=from_status, note=note, at=at)


def complaint_referred(complaint, user, *, from_status, note="", at=None) -> ComplaintEvent:
    return _event(complaint, user, Action.REFER, from_status=from_status, note=note, at=at)


def complaint_extended(
    complaint, user, *, reason: str, from_status: str, approved_by: str = "", note="", at=None
) -> ComplaintEvent:
    data = {"reason": reason, "extension": complaint.extensions}
    if approved_by:
        data["approved_by"] = approved_by
    return _event(complaint, user, Action.EXTEND, from_status=from_status, note=note, data=data, at=at)


def complaint_holding_reply_sent(complaint, user, *, from_status, note="", at=None) -> ComplaintEvent:
    return _event(complaint, user, Action.HOLDING_REPLY, from_status=from_status, note=note, at=at)


def complaint_assigned(complaint, user, *, assignee, previous=None, note="", at=None) -> ComplaintEvent:
    data = {
        "assignee": assignee.get_username() if assignee is not None else "",
        "previous": previous.get_username() if previous is not None else "",
    }
    return _event(complaint, user, Action.ASSIGN, from_status=complaint.status, note=note, data=data, at=at)


def complaint_details_changed(complaint, user, *, changes: dict, at=None) -> ComplaintEvent:
    """``changes``: field -> {"from": old, "to": new} (codes, amounts as text, customer numbers)."""
    return _event(complaint, user, Action.EDIT, from_status=complaint.status, data={"changes": changes}, at=at)


def complaint_attachment_added(complaint, user, *, attachment, at=None) -> ComplaintEvent:
    data = {"attachment": attachment.pk, "name": attachment.original_name, "kind": attachment.kind,
            "size": attachment.size, "scan": attachment.scan}  # fmt: skip
    return _event(complaint, user, Action.ATTACH, from_status=complaint.status, data=data, at=at)


def deadline_due_soon(deadline: Deadline, *, at=None) -> ComplaintEvent:
    complaint = deadline.complaint
    data = {"clock": deadline.clock, "due": deadline.due_date.isoformat()}
    return _event(complaint, None, Action.DUE_SOON, from_status=complaint.status, data=data, at=at)


def deadline_breached(deadline: Deadline, *, at=None) -> ComplaintEvent:
    complaint = deadline.complaint
    data = {"clock": deadline.clock, "due": deadline.due_date.isoformat()}
    return _event(complaint, None, Action.BREACH, from_status=complaint.status, data=data, at=at)
