"""The API contract items 3–6 of issue 15, as an integrator meets them.

3. ``Idempotency-Key``: a retried POST answers as the first time and creates nothing.
4. Throttling per user: 429 with ``Retry-After`` and ``{detail}``.
5. ``/api/v1/`` (``/api/`` kept as a deprecated alias), ``ordering``, ``changed_since``, unknown
   query parameters refused.
6. The schema and the docs need a login unless configured open.
"""

import datetime as dt

import pytest
from django.test import override_settings
from django.utils import timezone

from webapi_data import token_client

COMPLAINT = {
    "customer_no": "C001",
    "channel": "counter",
    "category": "fees_pricing",
    "received_at": "2026-09-23T10:30:00+08:00",
    "branch_code": "B001",
    "description": "charged twice",
}


@pytest.fixture
def desk(small_bank, make_login):
    return make_login("desk", "complaint_handler")


def _complaints():
    from bankcrm.complaints.models import Complaint

    return Complaint.objects.count()


# --- 3. Idempotency-Key -------------------------------------------------------------------------


def test_a_retried_post_with_the_same_key_returns_the_first_answer_and_creates_nothing(desk):
    api = token_client(desk)
    first = api.post("/api/v1/complaints/", COMPLAINT, format="json", HTTP_IDEMPOTENCY_KEY="retry-1")
    assert first.status_code == 201, first.json()
    again = api.post("/api/v1/complaints/", COMPLAINT, format="json", HTTP_IDEMPOTENCY_KEY="retry-1")
    assert again.status_code == 201
    assert again.json() == first.json()  # the same reference: the retry did not register a second complaint
    assert again["Idempotent-Replayed"] == "true"
    assert _complaints() == 1


def test_without_a_key_each_post_creates_its_own_record(desk):
    api = token_client(desk)
    references = {api.post("/api/v1/complaints/", COMPLAINT, format="json").json()["reference"] for _ in range(2)}
    assert len(references) == 2 and _complaints() == 2


def test_the_same_key_with_another_body_is_422_and_creates_nothing(desk):
    api = token_client(desk)
    api.post("/api/v1/complaints/", COMPLAINT, format="json", HTTP_IDEMPOTENCY_KEY="k-2")
    other = {**COMPLAINT, "description": "charged three times"}
    response = api.post("/api/v1/complaints/", other, format="json", HTTP_IDEMPOTENCY_KEY="k-2")
    assert response.status_code == 422
    assert set(response.json()) == {"detail"} and "Idempotency-Key" in response.json()["detail"]
    assert _complaints() == 1


def test_keys_are_per_user(desk, make_login):
    """Two integrators who pick the same key each get their own answer (and their own complaint)."""
    other_desk = make_login("desk2", "complaint_handler")
    one = token_client(desk).post("/api/v1/complaints/", COMPLAINT, format="json", HTTP_IDEMPOTENCY_KEY="same")
    two = token_client(other_desk).post("/api/v1/complaints/", COMPLAINT, format="json", HTTP_IDEMPOTENCY_KEY="same")
    assert one.status_code == two.status_code == 201
    assert one.json()["reference"] != two.json()["reference"]


def test_a_key_older_than_24_hours_is_forgotten_and_cleaned_up(desk):
    from bankcrm.core.models import IdempotencyKey

    api = token_client(desk)
    api.post("/api/v1/complaints/", COMPLAINT, format="json", HTTP_IDEMPOTENCY_KEY="old")
    IdempotencyKey.objects.update(created=timezone.now() - dt.timedelta(hours=24, minutes=1))
    again = api.post("/api/v1/complaints/", COMPLAINT, format="json", HTTP_IDEMPOTENCY_KEY="old")
    assert again.status_code == 201 and "Idempotent-Replayed" not in again
    assert _complaints() == 2
    assert IdempotencyKey.objects.count() == 1  # the expired row went when the new one was stored


def test_a_key_left_in_processing_by_a_killed_worker_is_freed_after_its_lease(desk):
    """A worker killed mid-request leaves its key "being processed": 409 for a while, then the retry runs."""
    from bankcrm.core.models import IdempotencyKey

    api = token_client(desk)
    api.post("/api/v1/complaints/", COMPLAINT, format="json", HTTP_IDEMPOTENCY_KEY="killed")
    IdempotencyKey.objects.update(status_code=None, body=b"")  # as if the worker died before answering
    assert api.post("/api/v1/complaints/", COMPLAINT, format="json", HTTP_IDEMPOTENCY_KEY="killed").status_code == 409
    IdempotencyKey.objects.update(created=timezone.now() - dt.timedelta(minutes=6))
    retry = api.post("/api/v1/complaints/", COMPLAINT, format="json", HTTP_IDEMPOTENCY_KEY="killed")
    assert retry.status_code == 201 and "Idempotent-Replayed" not in retry


def test_a_refused_request_is_replayed_too_but_an_unauthenticated_one_is_not_kept(desk):
    from bankcrm.core.models import IdempotencyKey

    api = token_client(desk)
    bad = {**COMPLAINT, "channel": "carrier-pigeon"}
    first = api.post("/api/v1/complaints/", bad, format="json", HTTP_IDEMPOTENCY_KEY="bad")
    again = api.post("/api/v1/complaints/", bad, format="json", HTTP_IDEMPOTENCY_KEY="bad")
    assert first.status_code == again.status_code == 400 and again.json() == first.json()
    from rest_framework.test import APIClient

    anonymous = APIClient().post("/api/v1/complaints/", COMPLAINT, format="json", HTTP_IDEMPOTENCY_KEY="anon")
    assert anonymous.status_code == 401
    assert not IdempotencyKey.objects.filter(key="anon").exists()


def test_a_key_longer_than_255_characters_is_400_naming_the_header(desk):
    response = token_client(desk).post("/api/v1/complaints/", COMPLAINT, format="json", HTTP_IDEMPOTENCY_KEY="k" * 256)
    assert response.status_code == 400
    assert "Idempotency-Key" in response.json()["errors"]
    assert _complaints() == 0


def test_a_read_sent_as_post_is_not_kept_so_each_reveal_is_access_logged(bank360, make_login):
    """Reveal shows full personal data: keeping its answer would store it outside the access log."""
    from bankcrm.core.models import AccessLog, IdempotencyKey

    api = token_client(make_login("mgr", "branch_manager", branch_code="B001"))
    for _ in range(2):
        response = api.post(
            "/api/v1/customers/C001/reveal/", {"reason": "customer on the phone"}, format="json",
            HTTP_IDEMPOTENCY_KEY="reveal-1",
        )  # fmt: skip
        assert response.status_code in (200, 403), response.content
        assert "Idempotent-Replayed" not in response
    assert not IdempotencyKey.objects.exists()
    if response.status_code == 200:
        assert AccessLog.objects.filter(action="reveal").count() == 2


# --- 4. Throttling --------------------------------------------------------------------------------


@pytest.fixture
def low_rates(settings):
    from django.core.cache import cache

    cache.clear()
    settings.BANKCRM_API = {**settings.BANKCRM_API, "throttle_user": "3/minute", "throttle_anon": "2/minute"}
    yield
    cache.clear()


def test_the_fourth_call_in_a_minute_is_429_with_retry_after(desk, low_rates, make_login):
    api = token_client(desk)
    assert [api.get("/api/v1/complaints/").status_code for _ in range(3)] == [200, 200, 200]
    throttled = api.get("/api/v1/complaints/")
    assert throttled.status_code == 429
    assert set(throttled.json()) == {"detail"}
    assert 1 <= int(throttled["Retry-After"]) <= 60
    # Per user: another login still has its allowance.
    assert token_client(make_login("desk2", "complaint_handler")).get("/api/v1/complaints/").status_code == 200


def test_one_user_with_two_tokens_shares_one_allowance(desk, low_rates):
    from rest_framework.test import APIClient

    first = token_client(desk)
    for _ in range(3):
        first.get("/api/v1/complaints/")
    session = APIClient()
    session.force_login(desk)
    assert session.get("/api/v1/complaints/").status_code == 429


# --- 5. Versioned paths, ordering, changed_since, unknown parameters ----------------------------


def test_v1_paths_and_the_unversioned_alias_answer_the_same_and_the_alias_says_it_is_deprecated(desk):
    api = token_client(desk)
    api.post("/api/v1/complaints/", COMPLAINT, format="json")
    v1, alias = api.get("/api/v1/complaints/"), api.get("/api/complaints/")
    assert v1.status_code == alias.status_code == 200
    assert v1.json() == alias.json()
    assert "Deprecation" not in v1
    assert alias["Deprecation"] == "true"
    assert alias["Link"] == '</api/v1/complaints/>; rel="successor-version"'


def test_an_unknown_v1_path_is_a_json_404(desk):
    response = token_client(desk).get("/api/v1/no-such-thing/")
    assert response.status_code == 404 and "detail" in response.json()


def test_a_misspelt_filter_is_400_naming_it_not_ignored(desk):
    response = token_client(desk).get("/api/v1/complaints/?stauts=received")
    assert response.status_code == 400
    body = response.json()
    assert set(body) == {"detail", "errors"}
    assert "stauts" in body["errors"] and "status" in body["errors"]["stauts"][0]  # the message lists the known ones


def test_pagination_format_and_filter_parameters_are_known(desk):
    api = token_client(desk)
    assert api.get("/api/v1/complaints/?status=received&page=1&page_size=10&format=json").status_code == 200


def test_ordering_by_a_field_both_ways_and_by_an_unknown_field_is_400(small_bank, make_login):
    api = token_client(make_login("ho", "head_office"))
    codes = [b["code"] for b in api.get("/api/v1/branches/?ordering=code").json()["results"]]
    assert codes == sorted(codes) and len(codes) >= 2
    assert [b["code"] for b in api.get("/api/v1/branches/?ordering=-code").json()["results"]] == codes[::-1]
    bad = api.get("/api/v1/branches/?ordering=password")
    assert bad.status_code == 400 and "ordering" in bad.json()["errors"]


def test_changed_since_lists_only_what_the_change_log_saw_changed_since(desk):
    from bankcrm.core.models import ObjectChange

    api = token_client(desk)
    old = api.post("/api/v1/complaints/", COMPLAINT, format="json").json()["reference"]
    ObjectChange.objects.update(time=timezone.now() - dt.timedelta(days=2))  # registered two days ago
    new = api.post("/api/v1/complaints/", COMPLAINT, format="json").json()["reference"]
    since = (timezone.now() - dt.timedelta(days=1)).isoformat()
    listed = api.get("/api/v1/complaints/", {"changed_since": since}).json()["results"]
    assert [c["reference"] for c in listed] == [new]
    # A transition of the old one is a change: it comes back into the delta.
    moved = api.post(f"/api/v1/complaints/{old}/transition/", {"action": "acknowledge"}, format="json")
    assert moved.status_code == 200, moved.json()
    listed = api.get("/api/v1/complaints/", {"changed_since": since}).json()["results"]
    assert sorted(c["reference"] for c in listed) == sorted([old, new])


@pytest.mark.parametrize(
    "value",
    ["2026-10-01T00:00:00", "0443-01-01T23:25:00+23:24", "0001-01-01T00:00:00+01:00", "2026-13-01T00:00:00Z"],
    ids=["no-offset", "offset-beyond-14h", "before-year-1-in-utc", "month-13"],
)
def test_changed_since_that_is_no_real_moment_is_400(desk, value):
    """Found by schemathesis on PostgreSQL: an offset of +23:24 was a 500 (the database refuses it)."""
    response = token_client(desk).get("/api/v1/complaints/", {"changed_since": value})
    assert response.status_code == 400 and "changed_since" in response.json()["errors"]


# --- 6. The schema and the docs need a login ---------------------------------------------------


def test_schema_and_docs_need_a_login(db, client):
    from rest_framework.test import APIClient

    assert APIClient().get("/api/schema/").status_code == 401
    docs = client.get("/api/docs/")
    assert docs.status_code == 302 and docs["Location"].startswith("/login/")


def test_schema_with_a_token_is_the_v1_api_and_documents_the_new_contract(desk):
    schema = token_client(desk).get("/api/schema/?format=json").json()
    assert schema["info"]["version"] == "1"
    assert all(path.startswith("/api/v1/") for path in schema["paths"])
    create = schema["paths"]["/api/v1/complaints/"]["post"]
    assert {"name": "Idempotency-Key", "in": "header"}.items() <= create["parameters"][0].items()
    assert {"422", "429"} <= set(create["responses"])
    listing = schema["paths"]["/api/v1/complaints/"]["get"]
    assert {"ordering", "changed_since", "page"} <= {p["name"] for p in listing["parameters"]}
    assert "429" in listing["responses"]


def test_an_internal_developer_portal_may_open_the_docs(db, client, settings):
    settings.BANKCRM_API = {**settings.BANKCRM_API, "docs_public": True}
    assert client.get("/api/docs/").status_code == 200


@override_settings(LANGUAGE_CODE="en")
def test_idempotency_messages_are_translated(desk):
    api = token_client(desk)
    api.post("/api/v1/complaints/", COMPLAINT, format="json", HTTP_IDEMPOTENCY_KEY="zh")
    response = api.post(
        "/api/v1/complaints/", {**COMPLAINT, "description": "x"}, format="json", HTTP_IDEMPOTENCY_KEY="zh",
        HTTP_ACCEPT_LANGUAGE="zh-hans",
    )  # fmt: skip
    assert response.status_code == 422
    assert any("\u4e00" <= ch <= "\u9fff" for ch in response.json()["detail"])


def test_a_nul_character_anywhere_in_the_body_is_400_not_a_database_error(desk):
    """Found by schemathesis on PostgreSQL: a NUL inside a JSON field reached the database (a 500)."""
    body = {**COMPLAINT, "description": "ok", "tags": {"note": ["a\x00b"]}}
    response = token_client(desk).post("/api/v1/complaints/", body, format="json")
    assert response.status_code == 400
    assert set(response.json()) == {"detail", "errors"} and "NUL" in response.json()["detail"]
    assert _complaints() == 0
