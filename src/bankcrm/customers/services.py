"""Domain operations on customers: the only place their state changes (DESIGN rule 4)."""

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from bankcrm.org.models import Staff

from .models import ContactLog, Customer


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
        raise PermissionDenied("customer not in your scope")
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
        from bankcrm.analytics.services import set_list_item_status

        status = {"converted": "converted", "declined": "declined"}.get(outcome, "contacted")
        set_list_item_status(list_item, status, user)
    return entry


@transaction.atomic
def reassign_customer(customer: Customer, staff: Staff | None, user) -> Customer:
    """归户: give a customer to another relationship manager (or to nobody)."""
    locked = Customer.objects.restrict(user, "change").select_for_update().filter(pk=customer.pk).first()
    if locked is None:
        raise PermissionDenied("customer not in your scope")
    if staff is not None and not staff.is_active:
        raise ValidationError({"rm": f"{staff.staff_no} has left the bank"})
    locked.rm = staff
    locked.save()
    # After a write, the object must still be one the user may see (DESIGN rule 1).
    if staff is not None and not Staff.objects.restrict(user, "view").filter(pk=staff.pk).exists():
        raise PermissionDenied("that relationship manager is outside your branch")
    return locked


REVEALABLE_FIELDS = ("id_number", "phone", "birth_date")


def reveal_personal_data(customer: Customer, user, *, fields: list[str], reason: str, path: str = "") -> dict:
    """The full values of ``fields`` — one line in the access log with the fields and the reason.

    The one reveal flow for the 360 page and the API: the caller has checked the permission
    ``customers.reveal_customer`` and that the customer is in the user's scope.
    """
    from bankcrm.core.accesslog import record_access

    chosen = sorted(f for f in set(fields) if f in REVEALABLE_FIELDS)
    record_access(
        "reveal", user=user, customer_no=customer.pk, fields=",".join(chosen), reason=reason.strip(), path=path
    )
    return {f: getattr(customer, f) for f in chosen}
