"""Domain operations on customers: the only place their state changes (DESIGN rule 4)."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext

from bankcrm.org.models import Staff

from .models import Customer


@transaction.atomic
def reassign_customer(customer: Customer, staff: Staff | None, user) -> Customer:
    """归户: give a customer to another relationship manager (or to nobody)."""
    locked = Customer.objects.restrict(user, "change").select_for_update().filter(pk=customer.pk).first()
    if locked is None:
        raise PermissionDenied(gettext("This customer is not in your scope."))
    if staff is not None and not staff.is_active:
        raise ValidationError({"rm": gettext("%(staff_no)s has left the bank.") % {"staff_no": staff.staff_no}})
    locked.rm = staff
    locked.save()
    # After a write, the object must still be one the user may see (DESIGN rule 1).
    if staff is not None and not Staff.objects.restrict(user, "view").filter(pk=staff.pk).exists():
        raise PermissionDenied(gettext("That relationship manager is outside your branch."))
    return locked


@transaction.atomic
def reassign_customers(customer_nos, staff: Staff, user) -> int:
    """归户 of many customers to one relationship manager, all or nothing (issue 14).

    Every customer must be one the user may change (a branch head: their branch and below) and the
    staff member active and in the user's scope; else nothing moves. Locked in key order (two
    managers' overlapping hand-overs cannot deadlock); each customer that changes hands is one
    change-log entry, as on the 360. Returns how many changed hands.
    """
    from django.utils.translation import gettext as _

    wanted = sorted(set(customer_nos))
    if not wanted:
        raise ValidationError({"customers": _("Select at least one customer.")})
    if not staff.is_active or not Staff.objects.restrict(user, "view").filter(pk=staff.pk).exists():
        raise ValidationError(
            {"rm": _("%(staff)s is not an active staff member of your branch.") % {"staff": staff.pk}}
        )
    locked = list(Customer.objects.restrict(user, "change").select_for_update().filter(pk__in=wanted).order_by("pk"))
    if len(locked) != len(wanted):
        raise PermissionDenied(
            _("%(missing)s of the %(selected)s selected customers are not in your scope: nothing was assigned.")
            % {"missing": len(wanted) - len(locked), "selected": len(wanted)}
        )
    moved = 0
    for customer in locked:
        if customer.rm_id != staff.pk:
            customer.rm = staff
            customer.save()
            moved += 1
    return moved


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
