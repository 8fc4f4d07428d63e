import django_filters
from django.utils.translation import gettext_lazy as _

from bankcrm.core.models import AccessLog


class AccessLogFilterSet(django_filters.FilterSet):
    customer_no = django_filters.CharFilter(field_name="customer_no", label=_("Customer no."), max_length=30)
    user = django_filters.CharFilter(field_name="user_name", label=_("User"), max_length=150)
    action = django_filters.ChoiceFilter(choices=AccessLog.Action.choices, label=_("Action"))
    since = django_filters.DateFilter(field_name="time", lookup_expr="date__gte", label=_("From"))
    until = django_filters.DateFilter(field_name="time", lookup_expr="date__lte", label=_("To"))

    class Meta:
        model = AccessLog
        fields = ["customer_no", "user", "action", "since", "until"]
