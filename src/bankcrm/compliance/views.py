"""Access audit pages for compliance (and admins): who viewed which customer, when, from where;
revealed personal data; exports; and views outside one's portfolio with nothing to justify them."""

from django.contrib.auth.mixins import PermissionRequiredMixin
from django.views.generic import ListView
from django_filters.views import FilterView

from bankcrm.core.models import AccessLog
from bankcrm.core.views import HtmxTemplateMixin, RestrictedViewMixin

from .filtersets import AccessLogFilterSet
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
