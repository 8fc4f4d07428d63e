"""The API contract of spec/api.md for complaints."""

import datetime as dt

import pytest
from rest_framework.test import APIClient

from bankcrm.complaints.models import Complaint


@pytest.fixture
def api(handler):
    client = APIClient()
    client.force_authenticate(handler)
    return client


def client_for(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


BODY = {
    "customer_no": "C001",
    "channel": "counter",
    "category": "fees_pricing",
    "received_at": "2026-09-23T10:30:00+08:00",
    "branch_code": "B001",
    "description": "charged twice",
}


def test_create_returns_reference_status_tier_and_deadlines(api):
    r = api.post("/api/complaints/", BODY, format="json")
    assert r.status_code == 201, r.json()
    body = r.json()
    assert body["reference"].startswith("CP-") and body["status"] == "received" and body["tier"] == 1
    assert [{"clock": d["clock"], "due": d["due"]} for d in body["deadlines"]] == [
        {"clock": "decision", "due": "2026-10-08"}
    ]
    assert body["events"][0]["action"] == "register"


def test_create_uk_payment_service_deadlines(api):
    body = {**BODY, "policy": "uk", "payment_service": True, "received_at": "2025-12-22T09:00:00+00:00"}
    r = api.post("/api/complaints/", body, format="json")
    assert r.status_code == 201
    assert {d["clock"]: d["due"] for d in r.json()["deadlines"]} == {
        # Christmas Thu 25, Boxing Day Fri 26 Dec 2025, New Year 1 Jan 2026 are skipped
        "summary_resolution": "2025-12-29",
        "final_response": "2026-01-15",
    }


def test_create_bad_input_gives_per_field_messages(api):
    r = api.post(
        "/api/complaints/",
        {"channel": "fax", "category": "fees_pricing", "received_at": "2026-09-23T10:30:00", "branch_code": "ZZZ"},
        format="json",
    )
    assert r.status_code == 400
    errors = r.json()["errors"]
    assert {"channel", "description", "received_at"} <= set(errors)
    r = api.post("/api/complaints/", {**BODY, "branch_code": "ZZZ", "customer_no": "C999"}, format="json")
    assert r.status_code == 400 and {"branch_code", "customer_no"} <= set(r.json()["errors"])
    assert Complaint.objects.count() == 0


def test_receipt_on_a_uk_holiday_eve_counts_england_and_wales_working_days(api):
    r = api.post(
        "/api/complaints/",
        {**BODY, "policy": "uk", "received_at": "2025-12-24T16:00:00+00:00", "payment_service": False},
        format="json",
    )
    assert r.status_code == 201
    due = {d["clock"]: d["due"] for d in r.json()["deadlines"]}
    # 25, 26 (Boxing Day) Dec 2025 and the weekend are not England & Wales working days: 29, 30, 31.
    assert due["summary_resolution"] == "2025-12-31"


def _iso(moment: dt.datetime) -> str:
    return moment.isoformat(timespec="seconds")


@pytest.mark.parametrize(
    ("language", "words"),
    [("zh-hans", "未来"), ("en", "ahead of the server clock")],
)
def test_receipt_more_than_5_minutes_ahead_of_the_server_clock_is_400(api, language, words):
    """Issue 8.15: a time in the future is a typo or a wrong clock, and it would start the clocks late."""
    ahead = dt.datetime.now(dt.UTC) + dt.timedelta(minutes=6)
    r = api.post("/api/complaints/", {**BODY, "received_at": _iso(ahead)}, format="json", HTTP_ACCEPT_LANGUAGE=language)
    assert r.status_code == 400, r.json()
    body = r.json()
    assert "received_at" in body["errors"] and words in " ".join(body["errors"]["received_at"])
    assert "received_at" in body["detail"]
    assert Complaint.objects.count() == 0


def test_receipt_within_5_minutes_of_clock_skew_is_accepted(api):
    ahead = dt.datetime.now(dt.UTC) + dt.timedelta(minutes=4)
    r = api.post("/api/complaints/", {**BODY, "received_at": _iso(ahead)}, format="json")
    assert r.status_code == 201, r.json()
    assert [e["action"] for e in r.json()["events"]] == ["register"]


def test_receipt_more_than_a_day_before_registration_records_registered_late(api):
    """Issue 8.15 / docs/complaints.md: accepted (the customer complained then), but the gap is on record."""
    received = dt.datetime.now(dt.UTC).replace(microsecond=0) - dt.timedelta(days=3, hours=2)
    r = api.post("/api/complaints/", {**BODY, "received_at": _iso(received)}, format="json")
    assert r.status_code == 201, r.json()
    events = r.json()["events"]
    assert [e["action"] for e in events] == ["register", "registered_late"]
    late = events[1]["data"]
    assert dt.datetime.fromisoformat(late["received_at"]) == received
    assert late["delay_hours"] == 74
    assert dt.datetime.fromisoformat(late["registered_at"]) > received


def test_receipt_within_a_day_is_not_late(api):
    received = dt.datetime.now(dt.UTC) - dt.timedelta(hours=23)
    r = api.post("/api/complaints/", {**BODY, "received_at": _iso(received)}, format="json")
    assert r.status_code == 201
    assert [e["action"] for e in r.json()["events"]] == ["register"]


def test_received_at_defaults_to_now(api):
    body = {k: v for k, v in BODY.items() if k != "received_at"}
    r = api.post("/api/complaints/", body, format="json")
    assert r.status_code == 201
    received = dt.datetime.fromisoformat(r.json()["received_at"])
    assert abs((received - dt.datetime.now(dt.UTC)).total_seconds()) < 60


def test_transition_200_then_409_with_allowed_actions(api):
    ref = api.post("/api/complaints/", BODY, format="json").json()["reference"]
    r = api.post(f"/api/complaints/{ref}/transition/", {"action": "acknowledge", "note": "called back"}, format="json")
    assert r.status_code == 200 and r.json()["status"] == "acknowledged"
    r = api.post(f"/api/complaints/{ref}/transition/", {"action": "acknowledge"}, format="json")
    assert r.status_code == 409
    assert "acknowledged" in r.json()["detail"] and "investigate" in r.json()["detail"]
    # for people: the state and the allowed actions by their labels; for programs: the codes
    assert "已受理" in r.json()["detail"] and "调查" in r.json()["detail"]
    assert r.json()["status"] == "acknowledged" and "investigate" in r.json()["allowed"]
    r = api.post(f"/api/complaints/{ref}/transition/", {"action": "close", "root_cause": "process"}, format="json")
    assert r.status_code == 409
    # not allowed now wins over what the action would need
    assert api.post(f"/api/complaints/{ref}/transition/", {"action": "close"}, format="json").status_code == 409


def test_transition_bad_input_400(api):
    ref = api.post("/api/complaints/", BODY, format="json").json()["reference"]
    r = api.post(f"/api/complaints/{ref}/transition/", {"action": "escalate"}, format="json")
    assert r.status_code == 400 and "reason" in r.json()["errors"]
    r = api.post(f"/api/complaints/{ref}/transition/", {"action": "teleport"}, format="json")
    assert r.status_code == 400 and "action" in r.json()["errors"]
    api.post(f"/api/complaints/{ref}/transition/", {"action": "respond"}, format="json")
    r = api.post(f"/api/complaints/{ref}/transition/", {"action": "close", "satisfaction": "meh"}, format="json")
    assert r.status_code == 400 and "satisfaction" in r.json()["errors"]
    r = api.post(f"/api/complaints/{ref}/transition/", {"action": "close", "satisfaction": ""}, format="json")
    assert r.status_code == 400 and "root_cause" in r.json()["errors"]
    r = api.post(
        f"/api/complaints/{ref}/transition/",
        {
            "action": "close",
            "root_cause": "fee table out of date",
            "satisfaction": "satisfied",
            "compensation": "88.50",
        },
        format="json",
    )
    assert r.status_code == 200 and r.json()["root_cause"] == "fee table out of date"
    assert (r.json()["status"], r.json()["satisfaction"], r.json()["compensation"]) == ("closed", "satisfied", "88.50")


def test_out_of_scope_is_404_and_rm_sees_own_customers(api, make_login):
    ref = api.post("/api/complaints/", BODY, format="json").json()["reference"]  # customer C001 of rm S001
    other_rm = client_for(make_login("lq", "rm", staff_no="S002"))
    assert other_rm.get(f"/api/complaints/{ref}/").status_code == 404
    assert other_rm.post(f"/api/complaints/{ref}/transition/", {"action": "acknowledge"}).status_code == 404
    assert other_rm.get("/api/complaints/").json()["count"] == 0
    own_rm = client_for(make_login("wf", "rm", staff_no="S001"))
    assert own_rm.get(f"/api/complaints/{ref}/").status_code == 200
    # an rm may register but not handle complaints
    assert own_rm.post(f"/api/complaints/{ref}/transition/", {"action": "acknowledge"}).status_code == 403
    west_desk = client_for(make_login("westdesk", "complaint_handler", branch_code="B002"))
    assert west_desk.get(f"/api/complaints/{ref}/").status_code == 404
    east_desk = client_for(make_login("eastdesk", "complaint_handler", branch_code="B001"))
    assert east_desk.get(f"/api/complaints/{ref}/").status_code == 200


def test_rm_cannot_register_for_someone_elses_customer(make_login, small_bank):
    rm = client_for(make_login("lq", "rm", staff_no="S002"))
    r = rm.post("/api/complaints/", BODY, format="json")  # C001 belongs to S001
    assert r.status_code == 400 and "customer_no" in r.json()["errors"]
    r = rm.post("/api/complaints/", {**BODY, "customer_no": "C002", "branch_code": "B002"}, format="json")
    assert r.status_code == 201


def test_list_filters_status_overdue_branch(api):
    old = {**BODY, "received_at": "2025-01-02T09:00:00+08:00"}
    late_ref = api.post("/api/complaints/", old, format="json").json()["reference"]
    api.post(
        "/api/complaints/", {**BODY, "customer_no": "C002", "branch_code": "B002", "received_at": None}, format="json"
    )
    fresh = api.post("/api/complaints/", {**BODY, "received_at": None}, format="json").json()["reference"]
    api.post(f"/api/complaints/{fresh}/transition/", {"action": "acknowledge"}, format="json")
    refs = lambda q: {c["reference"] for c in api.get(f"/api/complaints/?{q}").json()["results"]}  # noqa: E731
    assert refs("overdue=true") == refs("overdue=1") == {late_ref}
    assert late_ref not in refs("overdue=false")
    assert refs("status=acknowledged") == {fresh}
    assert refs("branch=B001") == {late_ref, fresh}
    assert len(refs("branch=H001")) == 3
    detail = api.get(f"/api/complaints/{late_ref}/").json()
    assert detail["deadlines"][0]["state"] == "breached"  # shown even before the sweep ran


def test_anonymous_401(db):
    assert APIClient().get("/api/complaints/").status_code in (401, 403)


def test_schema_includes_complaints(api):
    r = api.get("/api/schema/")
    assert r.status_code == 200 and b"/api/v1/complaints/{reference}/transition/" in r.content


def test_reading_a_complaint_is_access_logged(api):
    from bankcrm.core.models import AccessLog

    ref = api.post("/api/complaints/", BODY, format="json").json()["reference"]
    api.get(f"/api/complaints/{ref}/")
    log = AccessLog.objects.get(action="view")
    assert (log.customer_no, log.detail, log.user_name) == ("C001", ref, "desk")


def test_list_query_count_does_not_grow_with_rows(api):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def count_list_queries():
        with CaptureQueriesContext(connection) as ctx:
            assert api.get("/api/complaints/").status_code == 200
        return len(ctx.captured_queries)

    for _ in range(3):
        api.post("/api/complaints/", BODY, format="json")
    few = count_list_queries()
    for _ in range(7):
        api.post("/api/complaints/", BODY, format="json")
    assert count_list_queries() == few <= 12


def test_head_office_reads_everything_but_cannot_write(api, make_login):
    ref = api.post("/api/complaints/", BODY, format="json").json()["reference"]
    head = client_for(make_login("ho", "head_office"))
    assert head.get(f"/api/complaints/{ref}/").status_code == 200
    assert head.post("/api/complaints/", BODY, format="json").status_code == 403
    assert head.post(f"/api/complaints/{ref}/transition/", {"action": "acknowledge"}).status_code == 403
