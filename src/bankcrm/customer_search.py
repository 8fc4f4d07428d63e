"""The customer search of the search page and ``GET /api/customers/``: customers' own search
(``customers/filtersets.py``) plus the tier of the newest customer_month snapshot (analytics)."""

import django_filters
from django.db.models import Max, OuterRef, Subquery
from django.utils.translation import gettext_lazy as _

from bankcrm.customers.choices import Tier
from bankcrm.customers.filtersets import CustomerFilterSet as CustomerSearch
from bankcrm.customers.models import CustomerMonth, CustomerTag
from bankcrm.customers.services import normalize_tag


def latest_month(request=None) -> str | None:
    """The newest snapshot month, looked up once per request."""
    if request is not None and hasattr(request, "_bankcrm_latest_month"):
        return request._bankcrm_latest_month
    month = CustomerMonth.objects.aggregate(m=Max("month"))["m"]
    if request is not None:
        request._bankcrm_latest_month = month
    return month


class CustomerFilterSet(CustomerSearch):
    tier = django_filters.ChoiceFilter(choices=Tier.choices, method="filter_tier", label=_("Tier (latest month)"))

    tag = django_filters.CharFilter(method="filter_tag", label=_("Tag"))

    class Meta(CustomerSearch.Meta):
        fields = ["q", "branch", "tier", "rm", "tag"]

    def filter_tag(self, queryset, name, value):
        return queryset.filter(pk__in=CustomerTag.objects.filter(name=normalize_tag(value)).values("customer_id"))

    def filter_tier(self, queryset, name, value):
        month = latest_month(self.request)
        if month is None:
            return queryset.none()
        return queryset.filter(pk__in=CustomerMonth.objects.filter(month=month, tier=value).values("customer_id"))


def with_latest_tier(queryset, request=None):
    """Annotate ``latest_tier``: the tier of the newest snapshot month (one correlated index lookup per row)."""
    month = latest_month(request)
    if month is None:
        return queryset
    tier = CustomerMonth.objects.filter(customer_id=OuterRef("pk"), month=month).values("tier")[:1]
    return queryset.annotate(latest_tier=Subquery(tier))
