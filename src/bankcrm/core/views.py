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
    if not user.has_perm("customers.view_customermonth") and user.has_perm("complaints.view_complaint"):
        return redirect("complaints:queue")
    return redirect("analytics:dashboard")


def healthz(request):
    from django.http import JsonResponse

    return JsonResponse({"status": "ok"})


# --- error handlers (urls.py handler400/403/404/500) ---------------------------------------------
# Below /api/ every answer is JSON {"detail": …} (spec/api.md), even from Django's own resolver
# or middleware; pages keep Django's HTML pages. /api/docs/ is a page.


def _is_api(request) -> bool:
    return request.path.startswith("/api/") and not request.path.startswith("/api/docs/")


def _json_error(message: str, status: int):
    from django.http import JsonResponse

    return JsonResponse({"detail": message}, status=status)


def bad_request(request, exception):
    from django.core.exceptions import RequestDataTooBig
    from django.utils.translation import gettext
    from django.views import defaults

    from bankcrm.core.api.exceptions import request_too_large_message

    if isinstance(exception, RequestDataTooBig):
        # Django raises it as a 400; the right answer is 413, with the limit, never a 500.
        message = request_too_large_message()
        if _is_api(request):
            return _json_error(message, 413)
        return render(request, "413.html", {"message": message}, status=413)
    if _is_api(request):
        from django.http import JsonResponse

        return JsonResponse({"detail": gettext("Bad request."), "errors": {}}, status=400)
    return defaults.bad_request(request, exception)


def permission_denied(request, exception):
    from django.utils.translation import gettext
    from django.views import defaults

    if _is_api(request):
        return _json_error(gettext("You do not have permission to perform this action."), 403)
    return defaults.permission_denied(request, exception)


def page_not_found(request, exception):
    from django.utils.translation import gettext
    from django.views import defaults

    if _is_api(request):
        return _json_error(gettext("Not found."), 404)
    return defaults.page_not_found(request, exception)


def server_error(request):
    from django.views import defaults

    if _is_api(request):
        return _json_error("Server error.", 500)
    return defaults.server_error(request)


def notification_list(request):
    """The user's own inbox, newest first; 50 a page."""
    from django.contrib.auth.views import redirect_to_login
    from django.core.paginator import Paginator

    from .notifications import inbox

    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    page = Paginator(inbox(request.user), 50).get_page(request.GET.get("page"))
    return render(request, "core/notifications.html", {"page": page})


def notification_read(request, pk=None):
    """POST: mark one notification (``pk``) or all read; ``?open=1`` then follows its link."""
    from django.contrib.auth.views import redirect_to_login
    from django.http import HttpResponseNotAllowed
    from django.shortcuts import get_object_or_404, redirect

    from .notifications import inbox, mark_read, safe_link

    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    if pk is None:
        mark_read(request.user)
        return redirect("core:notifications")
    notification = get_object_or_404(inbox(request.user), pk=pk)  # another user's: 404
    mark_read(request.user, pk=notification.pk)
    if request.POST.get("open") and (link := safe_link(notification)):
        return redirect(link)
    return redirect("core:notifications")
