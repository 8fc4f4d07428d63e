"""Base classes for pages: the scoping door and the one htmx helper live here."""

from django.contrib.auth.mixins import LoginRequiredMixin
from django.shortcuts import render
from django.views.generic.base import ContextMixin


def render_page(request, template_name: str, context: dict, *, partial_template_name: str | None = None, **kwargs):
    """The one htmx helper: the partial for htmx requests, the full page otherwise."""
    if partial_template_name and getattr(request, "htmx", False):
        return render(request, partial_template_name, context, **kwargs)
    return render(request, template_name, context, **kwargs)


class HtmxTemplateMixin(ContextMixin):
    """Class-based-view flavour of ``render_page``: set ``partial_template_name``."""

    partial_template_name: str | None = None

    def get_template_names(self):
        if self.partial_template_name and getattr(self.request, "htmx", False):
            return [self.partial_template_name]
        return super().get_template_names()


class RestrictedViewMixin(LoginRequiredMixin):
    """Every page's queryset goes through ``restrict``; out of scope is a 404.

    A signed-in user without the model permission at all gets 403 (as the API does), not an
    empty page that looks like "no data".
    """

    restrict_action = "view"

    def dispatch(self, request, *args, **kwargs):
        model = getattr(self, "model", None)
        if request.user.is_authenticated and model is not None:
            opts = model._meta
            if not request.user.has_perm(f"{opts.app_label}.{self.restrict_action}_{opts.model_name}"):
                from django.core.exceptions import PermissionDenied

                raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_queryset(self):
        return super().get_queryset().restrict(self.request.user, self.restrict_action)


def home(request):
    """The landing page is the signed-in user's dashboard."""
    from django.contrib.auth.views import redirect_to_login
    from django.shortcuts import redirect

    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    user = request.user
    # The complaint desk has no customer figures to look at: its work is the complaint queue.
    if not user.has_perm("analytics.view_customermonth") and user.has_perm("complaints.view_complaint"):
        return redirect("complaints:queue")
    return redirect("analytics:dashboard")


def healthz(request):
    from django.http import JsonResponse

    return JsonResponse({"status": "ok"})
