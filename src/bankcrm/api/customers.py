"""Customer API: search and the 360 (project package: they compose customers, analytics, campaigns,
complaints) — scoped by the base viewset, masked, access-logged."""

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import permissions, status
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from bankcrm.core.accesslog import record_access
from bankcrm.core.api.views import ReadByPostPermissions, RestrictedReadOnlyViewSet
from bankcrm.customer360 import build_360
from bankcrm.customer_search import CustomerFilterSet, with_latest_tier
from bankcrm.customers.masking import search_detail
from bankcrm.customers.models import Customer
from bankcrm.customers.services import reveal_personal_data

from .serializers import (
    Customer360Serializer,
    CustomerListSerializer,
    CustomerSearchSerializer,
    RevealedSerializer,
    RevealSerializer,
)


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
    # POSTs that read personal data: never kept by Idempotency-Key, each one access-logged (core/idempotency.py).
    reads_by_post = ("search", "reveal")

    def get_queryset(self):
        queryset = super().get_queryset()
        if self.action in ("list", "search"):
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

    @extend_schema(request=CustomerSearchSerializer, responses=CustomerListSerializer(many=True))
    @action(detail=False, methods=["post"], permission_classes=[permissions.IsAuthenticated, ReadByPostPermissions])
    def search(self, request):
        """The same search as ``GET /api/customers/?q=``, with the terms in the body: an ID number or
        mobile in a URL ends up in proxy and server logs (docs/security.md)."""
        terms = CustomerSearchSerializer(data=request.data)
        terms.is_valid(raise_exception=True)
        filterset = CustomerFilterSet(terms.validated_data, queryset=self.get_queryset(), request=request)
        if not filterset.is_valid():
            raise ValidationError(filterset.errors)
        page = self.paginate_queryset(filterset.qs)
        response = self.get_paginated_response(CustomerListSerializer(page, many=True).data)
        if terms.validated_data.get("q", "").strip():
            record_access("search", user=request.user, path=request.path, detail=search_detail(terms.validated_data))
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
        """Show the full ID number / mobile / birth date: needs the reveal permission and a reason; logged."""
        serializer = RevealSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        customer = get_object_or_404(Customer.objects.restrict(request.user, "view"), pk=customer_no)
        revealed = reveal_personal_data(
            customer,
            request.user,
            fields=serializer.validated_data["fields"],
            reason=serializer.validated_data["reason"],
            path=request.path,
        )
        return Response(RevealedSerializer({"customer_no": customer.pk, **revealed}).data, status=status.HTTP_200_OK)
