"""The compliance API: ``GET /api/access-log/`` and the desk (spec/compliance.md); compliance and
admins only (the view permission from the role table; others 403)."""

from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.exceptions import ValidationError as DRFValidationError
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from bankcrm.compliance import access, services
from bankcrm.compliance.filtersets import AccessLogFilterSet
from bankcrm.compliance.models import (
    AccessAlert,
    Finding,
    FindingEscalation,
    IndicatorAlert,
    InspectionPlan,
    Regulation,
    RiskIndicator,
    SampleItem,
    ScreeningCase,
)
from bankcrm.core.accesslog import record_access
from bankcrm.core.api.views import ReadByPostPermissions, RestrictedModelViewSet, RestrictedReadOnlyViewSet
from bankcrm.core.models import AccessLog

from .serializers import (
    AccessAlertSerializer,
    AccessLogSerializer,
    CaseMoveSerializer,
    CiteSerializer,
    FindingCreateSerializer,
    FindingEscalationSerializer,
    FindingMoveSerializer,
    FindingSerializer,
    IndicatorAlertSerializer,
    InspectionPlanSerializer,
    NoteSerializer,
    RegulationSerializer,
    RiskIndicatorSerializer,
    SampleItemSerializer,
    ScreeningCaseSerializer,
)


@extend_schema_view(
    list=extend_schema(
        parameters=[
            OpenApiParameter(
                "format",
                str,
                enum=["json", *access.EXPORT_FORMATS],
                description="csv or xlsx: every row matching the filters as a download (logged as an export)",
            )
        ],
        responses={
            (200, "application/json"): AccessLogSerializer(many=True),
            (200, "text/csv"): OpenApiTypes.BINARY,
            (200, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"): OpenApiTypes.BINARY,
        },
    )
)
class AccessLogViewSet(RestrictedReadOnlyViewSet):
    queryset = AccessLog.objects.all()
    serializer_class = AccessLogSerializer
    filterset_class = AccessLogFilterSet

    def get_queryset(self):
        return access.with_staff(super().get_queryset())

    def _download_format(self, request) -> str | None:
        fmt = request.query_params.get("format")
        return fmt if self.action == "list" and fmt in access.EXPORT_FORMATS else None

    def perform_content_negotiation(self, request, force=False):
        # ``?format=csv|xlsx`` is spec/api.md's download, built by ``list``; DRF would look for a csv
        # renderer and answer 404. Anything refused before the download (401, 403, 400) stays JSON.
        if self._download_format(request):
            renderer = self.get_renderers()[0]
            return renderer, renderer.media_type
        return super().perform_content_negotiation(request, force)

    def list(self, request, *args, **kwargs):
        fmt = self._download_format(request)
        if fmt is None:
            return super().list(request, *args, **kwargs)
        try:
            return access.export_response(
                self.filter_queryset(self.get_queryset()), fmt, user=request.user, path=request.get_full_path()
            )
        except access.TooManyRowsForExcel as exc:
            raise DRFValidationError({"format": [str(exc)]}) from exc


class AccessAlertViewSet(RestrictedReadOnlyViewSet):
    """Alerts raised from the access log (docs/compliance.md, issue 14); ``?open=1`` for the open ones.

    Reading does not scan (a GET that writes would surprise a program): the nightly sweep and the
    desk page raise them.
    """

    queryset = AccessAlert.objects.all()
    serializer_class = AccessAlertSerializer
    extra_query_params = ("open",)  # read in get_queryset (core/api/filters.py: others are a 400)

    @extend_schema(parameters=[OpenApiParameter("open", bool, description="only alerts not acknowledged yet")])
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    def get_queryset(self):
        queryset = super().get_queryset()
        if self.action == "list" and self.request.query_params.get("open") in ("1", "true"):
            queryset = queryset.filter(acknowledged_at__isnull=True)
        return queryset

    @extend_schema(request=NoteSerializer, responses={200: AccessAlertSerializer})
    @action(detail=True, methods=["post"])
    def acknowledge(self, request, pk=None):
        alert = self.get_object()
        if not request.user.has_perm("compliance.change_accessalert"):
            raise PermissionDenied
        data = NoteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            alert = access.acknowledge_access_alert(alert, request.user.get_username(), data.validated_data["note"])
        except services.BadInput as exc:
            raise _bad(exc) from exc
        return Response(AccessAlertSerializer(alert).data)


# ---- the compliance desk (spec/compliance.md): compliance and admin only (the role table)


def _bad(exc: services.BadInput):
    return DjangoValidationError(exc.errors)


class RiskIndicatorViewSet(RestrictedModelViewSet):
    """The catalogue: compliance edits limits and warnings (codes stay)."""

    queryset = RiskIndicator.objects.all()
    serializer_class = RiskIndicatorSerializer
    http_method_names = ["get", "patch", "head", "options"]


class IndicatorAlertViewSet(RestrictedReadOnlyViewSet):
    queryset = IndicatorAlert.objects.select_related("value")
    serializer_class = IndicatorAlertSerializer

    @extend_schema(request=NoteSerializer, responses={200: IndicatorAlertSerializer})
    @action(detail=True, methods=["post"])
    def acknowledge(self, request, pk=None):
        alert = self.get_object()
        if not request.user.has_perm("compliance.change_indicatoralert"):
            raise PermissionDenied
        data = NoteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            alert = services.acknowledge_alert(alert, request.user.get_username(), data.validated_data["note"])
        except services.BadInput as exc:
            raise _bad(exc) from exc
        return Response(IndicatorAlertSerializer(alert).data)


class InspectionPlanViewSet(RestrictedReadOnlyViewSet):
    queryset = InspectionPlan.objects.all()
    serializer_class = InspectionPlanSerializer
    lookup_value_regex = "[A-Za-z0-9_-]{1,40}"

    @extend_schema(responses={200: SampleItemSerializer(many=True)})
    @action(detail=True, methods=["get"])
    def sample(self, request, pk=None):
        plan = self.get_object()
        # the sample names customers' loans and sales: read through the API, logged as on the page
        record_access("view", user=request.user, path=request.path, detail=f"sample of plan {plan.pk}")
        return Response(SampleItemSerializer(plan.items.order_by("key"), many=True).data)

    @action(detail=True, methods=["get"])
    def report(self, request, pk=None):
        """Population, sampled, inspected, findings by code and severity, on-time rectification rate."""
        report = services.plan_report(self.get_object())
        rate = report["on_time_rate_pct"]  # a decimal as text, like every decimal of the API
        return Response({**report, "on_time_rate_pct": None if rate is None else f"{rate:f}"})


class FindingViewSet(RestrictedReadOnlyViewSet):
    """Findings on sampled items: record one (POST), then rectify / verify / reopen (POST …/move/)."""

    queryset = Finding.objects.select_related("item").prefetch_related("citations__regulation")
    serializer_class = FindingSerializer
    http_method_names = ["get", "post", "head", "options"]
    extra_query_params = ("plan", "overdue")  # read in get_queryset (core/api/filters.py: others are a 400)

    def get_queryset(self):
        queryset = super().get_queryset()
        if plan := self.request.query_params.get("plan"):
            queryset = queryset.filter(item__plan_id=plan)
        if self.request.query_params.get("overdue") in ("1", "true"):
            queryset = queryset.filter(pk__in=services.overdue_findings().values("pk"))
        return queryset

    @extend_schema(request=CiteSerializer, responses={200: FindingSerializer})
    @action(detail=True, methods=["post"])
    def cite(self, request, pk=None):
        """Cite a regulation of the library (its current version) from this finding."""
        finding = self.get_object()
        _cite(request, finding=finding)
        return Response(FindingSerializer(Finding.objects.get(pk=finding.pk)).data)

    @extend_schema(request=FindingCreateSerializer, responses={201: FindingSerializer})
    def create(self, request):
        if not request.user.has_perm("compliance.add_finding"):
            raise PermissionDenied
        data = FindingCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        item = SampleItem.objects.restrict(request.user).filter(plan_id=values["plan"], key=values["key"]).first()
        if item is None:
            raise DjangoValidationError({"key": [f"{values['key']} is not in the sample of plan {values['plan']}"]})
        try:
            finding = services.record_finding(
                item, code=values["code"], severity=values["severity"], description=values["description"],
                responsible=values["responsible"], due_date=values["due_date"], inspector=request.user.get_username(),
            )  # fmt: skip
        except services.BadInput as exc:
            raise _bad(exc) from exc
        return Response(FindingSerializer(finding).data, status=201)

    @extend_schema(request=FindingMoveSerializer, responses={200: FindingSerializer})
    @action(detail=True, methods=["post"])
    def move(self, request, pk=None):
        finding = self.get_object()
        if not request.user.has_perm("compliance.change_finding"):
            raise PermissionDenied
        data = FindingMoveSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            finding = services.move_finding(
                finding, data.validated_data["action"], request.user.get_username(), data.validated_data["note"]
            )
        except services.BadInput as exc:
            raise _bad(exc) from exc
        return Response(FindingSerializer(finding).data)


class ScreeningCaseViewSet(RestrictedReadOnlyViewSet):
    queryset = ScreeningCase.objects.prefetch_related("citations__regulation")
    serializer_class = ScreeningCaseSerializer
    extra_query_params = ("quarter",)  # read in get_queryset (core/api/filters.py: others are a 400)

    def get_queryset(self):
        queryset = super().get_queryset()
        if quarter := self.request.query_params.get("quarter"):
            queryset = queryset.filter(quarter=quarter)
        return queryset

    def retrieve(self, request, *args, **kwargs):
        case = self.get_object()
        # every view of a case is in the access log (issue 13)
        record_access("view", user=request.user, path=request.path, detail=f"screening case {case.pk}")
        return Response(self.get_serializer(case).data)

    @extend_schema(request=CaseMoveSerializer, responses={200: ScreeningCaseSerializer})
    @action(detail=True, methods=["post"])
    def move(self, request, pk=None):
        case = self.get_object()
        if not request.user.has_perm("compliance.change_screeningcase"):
            raise PermissionDenied
        data = CaseMoveSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            case = services.move_case(case, data.validated_data["to"], request.user, data.validated_data["note"])
        except services.BadInput as exc:
            raise _bad(exc) from exc
        return Response(ScreeningCaseSerializer(case).data)

    @extend_schema(request=CiteSerializer, responses={200: ScreeningCaseSerializer})
    @action(detail=True, methods=["post"])
    def cite(self, request, pk=None):
        """Cite a regulation of the library (its current version) from this case."""
        case = self.get_object()
        _cite(request, case=case)
        return Response(ScreeningCaseSerializer(ScreeningCase.objects.get(pk=case.pk)).data)


def _cite(request, **target):
    if not request.user.has_perm("compliance.add_citation"):
        raise PermissionDenied
    data = CiteSerializer(data=request.data)
    data.is_valid(raise_exception=True)
    reg_id = data.validated_data["reg_id"]
    regulation = Regulation.objects.restrict(request.user).filter(pk=reg_id).first()
    if regulation is None:
        raise DjangoValidationError({"reg_id": [f"no regulation {reg_id!r} in the library"]})
    try:
        services.cite(regulation, request.user.get_username(), **target)
    except services.BadInput as exc:
        raise _bad(exc) from exc


class FindingEscalationViewSet(RestrictedReadOnlyViewSet):
    """Overdue findings escalated to the branch head (``bankcrm compliance sweep``): compliance sees
    all, a branch head those of their branch; acknowledging is the branch head's (or compliance's)."""

    queryset = FindingEscalation.objects.select_related("finding__code")
    serializer_class = FindingEscalationSerializer

    # acknowledging changes the escalation: the change permission (checked below), not "add"
    @extend_schema(request=None, responses={200: FindingEscalationSerializer})
    @action(detail=True, methods=["post"], permission_classes=[IsAuthenticated, ReadByPostPermissions])
    def acknowledge(self, request, pk=None):
        escalation = self.get_object()
        if not request.user.has_perm("compliance.change_findingescalation"):
            raise PermissionDenied
        try:
            escalation = services.acknowledge_escalation(escalation, request.user.get_username())
        except services.BadInput as exc:
            raise _bad(exc) from exc
        return Response(FindingEscalationSerializer(escalation).data)


class RegulationViewSet(RestrictedReadOnlyViewSet):
    """``GET /api/regulations/?q=``: words of title, document number or text, in force first."""

    queryset = Regulation.objects.all()
    serializer_class = RegulationSerializer
    lookup_value_regex = "[^/]{1,60}"
    extra_query_params = ("q",)  # read in get_queryset (core/api/filters.py: others are a 400)

    def get_queryset(self):
        queryset = super().get_queryset()
        if self.action == "list":
            return services.search_regulations(self.request.query_params.get("q", ""), queryset)
        return queryset
