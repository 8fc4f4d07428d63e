"""One FilterSet for the queue page and the API (spec/api.md ``?status=&overdue=&branch=``)."""

import django_filters
from django.db.models import Exists, Min, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from bankcrm.customers.filtersets import search_condition
from bankcrm.customers.models import Customer
from bankcrm.org.scope import branch_descendants

from .choices import OPEN_CLOCK_STATES, Category, ClockState, Policy, Status, Tier
from .models import Complaint, Deadline

FINISHED = (Status.CLOSED, Status.REFERRED)


def overdue_deadlines(now=None):
    """Bank obligations past due and not met: breached, or passed since the last sweep."""
    now = now or timezone.now()
    return Deadline.objects.filter(binding=True, met_at__isnull=True).filter(
        Q(state=ClockState.BREACHED) | Q(state__in=OPEN_CLOCK_STATES, due_at__lt=now)
    )


def with_next_due(queryset):
    """Annotate the nearest unmet obligation deadline, breached ones included (the queue's sort key)."""
    unmet = Q(
        deadlines__binding=True,
        deadlines__met_at__isnull=True,
        deadlines__state__in=(*OPEN_CLOCK_STATES, ClockState.BREACHED),
    )
    return queryset.annotate(next_due=Min("deadlines__due_at", filter=unmet))


TRUE_WORDS = {"true", "1", "yes", "on", "y", "t"}
FALSE_WORDS = {"false", "0", "no", "off", "n", "f"}


def as_bool(value) -> bool | None:
    """?overdue=true / 1 / yes (and false / 0 / no); anything else means 'no filter'."""
    if isinstance(value, bool) or value is None:
        return value
    word = str(value).strip().lower()
    return True if word in TRUE_WORDS else False if word in FALSE_WORDS else None


class ComplaintFilterSet(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=Status.choices, label=_("status"))
    overdue = django_filters.CharFilter(method="filter_overdue", label=_("overdue (true/false)"))
    branch = django_filters.CharFilter(method="filter_branch", label=_("branch (and below)"))
    tier = django_filters.ChoiceFilter(choices=Tier.choices, label=pgettext_lazy("complaint", "tier"))
    category = django_filters.ChoiceFilter(choices=Category.choices, label=_("category"))
    policy = django_filters.ChoiceFilter(choices=Policy.choices, label=_("policy"))
    open = django_filters.CharFilter(method="filter_open", label=_("open (true/false)"))
    q = django_filters.CharFilter(
        method="filter_q", label=_("reference, or the customer's no., name, mobile or ID number"), max_length=60
    )

    class Meta:
        model = Complaint
        fields = ["status", "overdue", "branch", "tier", "category", "policy", "open", "q"]

    def filter_q(self, queryset, name, value):
        """The customer search's own condition (index ranges only), over the customers the user may see.

        Searching by a customer's name or phone must not find complaints of customers the user could
        not look up in the customer search itself, so the customers come through ``restrict``.
        """
        term = (value or "").strip()
        if not term:
            return queryset
        condition, _names_only = search_condition(term)
        user = getattr(self.request, "user", None)
        customers = Customer.objects.restrict(user, "view").filter(condition).values("pk")
        return queryset.filter(Q(reference=term.upper()) | Q(customer__in=customers))

    def filter_overdue(self, queryset, name, value):
        value = as_bool(value)
        if value is None:
            return queryset
        late = Exists(overdue_deadlines().filter(complaint=OuterRef("pk")))
        if value:
            return queryset.filter(late).exclude(status__in=FINISHED)
        return queryset.exclude(Q(late) & ~Q(status__in=FINISHED))

    def filter_branch(self, queryset, name, value):
        if not value:
            return queryset
        return queryset.filter(branch__in=sorted(branch_descendants(value.strip())))

    def filter_open(self, queryset, name, value):
        value = as_bool(value)
        if value is None:
            return queryset
        return queryset.exclude(status__in=FINISHED) if value else queryset.filter(status__in=FINISHED)
