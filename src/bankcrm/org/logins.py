"""Sign-in protection per address (issue 8.6, docs/security.md "Lock-out and slow-down").

django-axes locks a *username at an address* after 5 failures (settings AXES_LOCKOUT_PARAMETERS).
An address on its own is never locked: behind the bank's proxy, or in a branch behind one NAT
address, that would let one person lock out everyone. Instead, an address with many failures in
the cool-off window is slowed down: from the 20th failure every further attempt waits 2, 4, 8, …
seconds (at most 60) after the last failure — about one guess a minute, while a colleague at the
same address who types the right password waits at most a minute.
"""

import math

from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm
from django.db.models import Max, Sum
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone

from bankcrm.core.middleware import client_address

SLOWDOWN_AFTER = 20  # failures from one address within AXES_COOLOFF_TIME: 4 users × 5 typos
SLOWDOWN_MAX_SECONDS = 60


def slowdown_seconds(failures: int) -> int:
    """The wait after the last failure for an address with ``failures`` failures in the window."""
    if failures < SLOWDOWN_AFTER:
        return 0
    return min(SLOWDOWN_MAX_SECONDS, 2 ** (failures - SLOWDOWN_AFTER + 1))


def address_retry_after(address: str) -> int:
    """Seconds this address must still wait before its next sign-in attempt (0: go ahead)."""
    from axes.models import AccessAttempt

    now = timezone.now()
    window = now - timezone.timedelta(hours=settings.AXES_COOLOFF_TIME)
    seen = AccessAttempt.objects.filter(ip_address=address, attempt_time__gte=window).aggregate(
        failures=Sum("failures_since_start"), last=Max("attempt_time")
    )
    delay = slowdown_seconds(seen["failures"] or 0)
    if not delay:
        return 0
    remaining = (seen["last"] + timezone.timedelta(seconds=delay) - now).total_seconds()
    return max(0, math.ceil(remaining))


class LoginSlowdownMiddleware:
    """Answers 429 with Retry-After to a sign-in (page or admin) from an address that must wait.

    Runs before the view, so a slowed attempt is not checked and not counted as a failure.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self._paths: frozenset[str] | None = None

    def __call__(self, request):
        if request.method == "POST" and settings.AXES_ENABLED:
            if self._paths is None:
                self._paths = frozenset({reverse("login"), reverse("admin:login")})
            if request.path in self._paths and (wait := address_retry_after(client_address(request))):
                response = render(
                    request,
                    "registration/login.html",
                    {"form": AuthenticationForm(request), "slowed_seconds": wait},
                    status=429,
                )
                response["Retry-After"] = str(wait)
                return response
        return self.get_response(request)
