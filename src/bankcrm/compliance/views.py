"""Access audit pages for compliance (and admins): who viewed which customer, when, from where;
revealed personal data; exports; and views outside one's portfolio with nothing to justify them.
Below them the rest of the desk: risk indicators, inspection plans, screening cases, regulations."""

from django.contrib import messages
from django.contrib.auth.mixins import PermissionRequiredMixin
from django.db.models import Count
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.views import View
from django.views.generic import DetailView, ListView
from django_filters.views import FilterView

from bankcrm.core.accesslog import record_access
from bankcrm.core.models import AccessLog
from bankcrm.core.views import HtmxTemplateMixin, RestrictedViewMixin

from . import services
from .filtersets import AccessLogFilterSet
from .models import RiskIndicator
from .services import unjustified_views


class AuditMixin(RestrictedViewMixin, PermissionRequiredMixin):
    permission_required = "core.view_accesslog"
    raise_exception = False  # anonymous → login page; signed in without the permission → 403

    def handle_no_permission(self):
        from django.core.exceptions import PermissionDenied

        if self.request.user.is_authenticated:
            raise PermissionDenied
        return super().handle_no_permission()


class AccessLogView(AuditMixin, HtmxTemplateMixin, FilterView):
    model = AccessLog
    filterset_class = AccessLogFilterSet
    template_name = "compliance/access_log.html"
    partial_template_name = "compliance/_access_table.html"
    paginate_by = 100
    preset_action: str | None = None
    tab = "all"

    def get_queryset(self):
        queryset = super().get_queryset().order_by("-time", "-pk")
        if self.preset_action:
            queryset = queryset.filter(action=self.preset_action)
        return queryset

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        query = self.request.GET.copy()
        query.pop("page", None)
        context.update(querystring=query.urlencode(), tab=self.tab)
        return context


class UnjustifiedViewsView(AuditMixin, HtmxTemplateMixin, ListView):
    model = AccessLog
    template_name = "compliance/unjustified.html"
    paginate_by = 100

    def get_queryset(self):
        return unjustified_views(super().get_queryset())

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(tab="unjustified", querystring="")
        return context


# ---- the compliance desk (spec/compliance.md) ------------------------------------------------------


class DeskMixin(AuditMixin):
    """A desk page: the model's view permission, which only compliance and admins hold (org/roles.py)."""

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.setdefault("tab", self.tab)
        context.setdefault("querystring", "")
        return context


class IndicatorsView(DeskMixin, HtmxTemplateMixin, ListView):
    """Each catalogue line with the quarter's value, status, previous value and change; open alerts."""

    permission_required = "compliance.view_riskindicator"
    model = RiskIndicator
    template_name = "compliance/indicators.html"
    tab = "indicators"

    def get_context_data(self, **kwargs):
        from .models import IndicatorAlert, IndicatorValue

        context = super().get_context_data(**kwargs)
        periods = list(IndicatorValue.objects.order_by("-period").values_list("period", flat=True).distinct())
        period = self.request.GET.get("period") or (periods[0] if periods else "")
        try:
            rows = {r["code"]: r for r in services.indicator_rows(period)} if period else {}
        except services.BadInput:
            rows = {}
        context.update(
            period=period,
            periods=periods,
            lines=[(indicator, rows.get(indicator.code)) for indicator in context["object_list"]],
            alerts=IndicatorAlert.objects.filter(acknowledged_at__isnull=True).select_related("value"),
            computed_values=IndicatorValue.objects.filter(period=period, indicator__computed=True).order_by(
                "indicator__position", "unit"
            ),
            quarter=period or services.quarter_of(timezone.localdate()),
        )
        return context


class ComputeIndicatorsView(DeskMixin, View):
    """The desk's trigger for ``bankcrm compliance indicators compute --period Q``."""

    permission_required = "compliance.add_indicatorvalue"
    tab = "indicators"

    def post(self, request):
        from .computed import compute_indicators

        period = request.POST.get("period", "")
        try:
            result = compute_indicators(period)
        except services.BadInput as exc:
            messages.error(request, gettext("Cannot compute: %(reason)s") % {"reason": exc})
            return redirect("compliance:indicators")
        for note in result.notes:
            messages.warning(request, note)
        messages.success(
            request,
            gettext("%(n)d computed values stored for %(period)s.") % {"n": len(result.stored), "period": period},
        )
        return redirect(f"{reverse('compliance:indicators')}?period={period}")


class AcknowledgeAlertView(DeskMixin, View):
    permission_required = "compliance.change_indicatoralert"
    tab = "indicators"

    def post(self, request, pk):
        from .models import IndicatorAlert

        alert = get_object_or_404(IndicatorAlert.objects.restrict(request.user, "view"), pk=pk)
        try:
            services.acknowledge_alert(alert, request.user.get_username(), request.POST.get("note", ""))
        except services.BadInput:
            messages.error(request, gettext("Acknowledging an alert needs a note."))
        else:
            messages.success(request, gettext("Alert acknowledged."))
        return redirect("compliance:indicators")


class PlansView(DeskMixin, HtmxTemplateMixin, ListView):
    permission_required = "compliance.view_inspectionplan"
    template_name = "compliance/plans.html"
    tab = "plans"

    def get_queryset(self):
        from .models import InspectionPlan

        return InspectionPlan.objects.restrict(self.request.user, "view").annotate(sampled=Count("items"))


class PlanDetailView(DeskMixin, HtmxTemplateMixin, DetailView):
    permission_required = "compliance.view_inspectionplan"
    template_name = "compliance/plan_detail.html"
    tab = "plans"

    def get_queryset(self):
        from .models import InspectionPlan

        return InspectionPlan.objects.restrict(self.request.user, "view")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["items"] = self.object.items.order_by("key")
        context["report"] = services.plan_report(self.object)
        return context


class CasesView(DeskMixin, HtmxTemplateMixin, ListView):
    permission_required = "compliance.view_screeningcase"
    template_name = "compliance/cases.html"
    tab = "cases"
    paginate_by = 100

    def get_queryset(self):
        from .models import ScreeningCase

        queryset = ScreeningCase.objects.restrict(self.request.user, "view").select_related("staff")
        if quarter := self.request.GET.get("quarter"):
            queryset = queryset.filter(quarter=quarter)
        return queryset.order_by("-quarter", "staff_id", "rule")


class CaseDetailView(DeskMixin, HtmxTemplateMixin, DetailView):
    permission_required = "compliance.view_screeningcase"
    template_name = "compliance/case_detail.html"
    tab = "cases"

    def get_queryset(self):
        from .models import ScreeningCase

        return ScreeningCase.objects.restrict(self.request.user, "view").select_related("staff")

    def get_object(self, queryset=None):
        case = super().get_object(queryset)
        # every view of a case is in the access log (issue 13)
        record_access("view", user=self.request.user, path=self.request.path, detail=f"screening case {case.pk}")
        return case


class RegulationsView(DeskMixin, HtmxTemplateMixin, ListView):
    permission_required = "compliance.view_regulation"
    template_name = "compliance/regulations.html"
    tab = "regulations"
    paginate_by = 50

    def get_queryset(self):
        from .models import Regulation

        return services.search_regulations(
            self.request.GET.get("q", ""), Regulation.objects.restrict(self.request.user)
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["q"] = self.request.GET.get("q", "")
        return context
