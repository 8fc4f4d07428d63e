"""Domain operations on customers: the only place their state changes (DESIGN rule 4)."""

import unicodedata
from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from bankcrm.org.models import Staff

from .choices import KycChannel, KycRiskLevel
from .models import Customer, CustomerTag, KycAssessment


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


def kyc_risk_level(score: int) -> str:
    """The risk level C1..C5 of a questionnaire score, by the bank's bands (settings ``[kyc] bands``).

    Each band's bound is the highest score of that level: with "20,40,60,80" a score of 20 is C1 and
    21 is C2; above the last bound is C5.
    """
    from django.conf import settings

    for level, upper in zip(KycRiskLevel.values, settings.BANKCRM_KYC["bands"], strict=False):
        if score <= upper:
            return level
    return KycRiskLevel.C5


def one_year_after(day: date) -> date:
    # 29 February has no anniversary: the assessment then runs to 28 February.
    try:
        return day.replace(year=day.year + 1)
    except ValueError:
        return day.replace(year=day.year + 1, day=28)


@transaction.atomic
def record_kyc_assessment(customer: Customer, user, *, score: int) -> KycAssessment:
    """A new KYC assessment from the branch's questionnaire: assessed today, valid one year.

    Only a user who may record assessments and has the customer in scope (an rm: their own
    customers; a branch head: their branch). A second assessment on the same day replaces that
    day's (one per customer and day, as in the kyc file): the change log keeps the first one.
    """
    if not user.has_perm("customers.add_kycassessment"):
        raise PermissionDenied(gettext("You may not record KYC assessments."))
    if not Customer.objects.restrict(user, "view").select_for_update().filter(pk=customer.pk).exists():
        raise PermissionDenied(gettext("This customer is not in your scope."))
    if isinstance(score, bool) or not isinstance(score, int) or score < 0:
        raise ValidationError({"score": gettext("The questionnaire score must be a whole number of 0 or more.")})
    today = timezone.localdate()
    assessment = KycAssessment.objects.filter(customer=customer, assessed_date=today).first()
    if assessment is None:
        assessment = KycAssessment(customer=customer, assessed_date=today)
    assessment.risk_level = kyc_risk_level(score)
    assessment.expires_date = one_year_after(today)
    assessment.channel = KycChannel.BRANCH
    assessment.save()
    return assessment


def _customer_in_scope(customer: Customer, user, permission: str, refusal: str) -> None:
    if not user.has_perm(permission):
        raise PermissionDenied(refusal)
    if not Customer.objects.restrict(user, "view").filter(pk=customer.pk).exists():
        raise PermissionDenied(gettext("This customer is not in your scope."))


def normalize_tag(name: str) -> str:
    # Full-width letters and spaces (a Chinese input method's) count as their plain forms, so
    # "ＶＩＰ" and "VIP" are one tag; inner runs of spaces become one.
    return " ".join(unicodedata.normalize("NFKC", name or "").split())


@transaction.atomic
def add_customer_tag(customer: Customer, user, name: str) -> CustomerTag:
    """Put a tag on a customer in the user's scope; a tag the customer already has is kept as it is."""
    _customer_in_scope(customer, user, "customers.add_customertag", gettext("You may not tag customers."))
    name = normalize_tag(name)
    if not name:
        raise ValidationError({"name": gettext("Enter a tag.")})
    if len(name) > 30:
        raise ValidationError({"name": gettext("A tag has at most 30 characters.")})
    tag, _created = CustomerTag.objects.get_or_create(customer=customer, name=name)
    return tag


@transaction.atomic
def remove_customer_tag(customer: Customer, user, name: str) -> bool:
    """Take a tag off a customer in the user's scope; False when the customer did not have it."""
    _customer_in_scope(customer, user, "customers.delete_customertag", gettext("You may not remove tags."))
    tag = CustomerTag.objects.filter(customer=customer, name=normalize_tag(name)).first()
    if tag is None:
        return False
    tag.delete()  # the change log's delete entry keeps who removed it and when
    return True
