"""Issue 15.7: outbound webhooks — queued with the event, sent by ``bankcrm worker``, signed, retried.

Expectations written by hand from the brief and ADR 0606: the signature is HMAC-SHA256 of the raw
body with the subscription's secret, ``sha256=<hex>``; a failed attempt n waits 60 s × 2^(n-1)
(1, 2, 4 … minutes); the 8th failure gives up; nothing is sent while the web request runs.
"""

import datetime as dt
import hashlib
import hmac
import json
import zoneinfo

import pytest
from django.core.management import call_command
from django.utils import timezone
from rest_framework.test import APIClient

from bankcrm.core import webhooks
from bankcrm.core.models import WebhookAttempt, WebhookDelivery, WebhookSubscription
from webhook_receiver import Receiver

SECRET = "s3cret-of-the-integrator"
SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
COMPLAINT = {
    "customer_no": "C001",
    "channel": "counter",
    "category": "fees_pricing",
    "received_at": "2026-09-23T10:30:00+08:00",
    "branch_code": "B001",
    "description": "charged twice",
}


@pytest.fixture
def receiver():
    r = Receiver().start()
    yield r
    r.stop()


@pytest.fixture
def desk(small_bank, make_login):
    client = APIClient()
    client.force_authenticate(make_login("desk", "complaint_handler"))
    return client


def subscribe(receiver, *types, secret=SECRET):
    return WebhookSubscription.objects.create(
        name="core banking", url=receiver.url, secret=secret, event_types=list(types)
    )


def expected_signature(secret: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def test_registration_is_queued_by_the_request_and_sent_signed_by_the_worker(desk, receiver):
    subscribe(receiver, "complaint.registered")
    r = desk.post("/api/v1/complaints/", COMPLAINT, format="json")
    assert r.status_code == 201
    # The request has returned; the endpoint has heard nothing yet, one delivery waits in the table.
    assert receiver.received == []
    assert WebhookDelivery.objects.get().status == "pending"

    call_command("worker", "--once")

    [hit] = receiver.received
    assert hit.headers["X-Bankcrm-Signature"] == expected_signature(SECRET, hit.body)
    assert hit.headers["X-Bankcrm-Event"] == "complaint.registered"
    assert abs(int(hit.headers["X-Bankcrm-Timestamp"]) - timezone.now().timestamp()) < 60
    payload = hit.json
    assert payload["type"] == "complaint.registered"
    assert payload["id"] == hit.headers["X-Bankcrm-Delivery"]
    assert payload["data"]["reference"] == r.json()["reference"]
    assert payload["data"]["status"] == "received" and payload["data"]["policy"] == "cn"
    delivery = WebhookDelivery.objects.get()
    assert (delivery.status, delivery.attempts, delivery.last_status_code) == ("delivered", 1, 200)
    assert WebhookAttempt.objects.get(delivery=delivery).status_code == 200


def test_payload_carries_no_personal_data(desk, receiver):
    subscribe(receiver, "complaint.registered")
    desk.post("/api/v1/complaints/", COMPLAINT, format="json")
    call_command("worker", "--once")
    body = receiver.received[0].body.decode()
    for personal in ("张三", "11010519491231002X", "13812345678", "C001", "charged twice"):
        assert personal not in body


def test_a_wrong_secret_does_not_verify(desk, receiver):
    subscribe(receiver, "complaint.registered")
    desk.post("/api/v1/complaints/", COMPLAINT, format="json")
    call_command("worker", "--once")
    hit = receiver.received[0]
    assert hit.headers["X-Bankcrm-Signature"] != expected_signature("another-secret", hit.body)


def test_transition_is_announced_with_from_and_to_status(desk, receiver):
    reference = desk.post("/api/v1/complaints/", COMPLAINT, format="json").json()["reference"]
    subscribe(receiver, "complaint.transitioned")
    r = desk.post(f"/api/v1/complaints/{reference}/transition/", {"action": "acknowledge"}, format="json")
    assert r.status_code == 200
    call_command("worker", "--once")
    [hit] = receiver.received
    assert hit.json["data"] | {} == {
        "complaint_id": hit.json["data"]["complaint_id"],
        "reference": reference,
        "policy": "cn",
        "tier": 1,
        "action": "acknowledge",
        "from_status": "received",
        "status": "acknowledged",
    }


def test_breach_found_by_the_sweep_is_announced(desk, receiver):
    from bankcrm.complaints.services import sweep

    reference = desk.post("/api/v1/complaints/", COMPLAINT, format="json").json()["reference"]
    subscribe(receiver, "complaint.breached")
    # The cn decision clock of a complaint received 2026-09-23 is due 2026-10-08 (tests/complaints).
    sweep(now=dt.datetime(2026, 10, 20, 9, 0, tzinfo=SHANGHAI))
    call_command("worker", "--once")
    [hit] = receiver.received
    assert hit.json["type"] == "complaint.breached"
    assert (hit.json["data"]["reference"], hit.json["data"]["clock"], hit.json["data"]["due"]) == (
        reference,
        "decision",
        "2026-10-08",
    )


def test_nothing_is_queued_or_sent_for_a_type_not_subscribed(desk, receiver):
    subscribe(receiver, "import.finished", "list_item.assigned")
    desk.post("/api/v1/complaints/", COMPLAINT, format="json")
    assert not WebhookDelivery.objects.exists()
    call_command("worker", "--once")
    assert receiver.received == []


def test_an_inactive_subscription_gets_nothing(desk, receiver):
    sub = subscribe(receiver, "complaint.registered")
    sub.active = False
    sub.save()
    desk.post("/api/v1/complaints/", COMPLAINT, format="json")
    assert not WebhookDelivery.objects.exists()


def test_a_rolled_back_change_announces_nothing(small_bank, receiver):
    from django.db import transaction

    subscribe(receiver, "import.finished")
    with pytest.raises(RuntimeError), transaction.atomic():
        webhooks.publish("import.finished", {"import_run_id": 1, "status": "finished"})
        raise RuntimeError("the change failed")
    assert not WebhookDelivery.objects.exists()


def test_retry_after_a_500_with_exponential_back_off(db, receiver):
    receiver.answers = [500, 503]
    subscribe(receiver, "import.finished")
    t0 = dt.datetime(2026, 12, 1, 2, 0, tzinfo=dt.UTC)
    webhooks.publish("import.finished", {"import_run_id": 7, "status": "finished"}, at=t0)

    webhooks.deliver_due(now=t0)
    delivery = WebhookDelivery.objects.get()
    assert (delivery.status, delivery.attempts, delivery.last_status_code) == ("pending", 1, 500)
    assert delivery.next_attempt_at == t0 + dt.timedelta(minutes=1)

    # Not due yet 59 s later: nothing is sent.
    assert webhooks.deliver_due(now=t0 + dt.timedelta(seconds=59)).attempted == 0
    assert len(receiver.received) == 1

    webhooks.deliver_due(now=t0 + dt.timedelta(minutes=1))
    delivery.refresh_from_db()
    assert (delivery.attempts, delivery.last_status_code) == (2, 503)
    assert delivery.next_attempt_at == t0 + dt.timedelta(minutes=1) + dt.timedelta(minutes=2)

    webhooks.deliver_due(now=t0 + dt.timedelta(minutes=3))
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.last_status_code) == ("delivered", 3, 200)
    # The same body (and so the same id and signature) on every attempt: the receiver can de-duplicate.
    assert len({hit.body for hit in receiver.received}) == 1
    log = list(WebhookAttempt.objects.filter(delivery=delivery).values_list("number", "status_code"))
    assert log == [(1, 500), (2, 503), (3, 200)]


def test_back_off_doubles_and_the_eighth_failure_gives_up(db, receiver):
    receiver.answers = [500] * 8
    subscribe(receiver, "import.finished")
    t = dt.datetime(2026, 12, 1, 2, 0, tzinfo=dt.UTC)
    webhooks.publish("import.finished", {"import_run_id": 7, "status": "failed"}, at=t)
    waits = []
    for _ in range(8):
        webhooks.deliver_due(now=t)
        delivery = WebhookDelivery.objects.get()
        if delivery.next_attempt_at:
            waits.append(int((delivery.next_attempt_at - t).total_seconds()))
            t = delivery.next_attempt_at
    assert waits == [60, 120, 240, 480, 960, 1920, 3840]
    assert (delivery.status, delivery.attempts, delivery.next_attempt_at) == ("failed", 8, None)


def test_an_unreachable_endpoint_is_logged_and_retried(db):
    WebhookSubscription.objects.create(
        name="gone", url="http://127.0.0.1:9/hook", secret=SECRET, event_types=["import.finished"]
    )
    t0 = dt.datetime(2026, 12, 1, 2, 0, tzinfo=dt.UTC)
    webhooks.publish("import.finished", {"import_run_id": 7, "status": "finished"}, at=t0)
    webhooks.deliver_due(now=t0)
    attempt = WebhookAttempt.objects.get()
    assert attempt.status_code is None and "refused" in attempt.error.lower()
    assert WebhookDelivery.objects.get().next_attempt_at == t0 + dt.timedelta(minutes=1)


def test_only_admins_manage_subscriptions_and_read_the_log(small_bank, make_login, receiver):
    admin, head_office = APIClient(), APIClient()
    admin.force_authenticate(make_login("adm", "admin"))
    head_office.force_authenticate(make_login("ho", "head_office"))
    body = {"name": "core", "url": receiver.url, "secret": SECRET, "event_types": ["complaint.registered"]}
    r = admin.post("/api/v1/webhooks/subscriptions/", body, format="json")
    assert r.status_code == 201, r.json()
    assert "secret" not in r.json()
    assert head_office.get("/api/v1/webhooks/subscriptions/").status_code == 403
    assert head_office.get("/api/v1/webhooks/deliveries/").status_code == 403
    assert admin.get("/api/v1/webhooks/deliveries/").status_code == 200


def test_an_unknown_event_type_is_refused_by_field(small_bank, make_login, receiver):
    admin = APIClient()
    admin.force_authenticate(make_login("adm", "admin"))
    body = {"name": "core", "url": receiver.url, "secret": SECRET, "event_types": ["complaint.deleted"]}
    r = admin.post("/api/v1/webhooks/subscriptions/", body, format="json")
    assert r.status_code == 400
    # names the field and the position in the list, and the value refused
    assert "complaint.deleted" in r.json()["errors"]["event_types.0"][0]


def test_delivery_log_in_the_api_shows_each_attempt(small_bank, make_login, receiver):
    receiver.answers = [500]
    subscribe(receiver, "import.finished")
    t0 = dt.datetime(2026, 12, 1, 2, 0, tzinfo=dt.UTC)
    webhooks.publish("import.finished", {"import_run_id": 7, "status": "finished"}, at=t0)
    webhooks.deliver_due(now=t0)
    admin = APIClient()
    admin.force_authenticate(make_login("adm", "admin"))
    [row] = admin.get("/api/v1/webhooks/deliveries/").json()["results"]
    assert row["status"] == "pending" and row["attempts"] == 1
    assert [(a["number"], a["status_code"]) for a in row["log"]] == [(1, 500)]
    assert json.loads(row["body"])["data"]["import_run_id"] == 7


def test_the_change_log_records_a_subscription_but_never_its_secret(small_bank, make_login, receiver):
    from bankcrm.core.models import ObjectChange

    admin = APIClient()
    admin.force_authenticate(make_login("adm", "admin"))
    body = {"name": "core", "url": receiver.url, "secret": SECRET, "event_types": ["complaint.registered"]}
    pk = admin.post("/api/v1/webhooks/subscriptions/", body, format="json").json()["id"]
    admin.patch(f"/api/v1/webhooks/subscriptions/{pk}/", {"secret": "another-secret-of-16"}, format="json")
    changes = ObjectChange.objects.filter(object_id=str(pk), object_repr="core")
    assert [c.action for c in changes.order_by("pk")] == ["create", "update"]
    for change in changes:
        assert SECRET not in json.dumps(change.postchange_data) + json.dumps(change.prechange_data)
        assert "another-secret-of-16" not in json.dumps(change.postchange_data)
    update = changes.get(action="update")
    assert update.prechange_data["secret"] != update.postchange_data["secret"]  # that it changed shows


def test_admins_read_the_delivery_log_in_the_admin(small_bank, make_login, receiver, client):
    receiver.answers = [500]
    subscribe(receiver, "import.finished")
    webhooks.publish("import.finished", {"import_run_id": 7, "status": "finished"})
    webhooks.deliver_due()
    client.force_login(make_login("adm", "admin"))
    delivery = WebhookDelivery.objects.get()
    listing = client.get("/admin/core/webhookdelivery/")
    assert listing.status_code == 200 and b"import.finished" in listing.content
    page = client.get(f"/admin/core/webhookdelivery/{delivery.pk}/change/")
    assert page.status_code == 200
    assert b"HTTP 500" in page.content  # the attempt's error, in the inline log
    form = client.post(
        "/admin/core/webhooksubscription/add/",
        {"name": "x", "url": receiver.url, "secret": SECRET, "event_types": '["complaint.deleted"]', "active": "on"},
    )
    assert form.status_code == 200 and "complaint.deleted" in form.content.decode()  # refused, named
    assert WebhookSubscription.objects.count() == 1
