"""The compliance desk's reading of the access log (read-only; the desk's changes are in services)."""

from bankcrm.core.models import AccessLog


def unjustified_views(queryset=None):
    """Views of a customer by a relationship manager outside their portfolio with nothing to justify them.

    An access-log ``view`` by a user whose role is ``rm`` where the customer's (current) rm is not
    the user's staff member, and there is no list item assigned to them for that customer, no
    contact logged by them and no complaint about the customer.
    """
    from django.db.models import Exists, OuterRef, Q, Subquery

    from bankcrm.campaigns.models import ContactLog, ListItem
    from bankcrm.complaints.models import Complaint
    from bankcrm.customers.models import Customer
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
    queryset = queryset.filter(~Exists(Complaint.objects.filter(customer_id=OuterRef("customer_no"))))
    return queryset.order_by("-time", "-pk")
