from django.utils.cache import patch_cache_control

from .context import acting_as


def client_address(request) -> str:
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    return forwarded.split(",")[0].strip() if forwarded else request.META.get("REMOTE_ADDR", "")


class RequestContextMiddleware:
    """Binds the signed-in user and a request id to the change and access logs."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and not user.is_authenticated:
            user = None
        with acting_as(user, remote_addr=client_address(request)) as ctx:
            request.request_id = ctx.request_id
            response = self.get_response(request)
        return response


class NoStoreMiddleware:
    """``Cache-Control: no-store`` on every page and API answer (static files are served before this).

    Pages, the 360, reveals and exports carry personal data; a shared proxy, the browser's disk
    cache or its back button must keep none of it. Marking every dynamic answer is simpler to
    prove than deciding page by page, and nothing of value is lost: these answers are per user.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        patch_cache_control(response, no_store=True, private=True)
        return response
