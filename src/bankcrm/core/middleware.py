import ipaddress
import time
from functools import lru_cache

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils.cache import patch_cache_control

from .context import acting_as

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@lru_cache(maxsize=8)
def _networks(configured: str) -> tuple[Network, ...]:
    networks = []
    for entry in (part.strip() for part in configured.split(",")):
        if not entry:
            continue
        try:
            networks.append(ipaddress.ip_network(entry, strict=False))
        except ValueError as exc:
            raise ImproperlyConfigured(
                f"BANKCRM_TRUSTED_PROXIES: {entry!r} is not an IP address or network (e.g. 10.0.0.5 or 10.0.0.0/24)"
            ) from exc
    return tuple(networks)


def trusted_proxies() -> tuple[Network, ...]:
    return _networks(getattr(settings, "BANKCRM_TRUSTED_PROXIES", "") or "")


def _is_trusted(address: str, networks: tuple[Network, ...]) -> bool | None:
    """True/False for an address inside/outside the trusted networks; None when it is no address at all."""
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return None
    return any(ip in network for network in networks)


def client_address(request) -> str:
    """The address of the person at the other end (access log, lock-out), not a forgeable header.

    ``X-Forwarded-For`` is read only when the socket peer is one of BANKCRM_TRUSTED_PROXIES. Each
    proxy appends the address it received from, so read right to left: skip our own proxies; the
    first address that is not one of them is the client. Everything further left was written by the
    client and may be forged. No such address (only proxies, or garbage from the proxy side) → the
    nearest trusted hop we know, never a guess. Also django-axes' AXES_CLIENT_IP_CALLABLE.
    """
    peer = request.META.get("REMOTE_ADDR", "")
    networks = trusted_proxies()
    if not networks or not _is_trusted(peer, networks):
        return peer
    for hop in reversed(request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")):
        hop = hop.strip()
        trusted = _is_trusted(hop, networks)
        if trusted is None:
            break
        if not trusted:
            return hop
    return peer


KNOWN_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})


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


class RequestLatencyMiddleware:
    """Observes every request's duration for /metrics, labelled by URL pattern (core/prometheus.py)."""

    def __init__(self, get_response):
        from .prometheus import REQUEST_LATENCY  # imported with the handler: after serve set multiprocess mode

        self.get_response = get_response
        self.histogram = REQUEST_LATENCY

    def __call__(self, request):
        started = time.perf_counter()
        response = self.get_response(request)
        match = getattr(request, "resolver_match", None)
        # DRF's routers give regular expressions ("api/v1/complaints/$"): the anchors say nothing.
        route = match.route.replace("^", "").replace("$", "") if match is not None and match.route else "<unmatched>"
        # The method is the client's to choose: an invented one must not open a new series per request.
        method = request.method if request.method in KNOWN_METHODS else "OTHER"
        self.histogram.labels(method, route, str(response.status_code)).observe(time.perf_counter() - started)
        return response


class ApiVersionMiddleware:
    """The unversioned /api/… paths are aliases of /api/v1/… for one release (issue 15.5).

    Their answers say so (``Deprecation: true``, RFC 9745) and name the successor path, so an
    integrator sees it in any HTTP log before the aliases go.
    """

    UNVERSIONED_KEPT = ("/api/v1/", "/api/schema/", "/api/docs/")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        path = request.path
        if path.startswith("/api/") and not path.startswith(self.UNVERSIONED_KEPT):
            response["Deprecation"] = "true"
            response["Link"] = f'</api/v1/{path[len("/api/") :]}>; rel="successor-version"'
        return response
