from django.db.models import Prefetch
from django.utils.translation import gettext
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response

from bankcrm.core.accesslog import record_access
from bankcrm.core.api.views import RestrictedModelViewSet
from bankcrm.customers.masking import search_detail

from .. import services
from ..filtersets import ComplaintFilterSet
from ..models import Complaint, ComplaintEvent, Deadline
from .serializers import ComplaintCreateSerializer, ComplaintDetailSerializer, ComplaintSerializer, TransitionSerializer


class ComplaintViewSet(RestrictedModelViewSet):
    """The complaint desk: register, list, read with history, and move through the lifecycle."""

    queryset = Complaint.objects.select_related("assignee").prefetch_related(
        Prefetch("deadlines", queryset=Deadline.objects.order_by("due_at", "pk"))
    )
    lookup_field = "reference"
    lookup_value_regex = "CP-[0-9]{8}-[0-9]{6}"
    filterset_class = ComplaintFilterSet
    http_method_names = ["get", "post", "head", "options"]

    def get_queryset(self):
        queryset = super().get_queryset()
        if self.action != "list":
            queryset = queryset.prefetch_related(
                Prefetch("events", queryset=ComplaintEvent.objects.order_by("time", "pk"))
            )
        return queryset

    def get_serializer_class(self):
        if self.action == "create":
            return ComplaintCreateSerializer
        if self.action == "transition":
            return TransitionSerializer
        if self.action == "list":
            return ComplaintSerializer
        return ComplaintDetailSerializer

    @extend_schema(request=ComplaintCreateSerializer, responses={201: ComplaintDetailSerializer})
    def create(self, request, *args, **kwargs):
        serializer = ComplaintCreateSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        complaint = serializer.save()
        # A complaint registered outside the author's own scope is kept (never lose a complaint), as
        # on the page; the 201 shows the author what they registered, later reads are 404.
        complaint = self.queryset.prefetch_related(
            Prefetch("events", queryset=ComplaintEvent.objects.order_by("time", "pk"))
        ).get(pk=complaint.pk)
        return Response(ComplaintDetailSerializer(complaint).data, status=status.HTTP_201_CREATED)

    def list(self, request, *args, **kwargs):
        if (request.query_params.get("q") or "").strip():  # as the queue page: a personal-data search
            record_access("search", user=request.user, path=request.path, detail=search_detail(request.query_params))
        return super().list(request, *args, **kwargs)

    def retrieve(self, request, *args, **kwargs):
        complaint = self.get_object()
        if complaint.customer_id:  # same access logging as the page
            record_access(
                "view",
                user=request.user,
                customer_no=complaint.customer_id,
                path=request.path,
                detail=complaint.reference,
            )
        return Response(self.get_serializer(complaint).data)

    @extend_schema(request=TransitionSerializer, responses={200: ComplaintDetailSerializer})
    @action(detail=True, methods=["post"])
    def transition(self, request, reference=None):
        complaint = self.get_object()  # 404 outside the user's scope
        if not request.user.has_perm("complaints.change_complaint"):
            raise PermissionDenied(gettext("Handling complaints needs the complaint handler's permission."))
        serializer = TransitionSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.transition(complaint, user=request.user, **serializer.validated_data)
        complaint = self.get_queryset().get(pk=complaint.pk)
        return Response(ComplaintDetailSerializer(complaint).data)
