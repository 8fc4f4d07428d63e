"""The customer 360: everything a page or the API shows about one customer, gathered in a fixed
number of queries (no N+1) — database rows plus the latest balances from the warehouse.

Reads only; the caller has already fetched the customer through ``restrict`` (so it is in scope)
and records the access.
"""

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Max
from django.utils import timezone

from bankcrm.analytics.definitions import FLAG_COLUMNS
from bankcrm.campaigns.choices import ListKind
from bankcrm.campaigns.forms import OPEN_LIST_STATUSES
from bankcrm.campaigns.models import ContactLog, ListItem
from bankcrm.campaigns.services import current_lists
from bankcrm.complaints.models import Complaint
from bankcrm.core.money import cents_to_yuan
from bankcrm.customers import balances
from bankcrm.customers.choices import AUM_CATEGORIES
from bankcrm.customers.masking import age_on, mask_id_number, mask_phone
from bankcrm.customers.models import Account, Customer, CustomerMonth, KycAssessment
from bankcrm.org.choices import UserRole

RECENT_CONTACTS = 20
RECENT_COLLECTION_CONTACTS = 5  # the loan card's short history; the contacts card has the rest
RECENT_COMPLAINTS = 20


def snapshot_flags(month: CustomerMonth) -> list[str]:
    """The snapshot's yes/no figures that are set (spec/metrics.md), in a fixed order."""
    return [name for name in FLAG_COLUMNS if getattr(month, name)]


def complaints_for(customer_no: str, user, limit: int = RECENT_COMPLAINTS) -> list[Complaint]:
    """Recent complaints of the customer that the user may see, newest first."""
    return list(
        Complaint.objects.restrict(user, "view").filter(customer_id=customer_no).order_by("-received_at")[:limit]
    )


def complaint_summary(complaint: Complaint) -> dict:
    return {
        "reference": complaint.reference,
        "status": complaint.status,
        "status_display": complaint.get_status_display(),
        "category": complaint.category,
        "category_display": complaint.get_category_display(),
        "received_at": complaint.received_at,
    }


def latest_month() -> str | None:
    return CustomerMonth.objects.aggregate(m=Max("month"))["m"]


def can_read_confidential(user, entry: ContactLog) -> bool:
    """A confidential contact note is for its author and the people who manage the customer's branch."""
    if user.is_superuser or entry.user_name == user.get_username():
        return True
    role = getattr(getattr(user, "profile", None), "role", None)
    return role in (UserRole.ADMIN, UserRole.BRANCH_MANAGER)


@dataclass
class Customer360:
    customer: Customer
    id_number_masked: str
    phone_masked: str
    accounts: list[dict]
    balance_date: dt.date | None
    total_aum: Decimal | None
    snapshot: CustomerMonth | None
    months: list[CustomerMonth]
    kyc: KycAssessment | None
    kyc_history: list[KycAssessment]
    list_items: list[ListItem]
    contacts: list[dict]
    complaints: list[dict]
    today: dt.date = field(default_factory=lambda: timezone.localdate())
    loan_date: dt.date | None = None  # the latest loans file's date (spec/loans.md)
    loans: list[dict] = field(default_factory=list)
    collection_contacts: list[dict] = field(default_factory=list)  # newest first, on overdue items

    @property
    def age(self) -> int | None:
        # The age, never the birth date: beside the masked ID number it would give the number back.
        return age_on(self.customer.birth_date, self.today)

    @property
    def tier_history(self) -> list[dict]:
        return [
            {"month": m.month, "tier": m.tier, "prev_tier": m.prev_tier, "migration": m.migration} for m in self.months
        ]

    @property
    def flags(self) -> list[str]:
        return snapshot_flags(self.snapshot) if self.snapshot is not None else []


def build_360(customer: Customer, user) -> Customer360:
    today = timezone.localdate()
    accounts = list(Account.objects.filter(customer=customer).select_related("product").order_by("account_no"))
    balance_date, cents = balances.latest_balances([a.account_no for a in accounts])
    account_rows, total = [], 0
    for account in accounts:
        value = cents.get(account.account_no)
        is_aum = account.product.category in AUM_CATEGORIES
        if value is not None and is_aum:
            total += value
        account_rows.append(
            {
                "account_no": account.account_no,
                "product_code": account.product_id,
                "product_name": account.product.name,
                "category": account.product.category,
                "category_display": account.product.get_category_display(),
                "status": account.status,
                "status_display": account.get_status_display(),
                "open_date": account.open_date,
                "maturity_date": account.maturity_date,
                "close_date": account.close_date,
                "is_aum": is_aum,
                "balance": cents_to_yuan(value) if balance_date else None,
            }
        )
    months = list(CustomerMonth.objects.filter(customer=customer).order_by("month"))
    kyc_history = list(KycAssessment.objects.filter(customer=customer).order_by("-assessed_date")[:10])
    in_force = [k for k in kyc_history if k.assessed_date <= today <= k.expires_date]
    items = list(
        ListItem.objects.filter(current_lists(), customer=customer, status__in=OPEN_LIST_STATUSES).order_by(
            "-as_of", "kind", "rank"
        )
    )
    contacts = []
    for entry in ContactLog.objects.filter(customer=customer).select_related("staff")[:RECENT_CONTACTS]:
        readable = not entry.confidential or can_read_confidential(user, entry)
        contacts.append(
            {
                "id": entry.pk,
                "contacted_at": entry.contacted_at,
                "channel": entry.channel,
                "channel_display": entry.get_channel_display(),
                "outcome": entry.outcome,
                "outcome_display": entry.get_outcome_display(),
                "staff_no": entry.staff_id or "",
                "staff_name": entry.staff.name if entry.staff else "",
                "user_name": entry.user_name,
                "note": entry.note if readable else "",
                "confidential": entry.confidential,
                "next_follow_up": entry.next_follow_up,
                "promised_date": entry.promised_date,
                "promised_amount": entry.promised_amount,
                "paid_amount": entry.paid_amount,
            }
        )
    raw_complaints = complaints_for(customer.pk, user)
    from bankcrm.analytics.loans import customer_loans

    loan_date, loan_rows = customer_loans([a.account_no for a in accounts if a.product.category == "loan"])
    collection = collection_contacts(customer, user) if loan_rows else []
    return Customer360(
        customer=customer,
        id_number_masked=mask_id_number(customer.id_number),
        phone_masked=mask_phone(customer.phone),
        accounts=account_rows,
        balance_date=balance_date,
        total_aum=cents_to_yuan(total) if balance_date else None,
        snapshot=months[-1] if months else None,
        months=months,
        kyc=in_force[0] if in_force else None,
        kyc_history=kyc_history,
        list_items=items,
        contacts=contacts,
        complaints=[complaint_summary(c) for c in raw_complaints],
        today=today,
        loan_date=loan_date,
        loans=loan_rows,
        collection_contacts=collection,
    )


def collection_contacts(customer: Customer, user, limit: int = RECENT_COLLECTION_CONTACTS) -> list[dict]:
    """The customer's last collection contacts (on their ``overdue`` items of any date), newest first.

    Through the scope door like every read; no note is shown here (a confidential note stays in the
    contacts card's rules), so what is listed is what the rm needs at a glance: when, what came of it,
    the promise (date, amount) or payment, and who.
    """
    entries = (
        ContactLog.objects.restrict(user, "view")
        .filter(customer=customer, list_item__kind=ListKind.OVERDUE)
        .select_related("staff", "list_item")[:limit]
    )
    return [
        {
            "id": entry.pk,
            "contacted_at": entry.contacted_at,
            "outcome": entry.outcome,
            "outcome_display": entry.get_outcome_display(),
            "promised_date": entry.promised_date,
            "promised_amount": entry.promised_amount,
            "paid_amount": entry.paid_amount,
            "user_name": entry.user_name,
            "staff_name": entry.staff.name if entry.staff else "",
            "list_as_of": entry.list_item.as_of,
        }
        for entry in entries
    ]


def aum_chart_option(customer: Customer, days: int = 90) -> dict | None:
    """ECharts option: the customer's daily AUM (CNY) over the last ``days`` days of the warehouse."""
    account_nos = list(
        Account.objects.filter(customer=customer, product__category__in=AUM_CATEGORIES).values_list(
            "account_no", flat=True
        )
    )
    series = balances.daily_totals(account_nos, days=days)
    if not series:
        return None
    return line_chart([d.isoformat() for d, _ in series], [str(cents_to_yuan(c)) for _, c in series])


def monthly_chart_option(months: list[CustomerMonth]) -> dict | None:
    if not months:
        return None
    return line_chart([m.month for m in months], [str(m.aum_avg) for m in months])


def line_chart(labels: list[str], values: list[str]) -> dict:
    # Values are decimal strings: ECharts parses them; no float is computed on our side.
    return {
        "tooltip": {"trigger": "axis"},
        "grid": {"left": 70, "right": 20, "top": 20, "bottom": 30},
        "xAxis": {"type": "category", "data": labels},
        "yAxis": {"type": "value"},
        # a few points (a young customer's months) need their dots to be seen at all
        "series": [{"type": "line", "data": values, "showSymbol": len(values) <= 24, "areaStyle": {}}],
    }


# ---- the customer's data-change history, for compliance and admins (issue 14) ---------------------

CHANGE_HISTORY_LIMIT = 50
# The change log keeps before/after in full; the page shows them masked like everywhere else
# (docs/security.md, issue 8.1): the full values are a logged reveal, not a side door.
PERSONAL_FIELDS = {"id_number": "id_number", "phone": "phone", "address": "address", "birth_date": "birth_date"}


def _shown(field: str, value) -> str:
    from bankcrm.ingest.privacy import mask_value

    if value is None or value == "":
        return ""
    text = str(value)
    return mask_value(PERSONAL_FIELDS[field], text) if field in PERSONAL_FIELDS else text


def change_history(customer: Customer, limit: int = CHANGE_HISTORY_LIMIT) -> list[dict]:
    """The newest ``limit`` change-log entries of the customer record, its accounts and KYC
    assessments: who, when, what record, and each changed field (label, before, after), masked.

    The caller checks ``core.view_objectchange`` (compliance and admins only, org/roles.py).
    Three queries whatever the length: the two id lists and the changes.
    """
    from django.contrib.contenttypes.models import ContentType
    from django.core.exceptions import FieldDoesNotExist
    from django.db.models import Q

    from bankcrm.core.models import ObjectChange

    models_and_ids = (
        (Customer, [customer.pk]),
        (Account, list(Account.objects.filter(customer=customer).values_list("pk", flat=True))),
        (
            KycAssessment,
            [str(pk) for pk in KycAssessment.objects.filter(customer=customer).values_list("pk", flat=True)],
        ),
    )
    where = Q(pk__in=[])
    for model, ids in models_and_ids:
        if ids:
            where |= Q(content_type=ContentType.objects.get_for_model(model), object_id__in=ids)
    changes = ObjectChange.objects.filter(where).select_related("content_type").order_by("-time", "-pk")[:limit]
    history = []
    for change in changes:
        model = change.content_type.model_class()
        before, after = change.prechange_data or {}, change.postchange_data or {}
        fields = []
        for name in sorted(set(before) | set(after)):
            old, new = before.get(name), after.get(name)
            if old == new or name == "id":
                continue
            try:
                label = model._meta.get_field(name).verbose_name
            except FieldDoesNotExist:  # a field since removed from the model: its stored name
                label = name
            fields.append({"name": name, "label": label, "before": _shown(name, old), "after": _shown(name, new)})
        history.append(
            {
                "time": change.time,
                "user_name": change.user_name,
                "action": change.get_action_display(),
                "record": model._meta.verbose_name if model else change.content_type.model,
                "object_id": change.object_id,
                "fields": fields,
            }
        )
    return history
