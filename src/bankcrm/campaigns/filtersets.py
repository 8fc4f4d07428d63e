"""Filters for list items, shared by the work-queue page and the API."""

import django_filters
from django.utils.translation import gettext_lazy as _

from bankcrm.customers.choices import Tier

from .choices import ListItemStatus, ListKind
from .models import ListItem


class ListItemFilterSet(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(label=_("List"), choices=ListKind.choices, empty_label=_("All lists"))
    status = django_filters.ChoiceFilter(
        label=_("Status"), choices=ListItemStatus.choices, empty_label=_("All statuses")
    )
    tier = django_filters.ChoiceFilter(label=_("Tier"), choices=Tier.choices, empty_label=_("All tiers"))
    as_of = django_filters.DateFilter(label=_("As of"))
    assignee = django_filters.CharFilter(label=_("Assignee"))
    customer = django_filters.CharFilter(label=_("Customer no."), field_name="customer_id")

    class Meta:
        model = ListItem
        fields = ["kind", "status", "tier", "as_of", "assignee", "customer"]
