"""The one customer search, shared by the search page and ``GET /api/customers/``.

What a bank clerk types is a customer number, an ID number, a mobile number or the start of a
name. Numbers are matched exactly (they identify one person; a partial ID number would be a
fishing expedition through personal data), names by prefix. Every branch of the OR is an index
range — no leading-wildcard LIKE — so the search stays fast at millions of customers
(docs/adr/0601-customer-search.md).
"""

import re

import django_filters
from django.db.models import OuterRef, Q, Subquery
from django.utils.translation import gettext_lazy as _

from bankcrm.analytics.choices import Tier
from bankcrm.analytics.models import CustomerMonth

from .models import Customer

# Sorts after every character a name can hold: name >= q AND name < q + MAX is "starts with q"
# as an index range on both SQLite and PostgreSQL (LIKE 'q%' is not indexable on either by default).
_PREFIX_END = "\U0010ffff"
_SPACES = re.compile(r"[\s\-]+")


def search_condition(term: str) -> Q | None:
    term = term.strip()
    if not term:
        return None
    compact = _SPACES.sub("", term)
    condition = Q(pk=term) | Q(pk=compact) | Q(phone=compact) | Q(id_number=compact.upper())
    if compact.startswith("+86"):
        condition |= Q(phone=compact[3:])
    if not compact.isdigit():  # digits are numbers, never the start of a name
        condition |= name_prefix(term)
    return condition


def name_prefix(term: str) -> Q:
    from django.db import connection

    if connection.vendor == "postgresql":
        # Django gives an indexed CharField a varchar_pattern_ops twin index on PostgreSQL, which
        # serves LIKE 'term%' under any collation (a range would depend on the collation).
        return Q(name__startswith=term)
    # SQLite compares with BINARY collation: the range is exactly "starts with", and indexed.
    return Q(name__gte=term, name__lt=term + _PREFIX_END)


def latest_month() -> str | None:
    from .overview import latest_month as _latest

    return _latest()


class CustomerFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(method="filter_q", label=_("Customer no., name, mobile or ID number"), max_length=60)
    branch = django_filters.CharFilter(method="filter_branch", label=_("Branch (and its sub-branches)"), max_length=20)
    tier = django_filters.ChoiceFilter(choices=Tier.choices, method="filter_tier", label=_("Tier (latest month)"))
    rm = django_filters.CharFilter(field_name="rm_id", label=_("Relationship manager (staff no.)"), max_length=20)

    class Meta:
        model = Customer
        fields = ["q", "branch", "tier", "rm"]

    def filter_q(self, queryset, name, value):
        condition = search_condition(value)
        return queryset if condition is None else queryset.filter(condition)

    def filter_branch(self, queryset, name, value):
        from bankcrm.org.scope import branch_descendants

        return queryset.filter(branch_id__in=sorted(branch_descendants(value.strip())))

    def filter_tier(self, queryset, name, value):
        month = latest_month()
        if month is None:
            return queryset.none()
        return queryset.filter(pk__in=CustomerMonth.objects.filter(month=month, tier=value).values("customer_id"))


def with_latest_tier(queryset):
    """Annotate ``latest_tier``: the tier of the newest snapshot month (one correlated index lookup per row)."""
    month = latest_month()
    if month is None:
        return queryset
    tier = CustomerMonth.objects.filter(customer_id=OuterRef("pk"), month=month).values("tier")[:1]
    return queryset.annotate(latest_tier=Subquery(tier))
