from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response

from bankcrm.core.api.views import RestrictedModelViewSet

from .. import services
from ..models import Campaign, RecordedSale
from .serializers import (
    CampaignCreateSerializer,
    CampaignDetailSerializer,
    CampaignSerializer,
    CampaignTransitionSerializer,
    SaleCreateSerializer,
    SaleSerializer,
    SaleTransitionSerializer,
)


class CampaignViewSet(RestrictedModelViewSet):
    """Campaigns: create a draft, read it (with its preview or results), approve / start / close."""

    queryset = Campaign.objects.select_related("author", "approver").prefetch_related("products")
    lookup_field = "code"
    lookup_value_regex = "[A-Za-z0-9_-]{1,30}"
    http_method_names = ["get", "post", "head", "options"]

    def get_serializer_class(self):
        if self.action == "create":
            return CampaignCreateSerializer
        if self.action == "transition":
            return CampaignTransitionSerializer
        if self.action == "list":
            return CampaignSerializer
        return CampaignDetailSerializer

    @extend_schema(request=CampaignCreateSerializer, responses={201: CampaignDetailSerializer})
    def create(self, request, *args, **kwargs):
        # The service checks every field and names what is wrong (400 with per-field messages).
        campaign = services.create_campaign(request.data, user=request.user)
        campaign = self.get_queryset().get(pk=campaign.pk)
        return Response(CampaignDetailSerializer(campaign).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=CampaignTransitionSerializer, responses={200: CampaignDetailSerializer})
    @action(detail=True, methods=["post"])
    def transition(self, request, code=None):
        campaign = self.get_object()
        if not request.user.has_perm("campaigns.change_campaign"):
            raise PermissionDenied("approving, starting and closing campaigns is marketing's")
        serializer = CampaignTransitionSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        result = services.transition(campaign, serializer.validated_data["action"], user=request.user)
        data = CampaignDetailSerializer(self.get_queryset().get(pk=campaign.pk)).data
        return Response({**data, "warnings": result.warnings})


class SaleViewSet(RestrictedModelViewSet):
    """Recorded sales: POST runs the suitability check first; approve / reject / cancel through transition."""

    queryset = RecordedSale.objects.prefetch_related("events").select_related("reviewed_by")
    serializer_class = SaleSerializer
    lookup_field = "sale_id"
    lookup_value_regex = "RS-[0-9A-F]{16}"
    http_method_names = ["get", "post", "head", "options"]

    def get_serializer_class(self):
        if self.action == "create":
            return SaleCreateSerializer
        if self.action == "transition":
            return SaleTransitionSerializer
        return SaleSerializer

    @extend_schema(request=SaleCreateSerializer, responses={201: SaleSerializer})
    def create(self, request, *args, **kwargs):
        serializer = SaleCreateSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        try:
            sale = services.record_sale(user=request.user, **serializer.validated_data)
        except services.SaleRefused as refused:
            return Response({"detail": refused.message, "reason": refused.reason}, status=status.HTTP_409_CONFLICT)
        # The sale as stored, with no second round trip: its one event is the "record" just written.
        return Response(SaleSerializer(sale, context={"events": False}).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=SaleTransitionSerializer, responses={200: SaleSerializer})
    @action(detail=True, methods=["post"])
    def transition(self, request, sale_id=None):
        sale = self.get_object()  # 404 outside the user's scope
        serializer = SaleTransitionSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        if not request.user.has_perm("campaigns.change_recordedsale"):
            raise PermissionDenied("changing a sale needs the sales permission")
        services.sale_transition(sale, user=request.user, **serializer.validated_data)
        return Response(SaleSerializer(RecordedSale.objects.get(pk=sale.pk)).data)
