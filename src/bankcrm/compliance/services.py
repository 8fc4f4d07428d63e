"""The access log: every read of personal data and every export leaves a line (DESIGN rule 2)."""

from bankcrm.core.context import current

from .models import AccessLog


def record_access(
    action: str,
    *,
    customer_no: str = "",
    user=None,
    fields: str = "",
    reason: str = "",
    path: str = "",
    detail: str = "",
) -> AccessLog:
    ctx = current()
    user = user if user is not None else ctx.user
    user_name = getattr(user, "get_username", lambda: "")() if user is not None else ctx.user_name
    return AccessLog.objects.create(
        user=user if getattr(user, "pk", None) else None,
        user_name=user_name or ctx.user_name,
        action=action,
        customer_no=customer_no,
        fields=fields,
        reason=reason[:200],
        path=path[:300],
        remote_addr=ctx.remote_addr,
        request_id=ctx.request_id,
        detail=detail[:300],
    )


def search_detail(params) -> str:
    """What a search asked for, for the access log: the filters, with numbers masked like the results."""
    from bankcrm.customers.masking import mask_id_number, mask_phone

    parts = []
    term = (params.get("q") or "").strip()
    if term:
        compact = "".join(term.split())
        if compact.isdigit() and len(compact) == 11:
            term = mask_phone(compact)
        elif len(compact) >= 15 and compact[:-1].isdigit():
            term = mask_id_number(compact)
        parts.append(f"q={term}")
    for key in ("branch", "tier", "rm"):
        if params.get(key):
            parts.append(f"{key}={params.get(key)}")
    return " ".join(parts)[:300]


def unjustified_views(queryset=None):
    """Views of a customer by a relationship manager outside their portfolio with nothing to justify them.

    An access-log ``view`` by a user whose role is ``rm`` where the customer's (current) rm is not
    the user's staff member, and there is no list item assigned to them for that customer, no
    contact logged by them and no complaint about the customer.
    """
    from django.db.models import Exists, OuterRef, Q, Subquery

    from bankcrm.analytics.models import ListItem
    from bankcrm.customers.models import ContactLog, Customer
    from bankcrm.customers.overview import complaint_model
    from bankcrm.org.choices import UserRole
    from bankcrm.org.models import UserProfile

    staff_of_user = UserProfile.objects.filter(user_id=OuterRef("user_id")).values("staff_id")[:1]
    queryset = (
        (AccessLog.objects.all() if queryset is None else queryset)
        .filter(action=AccessLog.Action.VIEW)
        .filter(user_id__in=UserProfile.objects.filter(role=UserRole.RM).values("user_id"))
        .annotate(user_staff=Subquery(staff_of_user))
        .filter(
            ~Exists(Customer.objects.filter(pk=OuterRef("customer_no"), rm_id=OuterRef("user_staff"))),
            ~Exists(ListItem.objects.filter(customer_id=OuterRef("customer_no"), assignee=OuterRef("user_staff"))),
            ~Exists(
                ContactLog.objects.filter(customer_id=OuterRef("customer_no")).filter(
                    Q(user_name=OuterRef("user_name")) | Q(staff_id=OuterRef("user_staff"))
                )
            ),
        )
    )
    complaint = complaint_model()
    if complaint is not None:
        names = {f.name for f in complaint._meta.get_fields()}
        if "customer" in names:
            queryset = queryset.filter(~Exists(complaint.objects.filter(customer_id=OuterRef("customer_no"))))
        elif "customer_no" in names:
            queryset = queryset.filter(~Exists(complaint.objects.filter(customer_no=OuterRef("customer_no"))))
    return queryset.order_by("-time", "-pk")
