"""Pages: the queue, registration with a live deadline preview, the timeline and actions."""

import datetime as dt

import pytest
from django.utils import timezone

from bankcrm.complaints import policies, services
from bankcrm.complaints.models import Complaint, Deadline

from .conftest import SHANGHAI


@pytest.fixture
def desk_client(client, handler):
    client.force_login(handler)
    return client


def test_queue_sorted_by_nearest_deadline_with_colours(desk_client, register):
    now = timezone.now()
    late = register(when=now - dt.timedelta(days=40))
    soon = register(when=now - dt.timedelta(days=2))
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    Deadline.objects.filter(complaint=soon).update(due_date=tomorrow, due_at=policies.end_of_day("cn", tomorrow))
    fresh = register(when=now - dt.timedelta(hours=1))
    services.sweep()  # a swept breach still sorts first
    html = desk_client.get("/complaints/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert html.index(late.reference) < html.index(soon.reference) < html.index(fresh.reference)
    assert "table-danger" in html and "table-warning" in html and "overdue by" in html
    r = desk_client.get("/complaints/?overdue=true", HTTP_HX_REQUEST="true")
    assert "<html" not in r.content.decode()  # the htmx partial
    assert late.reference in r.content.decode() and fresh.reference not in r.content.decode()


def test_register_page_previews_deadlines_and_registers(desk_client, small_bank):
    r = desk_client.get("/complaints/new/?policy=cn&received_at=2026-09-23T10:30", HTTP_HX_REQUEST="true")
    body = r.content.decode()
    assert "<html" not in body and "decision" in body and "2026-10-08" in body
    r = desk_client.get(
        "/complaints/new/?policy=uk&received_at=2025-12-22T09:00&payment_service=on", HTTP_HX_REQUEST="true"
    )
    assert "summary_resolution" in r.content.decode() and "2026-01-15" in r.content.decode()
    r = desk_client.post(
        "/complaints/new/",
        {"customer_no": "C001", "channel": "phone", "category": "loan", "policy": "cn",
         "received_at": "2026-09-23T10:30", "severity": "low", "description": "rate changed without notice"},
    )  # fmt: skip
    complaint = Complaint.objects.get()
    assert r.status_code == 302 and r["Location"].endswith(f"/complaints/{complaint.reference}/")
    assert complaint.received_at == dt.datetime(2026, 9, 23, 10, 30, tzinfo=SHANGHAI)
    assert complaint.branch_id == "B001"


def test_register_page_shows_field_errors(desk_client, small_bank):
    r = desk_client.post("/complaints/new/", {"customer_no": "C999", "channel": "phone", "category": "loan"})
    assert r.status_code == 200
    body = r.content.decode()
    assert "C999" in body and "invalid-feedback" in body
    assert not Complaint.objects.exists()


def test_register_page_refuses_a_receipt_ahead_of_the_clock_and_notes_a_late_one(desk_client, small_bank):
    """Issue 8.15 on the form: the clerk types the desk's local time (Asia/Shanghai for cn)."""
    form = {"customer_no": "C001", "channel": "phone", "category": "loan", "policy": "cn",
            "severity": "low", "description": "rate changed without notice"}  # fmt: skip
    ahead = timezone.localtime(timezone.now() + dt.timedelta(minutes=10), SHANGHAI)
    r = desk_client.post("/complaints/new/", {**form, "received_at": f"{ahead:%Y-%m-%dT%H:%M}"})
    assert r.status_code == 200 and "未来" in r.content.decode()
    r = desk_client.post(
        "/complaints/new/", {**form, "received_at": f"{ahead:%Y-%m-%dT%H:%M}"}, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert "ahead of the server clock" in r.content.decode()
    assert not Complaint.objects.exists()
    late = timezone.localtime(timezone.now() - dt.timedelta(days=2), SHANGHAI)
    r = desk_client.post("/complaints/new/", {**form, "received_at": f"{late:%Y-%m-%dT%H:%M}"})
    assert r.status_code == 302
    assert list(Complaint.objects.get().events.values_list("action", flat=True)) == ["register", "registered_late"]


def test_detail_timeline_and_actions(desk_client, register):
    c = register()
    r = desk_client.get(f"/complaints/{c.reference}/")
    assert r.status_code == 200 and "2026-10-08" in r.content.decode()
    r = desk_client.post(f"/complaints/{c.reference}/transition/", {"action": "respond", "remedy": "refunded"})
    assert r.status_code == 302
    r = desk_client.post(
        f"/complaints/{c.reference}/transition/",
        {"action": "close", "root_cause": "process", "compensation": "20.00", "satisfaction": "satisfied"},
    )
    c.refresh_from_db()
    assert (c.status, c.root_cause, str(c.compensation), c.satisfaction) == ("closed", "process", "20.00", "satisfied")
    r = desk_client.post(f"/complaints/{c.reference}/transition/", {"action": "investigate"}, follow=True)
    assert "现在不能“调查”" in r.content.decode()
    html = desk_client.get(f"/complaints/{c.reference}/").content.decode()
    assert html.count("list-group-item") >= 3


def test_pages_respect_scope(client, register, make_login):
    c = register()
    client.force_login(make_login("lq", "rm", staff_no="S002"))
    assert client.get(f"/complaints/{c.reference}/").status_code == 404
    assert c.reference not in client.get("/complaints/").content.decode()
    client.force_login(make_login("wf", "rm", staff_no="S001"))
    assert client.get(f"/complaints/{c.reference}/").status_code == 200
    assert client.post(f"/complaints/{c.reference}/transition/", {"action": "acknowledge"}).status_code == 403
    c.refresh_from_db()
    assert c.status == "received"
