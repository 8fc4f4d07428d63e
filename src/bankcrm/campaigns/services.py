"""Domain operations of the work queue (名单制管理): the only place a list item or a contact changes.

Like ``complaints/services.py`` ``transition``: lock the row, check the move against the locked row's
state (``STATUS_MOVES``), save, write one typed event (events.py).
"""

import datetime as dt
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import OuterRef, Q, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _

from bankcrm.core.bulk import insert_many, update_many
from bankcrm.customers.models import Customer
from bankcrm.org.models import Staff

from . import events
from .choices import ListItemStatus
from .models import ContactLog, ListItem

S = ListItemStatus
# Where an item may go from each status. Converted and declined are outcomes, but a contact can
# reopen them (the sale fell through, the customer called back); pending is only ever the start.
STATUS_MOVES: dict[str, frozenset[str]] = {
    S.PENDING: frozenset({S.CONTACTED, S.CONVERTED, S.DECLINED}),
    S.CONTACTED: frozenset({S.CONTACTED, S.CONVERTED, S.DECLINED}),
    S.CONVERTED: frozenset({S.CONVERTED, S.CONTACTED}),
    S.DECLINED: frozenset({S.DECLINED, S.CONTACTED}),
}


class StatusNotAllowed(ValidationError):
    """A status move the map does not allow from the item's current status."""


@transaction.atomic
def set_list_item_status(item: ListItem, status: str, user, *, note: str = "") -> ListItem:
    if status not in S.values:
        raise ValidationError({"status": _("unknown status %(status)r") % {"status": status}})
    locked = ListItem.objects.restrict(user, "view").select_for_update().filter(pk=item.pk).first()
    if locked is None:
        raise PermissionDenied(_("This list item is not in your scope."))
    before = locked.status
    if status not in STATUS_MOVES[before]:
        raise StatusNotAllowed(
            _("An item that is %(now)s cannot become %(then)s.") % {"now": S(before).label, "then": S(status).label}
        )
    if before != status:
        locked.status = status
        locked.status_changed = timezone.now()
        locked.save()
        events.list_item_status_changed(locked, user, from_status=before, note=note)
    return locked


@transaction.atomic
def reassign_list_item(item: ListItem, assignee: str, user) -> ListItem:
    """A branch manager hands an item to one of their rms or back to the branch queue."""
    locked = ListItem.objects.restrict(user, "change").select_for_update().filter(pk=item.pk).first()
    if locked is None:
        raise PermissionDenied(_("This list item is not in your scope."))
    before = locked.assignee
    if before != assignee:
        locked.assignee = assignee
        locked.save()
        events.list_item_reassigned(locked, user, from_assignee=before)
    return locked


@transaction.atomic
def log_contact(
    customer: Customer,
    user,
    *,
    channel: str,
    outcome: str,
    note: str = "",
    next_follow_up: dt.date | None = None,
    confidential: bool = False,
    list_item=None,
    contacted_at: dt.datetime | None = None,
) -> ContactLog:
    """Record a contact; a list item it answers moves to contacted/converted/declined."""
    if not Customer.objects.restrict(user, "view").filter(pk=customer.pk).exists():
        raise PermissionDenied(_("This customer is not in your scope."))
    profile = getattr(user, "profile", None)
    entry = ContactLog(
        customer=customer,
        staff=getattr(profile, "staff", None),
        user_name=user.get_username(),
        contacted_at=contacted_at or timezone.now(),
        channel=channel,
        outcome=outcome,
        note=note,
        next_follow_up=next_follow_up,
        confidential=confidential,
        list_item=list_item,
    )
    entry.full_clean()
    entry.save()
    if list_item is not None:
        status = {"converted": ListItemStatus.CONVERTED, "declined": ListItemStatus.DECLINED}.get(
            outcome, ListItemStatus.CONTACTED
        )
        set_list_item_status(list_item, status, user, note=f"contact {entry.pk}")
    return entry


def current_lists() -> Q:
    """Items of each list's newest as-of date: a new month's list supersedes the last one.

    A correlated sub-query answered from the unique (kind, as_of, customer) index, so it adds no
    round trip; the newest run date of a list is bank-wide, whatever the user's scope.
    """
    newest = ListItem.objects.filter(kind=OuterRef("kind")).order_by("-as_of").values("as_of")[:1]
    return Q(as_of=Subquery(newest))


def store_list_items(items: list[dict], as_of: dt.date) -> None:
    """Replace as-of D's lists, keeping the work of items that are still on them (docs/metrics.md).

    A survivor (same list, same as-of, same customer) keeps its row (so contact logs stay linked),
    its status and status time; once someone works it (status not pending) it also keeps its
    assignee while that assignee is an active staff member or a branch queue. Rank, figures, detail
    and the other items' assignee are refreshed; items no longer selected are deleted. Call inside a
    transaction.
    """
    now = timezone.now()
    active_staff = set(Staff.objects.filter(status="active").values_list("staff_no", flat=True))
    existing = {
        (kind, customer): (pk, status, assignee)
        for pk, kind, customer, status, assignee in ListItem.objects.filter(as_of=as_of).values_list(
            "pk", "kind", "customer_id", "status", "assignee"
        )
    }
    new, update, seen = [], [], set()
    for it in items:
        key = (it["kind"], it["customer_no"])
        seen.add(key)
        aum = Decimal(int(it["aum_avg"])).scaleb(-2)
        old = existing.get(key)
        if old is None:
            new.append(
                (
                    it["kind"],
                    as_of,
                    it["rank"],
                    it["customer_no"],
                    it["branch_code"],
                    it["assignee"],
                    aum,
                    it["tier"],
                    it["detail"],
                    ListItemStatus.PENDING,
                    now,
                    now,
                )
            )
            continue
        pk, status, assignee = old
        worked = status != ListItemStatus.PENDING
        if not (worked and (assignee.startswith("branch:") or assignee in active_staff)):
            update.append((it["rank"], it["branch_code"], aum, it["tier"], it["detail"], now, it["assignee"], pk))
        else:  # being worked by someone still active (or a branch queue): they keep it
            update.append((it["rank"], it["branch_code"], aum, it["tier"], it["detail"], now, pk))
    gone = [pk for key, (pk, _, _) in existing.items() if key not in seen]
    for start in range(0, len(gone), 900):
        ListItem.objects.filter(pk__in=gone[start : start + 900]).delete()
    common = ["rank", "branch_code", "aum_avg", "tier", "detail", "last_updated"]
    update_many(ListItem, [*common, "assignee"], (u for u in update if len(u) == 8))
    update_many(ListItem, common, (u for u in update if len(u) == 7))
    insert_many(
        ListItem,
        [
            "kind",
            "as_of",
            "rank",
            "customer",
            "branch_code",
            "assignee",
            "aum_avg",
            "tier",
            "detail",
            "status",
            "created",
            "last_updated",
        ],
        new,
    )
