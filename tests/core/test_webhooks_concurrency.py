"""Two ``bankcrm worker`` processes at once never POST one delivery twice (PostgreSQL: SKIP LOCKED)."""

import threading
import time

import pytest
from django.db import connection, connections

from bankcrm.core import webhooks
from bankcrm.core.models import WebhookDelivery, WebhookSubscription
from webhook_receiver import Receiver

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _postgres_only(db):
    if connection.vendor == "sqlite":
        pytest.skip("row locks need PostgreSQL (run with BANKCRM_DATABASE_URL=postgres://…)")


def test_two_workers_share_the_queue_without_sending_anything_twice(monkeypatch):
    receiver = Receiver().start()
    try:
        WebhookSubscription.objects.create(name="x", url=receiver.url, secret="k" * 16, event_types=["import.finished"])
        for n in range(12):
            webhooks.publish("import.finished", {"import_run_id": n, "status": "finished"})
        original = webhooks._post

        def slow_post(delivery, now):  # hold the row lock a while, as a slow receiver would
            time.sleep(0.05)
            return original(delivery, now)

        monkeypatch.setattr(webhooks, "_post", slow_post)
        barrier, results = threading.Barrier(2), []

        def work():
            try:
                barrier.wait()
                results.append(webhooks.deliver_due())
            finally:
                connections.close_all()

        threads = [threading.Thread(target=work) for _ in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        sent = sorted(hit.json["data"]["import_run_id"] for hit in receiver.received)
        assert sent == list(range(12))
        assert sum(r.delivered for r in results) == 12
        assert set(WebhookDelivery.objects.values_list("status", flat=True)) == {"delivered"}
    finally:
        receiver.stop()
