"""Customer API: search and the customer 360 — scoped by the base viewset, masked, access-logged."""

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import permissions, status
from rest_framework.decorators import action
from rest_framework.response import Response

from bankcrm.compliance.services import record_access, search_detail
from bankcrm.core.api.views import RestrictedReadOnlyViewSet
from bankcrm.customers.filtersets import CustomerFilterSet, with_latest_tier
from bankcrm.customers.models import Customer
from bankcrm.customers.overview import build_360

from .serializers import Customer360Serializer, CustomerListSerializer, RevealedSerializer, RevealSerializer


class CanReveal(permissions.BasePermission):
    message = "You may not see personal data unmasked."

    def has_permission(self, request, view):
        return request.user.has_perm("customers.reveal_customer")


class CustomerViewSet(RestrictedReadOnlyViewSet):
    queryset = Customer.objects.select_related("branch", "rm")
    filterset_class = CustomerFilterSet
    lookup_field = "customer_no"
    lookup_url_kwarg = "customer_no"
    lookup_value_regex = "[^/]+"

    def get_queryset(self):
        queryset = super().get_queryset()
        if self.action == "list":
            queryset = with_latest_tier(queryset, self.request)
        return queryset

    def get_serializer_class(self):
        if self.action == "retrieve":
            return Customer360Serializer
        if self.action == "reveal":
            return RevealSerializer
        return CustomerListSerializer

    @extend_schema(
        parameters=[
            OpenApiParameter("q", str, description="customer_no, mobile or ID number (exact) or start of a name"),
        ]
    )
    def list(self, request, *args, **kwargs):
        response = super().list(request, *args, **kwargs)
        if request.query_params.get("q", "").strip():
            record_access("search", user=request.user, path=request.path, detail=search_detail(request.query_params))
        return response

    @extend_schema(responses=Customer360Serializer)
    def retrieve(self, request, *args, **kwargs):
        customer = self.get_object()
        data = Customer360Serializer(build_360(customer, request.user)).data
        record_access("view", user=request.user, customer_no=customer.pk, path=request.path)
        return Response(data)

    @extend_schema(request=RevealSerializer, responses=RevealedSerializer)
    @action(
        detail=True,
        methods=["post"],
        permission_classes=[permissions.IsAuthenticated, CanReveal],
    )
    def reveal(self, request, customer_no=None):
        """Show the full ID number / mobile: needs the reveal permission and a reason; logged."""
        serializer = RevealSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        customer = get_object_or_404(Customer.objects.restrict(request.user, "view"), pk=customer_no)
        fields = sorted(serializer.validated_data["fields"])
        record_access(
            "reveal",
            user=request.user,
            customer_no=customer.pk,
            fields=",".join(fields),
            reason=serializer.validated_data["reason"].strip(),
            path=request.path,
        )
        payload = {"customer_no": customer.pk, **{f: getattr(customer, f) for f in fields}}
        return Response(payload, status=status.HTTP_200_OK)
