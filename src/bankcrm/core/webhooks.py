"""Outbound webhooks for integrators (issue 15.7, ADR 0606): an outbox table drained by ``bankcrm worker``.

``publish`` is what the apps call, one line beside the event they record: it writes one
``WebhookDelivery`` per active subscription to that type, *in the caller's transaction*, so a
rolled-back change announces nothing and a committed one is never lost. Nothing is sent by the web
process: ``deliver_due`` (the worker) POSTs the stored body, signed, and retries with exponential
back-off.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import logging
import time
import urllib.error
import urllib.request
import uuid
from dataclasses import dataclass

from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, transaction
from django.utils import timezone

from .models import WebhookAttempt, WebhookDelivery, WebhookEventType, WebhookSubscription

__all__ = ["WebhookEventType", "deliver_due", "publish", "retry_delay", "sign"]

log = logging.getLogger(__name__)

SIGNATURE_HEADER = "X-Bankcrm-Signature"
TIMESTAMP_HEADER = "X-Bankcrm-Timestamp"
EVENT_HEADER = "X-Bankcrm-Event"
DELIVERY_HEADER = "X-Bankcrm-Delivery"

# Back-off: the n-th failed attempt waits FIRST_RETRY_SECONDS * 2**(n-1): 1, 2, 4, 8, 16, 32, 64 min,
# then the 8th failure gives up (about two hours in all: long enough to ride out a deploy of the
# integrator's receiver, short enough that a dead endpoint does not pile up a day of rows).
FIRST_RETRY_SECONDS = 60
MAX_ATTEMPTS = 8
TIMEOUT_SECONDS = 10
BATCH = 100


def sign(secret: str, body: bytes) -> str:
    """The signature header's value: ``sha256=`` and the hex HMAC-SHA256 of the raw body with the secret."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def retry_delay(failed_attempts: int) -> dt.timedelta:
    """How long after the ``failed_attempts``-th failure the next attempt is due."""
    return dt.timedelta(seconds=FIRST_RETRY_SECONDS * 2 ** (failed_attempts - 1))


def publish(event_type: str, data: dict, *, at: dt.datetime | None = None) -> int:
    """Queue ``event_type`` with ``data`` for every active subscriber; return how many deliveries.

    ``data`` carries ids, references and statuses only — never names, ID numbers or phones
    (the integrator reads more through the API, under its own scope and the access log).
    """
    if event_type not in WebhookEventType.values:
        raise ValueError(f"unknown webhook event type {event_type!r}")
    subscriptions = [s for s in WebhookSubscription.objects.filter(active=True) if event_type in s.event_types]
    if not subscriptions:
        return 0
    now = at or timezone.now()
    rows = []
    for subscription in subscriptions:
        delivery_id = uuid.uuid4()
        envelope = {"id": str(delivery_id), "type": event_type, "occurred_at": now.isoformat(), "data": data}
        rows.append(
            WebhookDelivery(
                subscription=subscription,
                event_type=event_type,
                delivery_id=delivery_id,
                body=json.dumps(envelope, cls=DjangoJSONEncoder, ensure_ascii=False, sort_keys=True),
                created=now,
                next_attempt_at=now,
            )
        )
    WebhookDelivery.objects.bulk_create(rows)
    return len(rows)


@dataclass
class DrainResult:
    delivered: int = 0
    retrying: int = 0
    failed: int = 0

    @property
    def attempted(self) -> int:
        return self.delivered + self.retrying + self.failed


def _post(delivery: WebhookDelivery, now: dt.datetime) -> tuple[int | None, str]:
    body = delivery.body.encode()
    request = urllib.request.Request(
        delivery.subscription.url,
        data=body,
        method="POST",
        headers={
            "Content-Type": "application/json; charset=utf-8",
            "User-Agent": "bankcrm-webhooks/1",
            SIGNATURE_HEADER: sign(delivery.subscription.secret, body),
            TIMESTAMP_HEADER: str(int(now.timestamp())),
            EVENT_HEADER: delivery.event_type,
            DELIVERY_HEADER: str(delivery.delivery_id),
        },
    )
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:
            return response.status, ""
    except urllib.error.HTTPError as exc:
        return exc.code, f"HTTP {exc.code} {exc.reason}"[:300]
    except (urllib.error.URLError, OSError, ValueError) as exc:
        reason = getattr(exc, "reason", exc)
        return None, f"{type(exc).__name__}: {reason}"[:300]


def _attempt(delivery: WebhookDelivery, now: dt.datetime) -> str:
    started = time.perf_counter()
    status_code, error = _post(delivery, now)
    duration_ms = int((time.perf_counter() - started) * 1000)
    delivery.attempts += 1
    WebhookAttempt.objects.create(
        delivery=delivery,
        time=now,
        number=delivery.attempts,
        status_code=status_code,
        error=error,
        duration_ms=duration_ms,
    )
    delivery.last_status_code, delivery.last_error = status_code, error
    if status_code is not None and 200 <= status_code < 300:
        delivery.status, delivery.delivered_at, delivery.next_attempt_at = WebhookDelivery.Status.DELIVERED, now, None
    elif delivery.attempts >= MAX_ATTEMPTS:
        delivery.status, delivery.next_attempt_at = WebhookDelivery.Status.FAILED, None
        log.warning("webhook delivery %s to %s given up after %d attempts: %s",
                    delivery.delivery_id, delivery.subscription.url, delivery.attempts, error)  # fmt: skip
    else:
        delivery.next_attempt_at = now + retry_delay(delivery.attempts)
    delivery.save(
        update_fields=["attempts", "status", "next_attempt_at", "last_status_code", "last_error", "delivered_at"]
    )
    return delivery.status


def deliver_due(*, now: dt.datetime | None = None, limit: int = BATCH) -> DrainResult:
    """POST every pending delivery whose attempt is due (oldest first); one attempt each.

    Each delivery is claimed in its own transaction with ``SELECT … FOR UPDATE SKIP LOCKED`` on
    PostgreSQL, so two workers never send the same row twice at once; SQLite has one writer anyway.
    """
    result = DrainResult()
    for _ in range(limit):
        moment = now or timezone.now()
        with transaction.atomic():
            due = WebhookDelivery.objects.select_related("subscription").filter(
                status=WebhookDelivery.Status.PENDING, next_attempt_at__lte=moment
            )
            if connection.features.has_select_for_update_skip_locked:
                due = due.select_for_update(skip_locked=True, of=("self",))
            delivery = due.order_by("next_attempt_at", "pk").first()
            if delivery is None:
                break
            outcome = _attempt(delivery, moment)
        if outcome == WebhookDelivery.Status.DELIVERED:
            result.delivered += 1
        elif outcome == WebhookDelivery.Status.FAILED:
            result.failed += 1
        else:
            result.retrying += 1
    return result
