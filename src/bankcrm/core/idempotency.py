"""``Idempotency-Key`` on every POST of the API (issue 15.3; after Fineract, Stripe and the IETF draft).

A client that did not hear the answer to a POST (a timeout, a dropped connection) sends it again
with the same key. Within 24 hours:

* same key, same request (method, path and body) → the first answer again (status and body, with
  ``Idempotent-Replayed: true``); the view does not run, so nothing is created twice;
* same key, another request → 422 ``{"detail"}``: a client bug that must not pass silently;
* same key while the first is still being processed → 409 ``{"detail"}`` (retry later).

Keys are per user (core.models.IdempotencyKey): the user is found with the API's own
authenticators before the view runs. Requests that are not signed in pass through untouched (the
view answers 401). What is kept: answers below 500 except 401 and 429, which say the request was
not processed (credentials, throttled): a retry with the same key then really runs. A 5xx frees the
key too. Expired keys are deleted whenever a new key is stored (one indexed delete), so the table
holds at most a day of POSTs.

Reads sent as POST (search, reveal: actions a viewset lists in ``reads_by_post``, or guarded by
``ReadByPostPermissions``) are not kept: they create nothing, and
keeping their answers would store personal data outside the access log, whose entry each read needs.
"""

import datetime as dt
import hashlib

from django.db import IntegrityError, transaction
from django.http import HttpResponse, JsonResponse
from django.urls import Resolver404, resolve
from django.utils import timezone
from django.utils.translation import gettext

HEADER = "Idempotency-Key"
KEEP_FOR = dt.timedelta(hours=24)
# A key still "being processed" after this long belongs to a request whose worker was killed (the
# server's timeout is 120 s, bankcrm serve): it is freed so the client's retry runs. The killed
# attempt may have committed before it died; the retry then meets the service's own checks.
PROCESSING_LEASE = dt.timedelta(minutes=5)
MAX_KEY_LENGTH = 255
NOT_KEPT = {401, 429}


def _fingerprint(request) -> str:
    digest = hashlib.sha256()
    for part in (request.method.encode(), request.path.encode(), request.body):
        digest.update(len(part).to_bytes(8, "big"))
        digest.update(part)
    return digest.hexdigest()


def _api_user(request):
    """The user the API view will see (token or session), or None; never raises."""
    from rest_framework.exceptions import APIException
    from rest_framework.request import Request
    from rest_framework.settings import api_settings

    drf_request = Request(request)
    for authenticator_class in api_settings.DEFAULT_AUTHENTICATION_CLASSES:
        try:
            found = authenticator_class().authenticate(drf_request)
        except APIException:
            return None
        if found is not None:
            return found[0]
    return None


def _is_read_by_post(request) -> bool:
    from bankcrm.core.api.views import ReadByPostPermissions

    try:
        match = resolve(request.path_info)
    except Resolver404:
        return False
    view_class = getattr(match.func, "cls", None)
    if view_class is None:
        return False
    permissions = getattr(view_class, "permission_classes", [])
    actions = getattr(match.func, "actions", None) or {}
    if actions.get("post") in getattr(view_class, "reads_by_post", ()):
        return True
    handler = getattr(view_class, actions.get("post", "post"), None)
    # A @action may declare its own permission classes.
    permissions = (getattr(handler, "kwargs", None) or {}).get("permission_classes", permissions)
    return any(isinstance(p, type) and issubclass(p, ReadByPostPermissions) for p in permissions)


def _error(message: str, status: int) -> JsonResponse:
    return JsonResponse({"detail": message}, status=status)


class IdempotencyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        key = request.headers.get(HEADER)
        if request.method != "POST" or key is None or not request.path.startswith("/api/"):
            return self.get_response(request)
        key = key.strip()
        if not key or len(key) > MAX_KEY_LENGTH:
            message = gettext("the Idempotency-Key header must be 1 to %(n)s characters") % {"n": MAX_KEY_LENGTH}
            return JsonResponse({"detail": message, "errors": {HEADER: [message]}}, status=400)
        user = _api_user(request)
        if user is None or _is_read_by_post(request):
            return self.get_response(request)
        return self._once(request, user, key)

    def _once(self, request, user, key: str, *, retried: bool = False):
        from .models import IdempotencyKey

        now = timezone.now()
        fingerprint = _fingerprint(request)
        try:
            with transaction.atomic():
                IdempotencyKey.objects.filter(created__lt=now - KEEP_FOR).delete()
                record = IdempotencyKey.objects.create(user=user, key=key, fingerprint=fingerprint, created=now)
        except IntegrityError:
            abandoned, _ = IdempotencyKey.objects.filter(
                user=user,
                key=key,
                fingerprint=fingerprint,
                status_code__isnull=True,
                created__lt=now - PROCESSING_LEASE,
            ).delete()
            if abandoned and not retried:
                return self._once(request, user, key, retried=True)
            return self._replay(user, key, fingerprint)
        try:
            response = self.get_response(request)
        except BaseException:
            IdempotencyKey.objects.filter(pk=record.pk).delete()
            raise
        if response.status_code >= 500 or response.status_code in NOT_KEPT or response.streaming:
            IdempotencyKey.objects.filter(pk=record.pk).delete()  # not processed: a retry really runs
            return response
        if hasattr(response, "render") and callable(response.render) and not response.is_rendered:
            response.render()
        IdempotencyKey.objects.filter(pk=record.pk).update(
            status_code=response.status_code,
            content_type=response.get("Content-Type", "")[:100],
            body=bytes(response.content),
        )
        return response

    def _replay(self, user, key: str, fingerprint: str):
        from .models import IdempotencyKey

        record = IdempotencyKey.objects.filter(user=user, key=key).first()
        if record is None:  # expired and deleted between our insert and this read: extremely rare
            return _error(gettext("a request with this Idempotency-Key is still being processed"), 409)
        if record.fingerprint != fingerprint:
            return _error(
                gettext(
                    "this Idempotency-Key was already used with another request (method, path or body); "
                    "use a new key for a new request"
                ),
                422,
            )
        if record.status_code is None:
            return _error(gettext("a request with this Idempotency-Key is still being processed"), 409)
        response = HttpResponse(bytes(record.body), status=record.status_code, content_type=record.content_type)
        response["Idempotent-Replayed"] = "true"
        return response
