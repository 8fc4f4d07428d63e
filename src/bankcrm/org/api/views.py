"""Branches and staff, read-only and scoped like everything else (a branch manager sees their branch tree)."""

import django_filters

from bankcrm.core.api.views import RestrictedReadOnlyViewSet
from bankcrm.org.models import Branch, Staff

from .serializers import BranchSerializer, StaffSerializer


class StaffFilterSet(django_filters.FilterSet):
    branch = django_filters.CharFilter(field_name="branch_id", max_length=20)

    class Meta:
        model = Staff
        fields = ["branch", "role", "status"]


class BranchViewSet(RestrictedReadOnlyViewSet):
    queryset = Branch.objects.all()
    serializer_class = BranchSerializer
    lookup_value_regex = "[^/]+"


class StaffViewSet(RestrictedReadOnlyViewSet):
    queryset = Staff.objects.all()
    serializer_class = StaffSerializer
    filterset_class = StaffFilterSet
    lookup_value_regex = "[^/]+"
