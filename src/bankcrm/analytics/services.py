"""Domain operations on lists (名单): the only place a list item's state changes."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import OuterRef, Q, Subquery
from django.utils import timezone

from .choices import ListItemStatus
from .models import ListItem


@transaction.atomic
def set_list_item_status(item: ListItem, status: str, user) -> ListItem:
    if status not in ListItemStatus.values:
        raise ValidationError({"status": f"unknown status {status!r}"})
    locked = ListItem.objects.restrict(user, "view").select_for_update().filter(pk=item.pk).first()
    if locked is None:
        raise PermissionDenied("list item not in your scope")
    if locked.status != status:
        locked.status = status
        locked.status_changed = timezone.now()
        locked.save()
    return locked


@transaction.atomic
def reassign_list_item(item: ListItem, assignee: str, user) -> ListItem:
    """A branch manager hands an item to one of their rms or back to the branch queue."""
    locked = ListItem.objects.restrict(user, "change").select_for_update().filter(pk=item.pk).first()
    if locked is None:
        raise PermissionDenied("list item not in your scope")
    locked.assignee = assignee
    locked.save()
    return locked


def current_lists() -> Q:
    """Items of each list's newest as-of date: a new month's list supersedes the last one.

    A correlated sub-query answered from the unique (kind, as_of, customer) index, so it adds no
    round trip; the newest run date of a list is bank-wide, whatever the user's scope.
    """
    newest = ListItem.objects.filter(kind=OuterRef("kind")).order_by("-as_of").values("as_of")[:1]
    return Q(as_of=Subquery(newest))
