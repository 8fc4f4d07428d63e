"""Domain events of the work queue as typed functions (after Saleor ``giftcard/events.py``).

Each appends one ListItemEvent; called by services.py only, inside the transaction that changed
the item.
"""

from .models import ListItem, ListItemEvent

SYSTEM_USER_NAME = "system"


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


def list_item_reassigned(item: ListItem, user, *, from_assignee: str) -> ListItemEvent:
    return ListItemEvent.objects.create(
        item=item,
        user_name=_name(user),
        kind=ListItemEvent.Kind.REASSIGNED,
        from_value=from_assignee,
        to_value=item.assignee,
    )
