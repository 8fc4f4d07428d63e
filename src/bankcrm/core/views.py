"""Base classes for pages: the scoping door and the one htmx helper live here."""

from django.contrib.auth.mixins import LoginRequiredMixin
from django.shortcuts import render
from django.views.generic.base import ContextMixin
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.permissions import AllowAny, BasePermission


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
    # A relationship manager starts the day on their 今日 page (issue 14): whoever keeps tasks as a
    # staff member (a permission and a staff link, so core needs no role table).
    if user.has_perm("campaigns.add_rmtask") and getattr(getattr(user, "profile", None), "staff_id", None):
        return redirect("campaigns:today")
    return redirect("analytics:dashboard")


def healthz(request):
    """Liveness: the process answers. It touches nothing else (readiness is /readyz/)."""
    from django.http import JsonResponse

    return JsonResponse({"status": "ok"})


class DocsReaders(BasePermission):
    """Signed-in users, or anyone with bankcrm.toml ``[api] docs_public = true`` (issue 15.6)."""

    def has_permission(self, request, view):
        from django.conf import settings

        return settings.BANKCRM_API["docs_public"] or bool(request.user and request.user.is_authenticated)


class ApiSchemaView(SpectacularAPIView):
    """/api/schema/: 401 without a login unless the docs are public (checked per request)."""

    permission_classes = [DocsReaders]


class ApiDocsView(SpectacularSwaggerSplitView):
    """/api/docs/ (issue 15.6): a page, so a visitor who is not signed in goes to the login page.

    The split view serves its start-up script as a file: CSP forbids inline scripts. With
    bankcrm.toml ``[api] docs_public = true`` (an internal developer portal) anyone may read it.
    """

    permission_classes = [AllowAny]  # checked in get(): a redirect to the login page, not a JSON 401

    def get(self, request, *args, **kwargs):
        from django.conf import settings
        from django.contrib.auth.views import redirect_to_login

        if not settings.BANKCRM_API["docs_public"] and not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        return super().get(request, *args, **kwargs)


# --- error handlers (urls.py handler400/403/404/500) ---------------------------------------------
# Below /api/ every answer is JSON {"detail": …} (spec/api.md), even from Django's own resolver
# or middleware; pages get the product's own pages (templates/403.html, 404.html, 500.html:
# translated, with the navigation). /api/docs/ is a page.


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


def _role_label(request) -> str:
    # The role's label from the profile's own choices (core may not import org, a higher layer).
    profile = getattr(getattr(request, "user", None), "profile", None)
    display = getattr(profile, "get_role_display", None)
    return str(display()) if display and profile.role else ""


def permission_denied(request, exception):
    """403: the product's own page, translated, with the navigation and the reason (issue 14)."""
    from django.utils.translation import gettext

    if _is_api(request):
        return _json_error(gettext("You do not have permission to perform this action."), 403)
    # A PermissionDenied raised with a message carries a reason written for people (gettext);
    # a bare one gets the general reason naming the user's role.
    reason = str(exception) if exception is not None and str(exception) else ""
    context = {"reason": reason, "role_label": _role_label(request), "request_path": request.path}
    return render(request, "403.html", context, status=403)


def page_not_found(request, exception):
    """404: the product's own page. It never says whether a record exists outside the user's scope."""
    from django.utils.translation import gettext

    if _is_api(request):
        return _json_error(gettext("Not found."), 404)
    return render(request, "404.html", {"request_path": request.path}, status=404)


def server_error(request):
    """500: rendered without the request's context (that may be what failed), still translated."""
    from django.http import HttpResponseServerError
    from django.template import loader

    if _is_api(request):
        return _json_error("Server error.", 500)
    return HttpResponseServerError(loader.get_template("500.html").render())


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
