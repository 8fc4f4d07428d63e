"""Domain events as typed functions (after Saleor ``giftcard/events.py``, like complaints/events.py).

Each function appends one CampaignEvent, SaleEvent or ListItemEvent; the history is never edited. They are
called by services.py only, inside the transaction that changed the state.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from bankcrm.core import webhooks

from .choices import CampaignAction, ListItemStatus, SaleAction
from .models import Campaign, CampaignEvent, ListItem, ListItemEvent, RecordedSale, SaleEvent

SYSTEM_USER_NAME = "system"


def _who(user) -> tuple[object | None, str]:
    if user is not None and getattr(user, "pk", None):
        return user, user.get_username()
    return None, SYSTEM_USER_NAME


def _campaign_event(campaign: Campaign, user, action: str, *, from_status="", data=None, at=None) -> CampaignEvent:
    who, name = _who(user)
    return CampaignEvent.objects.create(
        campaign=campaign,
        time=at or timezone.now(),
        user=who,
        user_name=name,
        action=action,
        from_status=from_status,
        to_status=campaign.status,
        data=data or {},
    )


def campaign_created(campaign: Campaign, user, *, at: dt.datetime | None = None) -> CampaignEvent:
    return _campaign_event(campaign, user, CampaignAction.CREATE, at=at)


def campaign_approved(
    campaign: Campaign, user, *, from_status: str, control_members: int, warnings: list[str], at=None
) -> CampaignEvent:
    data = {"control_members": control_members, "warnings": warnings}
    return _campaign_event(campaign, user, CampaignAction.APPROVE, from_status=from_status, data=data, at=at)


def campaign_started(
    campaign: Campaign, user, *, from_status: str, targets: int, controls: int, excluded: dict[str, int], at=None
) -> CampaignEvent:
    data = {"targets": targets, "controls": controls, "excluded": excluded}
    return _campaign_event(campaign, user, CampaignAction.START, from_status=from_status, data=data, at=at)


def campaign_closed(campaign: Campaign, user, *, from_status: str, at=None) -> CampaignEvent:
    return _campaign_event(campaign, user, CampaignAction.CLOSE, from_status=from_status, at=at)


def _sale_event(sale: RecordedSale, user, action: str, *, from_status="", note="", at=None) -> SaleEvent:
    who, name = _who(user)
    return SaleEvent.objects.create(
        sale=sale,
        time=at or timezone.now(),
        user=who,
        user_name=name,
        action=action,
        from_status=from_status,
        to_status=sale.status,
        note=note,
    )


def sale_recorded(sale: RecordedSale, user, *, at=None) -> SaleEvent:
    return _sale_event(sale, user, SaleAction.RECORD, at=at)


def sale_approved(sale: RecordedSale, user, *, from_status: str, note: str = "", at=None) -> SaleEvent:
    return _sale_event(sale, user, SaleAction.APPROVE, from_status=from_status, note=note, at=at)


def sale_rejected(sale: RecordedSale, user, *, from_status: str, note: str = "", at=None) -> SaleEvent:
    return _sale_event(sale, user, SaleAction.REJECT, from_status=from_status, note=note, at=at)


def sale_cancelled(sale: RecordedSale, user, *, from_status: str, note: str = "", at=None) -> SaleEvent:
    return _sale_event(sale, user, SaleAction.CANCEL, from_status=from_status, note=note, at=at)


def sale_booked(sale: RecordedSale, user, *, from_status: str, at=None) -> SaleEvent:
    return _sale_event(sale, user, SaleAction.BOOK, from_status=from_status, at=at)


def _name(user) -> str:
    return user.get_username() if user is not None and getattr(user, "pk", None) else SYSTEM_USER_NAME


def list_item_status_changed(item: ListItem, user, *, from_status: str, note: str = "") -> ListItemEvent:
    return ListItemEvent.objects.create(
        item=item,
        user_name=_name(user),
        kind=ListItemEvent.Kind.STATUS,
        from_value=from_status,
        to_value=item.status,
        note=note[:200],
    )


def list_items_promise_broken(moves: list[tuple[int, str, str]]) -> list[ListItemEvent]:
    """The broken-promise rule moved these items (pk, from status, note) to promise_broken: one event each."""
    return ListItemEvent.objects.bulk_create(
        [
            ListItemEvent(
                item_id=pk,
                user_name=SYSTEM_USER_NAME,
                kind=ListItemEvent.Kind.STATUS,
                from_value=before,
                to_value=ListItemStatus.PROMISE_BROKEN,
                note=note[:200],
            )
            for pk, before, note in moves
        ],
        batch_size=2000,
    )


def list_item_reassigned(item: ListItem, user, *, from_assignee: str) -> ListItemEvent:
    event = ListItemEvent.objects.create(
        item=item,
        user_name=_name(user),
        kind=ListItemEvent.Kind.REASSIGNED,
        from_value=from_assignee,
        to_value=item.assignee,
    )
    webhooks.publish(webhooks.WebhookEventType.LIST_ITEM_ASSIGNED, _assignment_payload(item, from_assignee))
    return event


def _assignment_payload(item: ListItem, from_assignee: str) -> dict:
    """Which item went from whom to whom (staff numbers or a branch queue), never the customer's details."""
    return {
        "list_item_id": item.pk,
        "list": item.kind,
        "as_of": item.as_of.isoformat(),
        "branch": item.branch_code,
        "status": item.status,
        "from_assignee": from_assignee,
        "assignee": item.assignee,
    }
