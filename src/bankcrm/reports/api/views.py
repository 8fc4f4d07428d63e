"""Reports API: figures, target completion and scorecards (computed, scoped by unit) and red lines.

Thin: parameters are parsed here, the figures come from services.py, and the units a login may
see come from ``unit_scope`` — itself read through ``restrict`` on branches and staff.
"""

import datetime as dt

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, permissions, viewsets
from rest_framework.exceptions import ValidationError

from bankcrm.core.api.views import RestrictedViewSetMixin
from bankcrm.reports import services
from bankcrm.reports.models import RedLine, Target
from bankcrm.reports.periods import PERIOD_TYPES, BadPeriod
from bankcrm.reports.rollup import latest_day, refresh_if_stale

from .serializers import IndicatorRowSerializer, RedLineSerializer, ScorecardSerializer, TargetResultSerializer


class CanViewReports(permissions.BasePermission):
    message = "You may not see indicator reports."

    def has_permission(self, request, view):
        return request.user.has_perm("reports.view_target")


def _as_of(request) -> dt.date:
    raw = request.query_params.get("as_of")
    if not raw:
        return latest_day()
    try:
        return dt.date.fromisoformat(raw)
    except ValueError as exc:
        raise ValidationError({"as_of": [f"not a date (YYYY-MM-DD): {raw!r}"]}) from exc


def _fresh() -> None:
    refresh_if_stale()  # one refresh at a time (reports/rollup.py)


AS_OF = OpenApiParameter("as_of", dt.date, description="as-of date D (default: the latest balances day)")


class _ComputedViewSet(viewsets.GenericViewSet):
    permission_classes = [permissions.IsAuthenticated, CanViewReports]
    filter_backends: list = []
    queryset = Target.objects.none()  # for the schema; rows are computed

    def _page(self, rows):
        page = self.paginate_queryset(rows)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)


class IndicatorViewSet(_ComputedViewSet):
    serializer_class = IndicatorRowSerializer

    @extend_schema(
        parameters=[
            AS_OF,
            OpenApiParameter("period", str, enum=list(PERIOD_TYPES), description="period type (default month)"),
            OpenApiParameter("unit", str, description="bank, branch:<code> or rm:<staff_no>"),
        ]
    )
    def list(self, request):
        as_of, period = _as_of(request), request.query_params.get("period", "month")
        if period not in PERIOD_TYPES:
            raise ValidationError({"period": [f"unknown period type {period!r}; one of: {', '.join(PERIOD_TYPES)}"]})
        scope = services.unit_scope(request.user)
        units = [u for u in services.report_units() if scope.allows(u)]
        wanted = request.query_params.get("unit")
        if wanted:
            units = [u for u in units if u == wanted]
        _fresh()
        return self._page(services.indicator_rows(as_of, period, units=units) if units else [])


class TargetViewSet(_ComputedViewSet):
    serializer_class = TargetResultSerializer

    @extend_schema(parameters=[AS_OF])
    def list(self, request):
        as_of = _as_of(request)
        _fresh()
        return self._page(services.target_results(as_of, Target.objects.restrict(request.user, "view")))


class ScorecardViewSet(_ComputedViewSet):
    serializer_class = ScorecardSerializer

    @extend_schema(
        parameters=[AS_OF, OpenApiParameter("period", str, description="2026, 2026Q4, 2026-11, 2026-11X2, 2026W47")]
    )
    def list(self, request):
        as_of = _as_of(request)
        period = request.query_params.get("period") or f"{as_of.year:04d}"
        scope = services.unit_scope(request.user)
        _fresh()
        try:
            cards = services.scorecards(period, as_of, allow=scope.allows)
        except BadPeriod as exc:
            raise ValidationError({"period": [str(exc)]}) from exc
        return self._page(cards)


class RedLineViewSet(RestrictedViewSetMixin, mixins.CreateModelMixin, mixins.ListModelMixin, viewsets.GenericViewSet):
    """Compliance records red lines (``reports.add_redline``); readers see those in their scope."""

    queryset = RedLine.objects.select_related("staff")
    serializer_class = RedLineSerializer
    filter_backends: list = []

    def perform_create(self, serializer):
        from bankcrm.core.context import acting_as

        data, user = serializer.validated_data, self.request.user
        try:
            # Token logins are authenticated after the middleware set the context: name the actor here.
            with acting_as(user, remote_addr=self.request.META.get("REMOTE_ADDR", "")):
                serializer.instance = services.add_red_line(
                    data["staff_id"],
                    data["code"],
                    data["date"],
                    note=data.get("note", ""),
                    recorded_by=user.get_username(),
                )
        except services.UnknownUnit as exc:
            raise ValidationError({"staff_no": [str(exc)]}) from exc
