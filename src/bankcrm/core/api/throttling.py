"""API throttling per signed-in user and per address for anonymous calls (issue 15.4).

DRF's throttles, with the rates read from settings at each request (``BANKCRM_API`` from
bankcrm.toml ``[api] throttle_user / throttle_anon``) rather than frozen at import, so a test or
an operator's change applies without touching REST_FRAMEWORK. The key is the user, not the token:
one person with two tokens (or a token and a browser session) shares one allowance.

The counters live in Django's cache. ``bankcrm serve`` runs several worker processes, so the cache
is a file cache under BANKCRM_HOME (settings.CACHES): one count for all workers of a host, not one
per process. DRF's read-modify-write is not atomic, so concurrent requests of one user may be
undercounted by a few — a limit against runaway clients, not an exact quota.
Over the rate: 429 ``{"detail": …}`` with ``Retry-After`` in seconds (core/api/exceptions.py).
"""

from django.conf import settings
from rest_framework import throttling


class UserRateThrottle(throttling.UserRateThrottle):
    def get_rate(self) -> str:
        return settings.BANKCRM_API["throttle_user"]


class AnonRateThrottle(throttling.AnonRateThrottle):
    def get_rate(self) -> str:
        return settings.BANKCRM_API["throttle_anon"]
