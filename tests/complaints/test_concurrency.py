"""Races that must not lose or duplicate anything (PostgreSQL: SQLite serialises writers anyway)."""

import threading
import time

import pytest
from django.db import connection, connections
from rest_framework.test import APIClient

from bankcrm.complaints import services
from bankcrm.complaints.models import Complaint, ComplaintEvent

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _postgres_only(db):
    if connection.vendor == "sqlite":
        pytest.skip("row locks need PostgreSQL (run with BANKCRM_DATABASE_URL=postgres://…)")


def run_in_threads(target, count):
    barrier = threading.Barrier(count)
    results, errors = [], []

    def work(i):
        try:
            barrier.wait()
            results.append(target(i))
        except Exception as exc:
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=work, args=(i,)) for i in range(count)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results, errors


def test_concurrent_registrations_get_unique_consecutive_references(small_bank, handler):
    branch = small_bank["branches"]["B001"]

    def register(i):
        return [
            services.register_complaint(
                user=handler, branch=branch, channel="phone", category="other", description=f"thread {i} #{n}"
            ).reference
            for n in range(5)
        ]

    results, errors = run_in_threads(register, 8)
    assert not errors
    refs = [r for batch in results for r in batch]
    assert len(refs) == len(set(refs)) == 40
    assert sorted(int(r[-6:]) for r in refs) == list(range(1, 41))


def test_two_handlers_at_once_one_wins_other_gets_409(small_bank, make_login, monkeypatch):
    from bankcrm.complaints import events

    original = events.complaint_acknowledged

    def slow(*args, **kwargs):  # widen the window between reading the state and committing
        time.sleep(0.3)
        return original(*args, **kwargs)

    monkeypatch.setattr(events, "complaint_acknowledged", slow)
    first = make_login("desk1", "complaint_handler")
    second = make_login("desk2", "complaint_handler", branch_code="B001")
    complaint = services.register_complaint(
        user=first, branch=small_bank["branches"]["B001"], channel="counter", category="loan", description="x"
    )
    url = f"/api/complaints/{complaint.reference}/transition/"

    def act(i):
        client = APIClient()
        client.force_authenticate([first, second][i])
        return client.post(url, {"action": "acknowledge", "note": f"by {i}"}, format="json").status_code

    results, errors = run_in_threads(act, 2)
    assert not errors
    assert sorted(results) == [200, 409]
    events = list(ComplaintEvent.objects.filter(complaint=complaint).values_list("action", flat=True))
    assert events == ["register", "acknowledge"]
    assert Complaint.objects.get(pk=complaint.pk).status == "acknowledged"


def test_different_actions_at_once_both_recorded_in_order(small_bank, handler, make_login):
    other = make_login("desk2", "complaint_handler")
    complaint = services.register_complaint(
        user=handler, branch=small_bank["branches"]["B001"], channel="counter", category="loan", description="x"
    )
    complaint = services.investigate(complaint, handler)

    def act(i):
        if i == 0:
            return services.respond(complaint, handler).status
        return services.escalate(complaint, other, reason="customer called again").status

    _results, errors = run_in_threads(act, 2)
    assert not errors, errors  # investigating->responded->escalated or investigating->escalated->responded
    events = list(ComplaintEvent.objects.filter(complaint=complaint).order_by("pk"))
    assert [e.action for e in events][:2] == ["register", "investigate"]
    assert {e.action for e in events[2:]} == {"respond", "escalate"}
    assert events[3].from_status == events[2].to_status  # the chain of states is unbroken
    assert Complaint.objects.get(pk=complaint.pk).status == events[3].to_status
