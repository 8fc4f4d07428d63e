"""Errors the integrator sees (spec/api.md, issue 8.16 and 8.17): always JSON {"detail": …}, never 500.

400 adds ``errors: {field: [messages]}``; a request body over the limit is 413 (the API) or a
page (the site); an unknown /api/ path is a JSON 404.
"""

import json

import pytest
from django.test import override_settings

from webapi_data import token_client

THREE_MB = 3 * 1024 * 1024


@pytest.fixture
def desk(small_bank, make_login):
    return make_login("desk", "complaint_handler")


def test_a_3_mb_json_body_is_413_json_not_500(desk):
    body = json.dumps({"channel": "counter", "category": "fees_pricing", "description": "x" * THREE_MB})
    response = token_client(desk).post("/api/complaints/", body, content_type="application/json")
    assert response.status_code == 413
    assert response["Content-Type"].startswith("application/json")
    detail = response.json()["detail"]
    assert "1048576" in detail  # names the limit, in bytes
    from bankcrm.complaints.models import Complaint

    assert not Complaint.objects.exists()


def test_a_body_just_under_the_limit_is_read(desk):
    body = json.dumps({"channel": "counter", "category": "fees_pricing", "description": "x" * 1_000_000})
    response = token_client(desk).post("/api/complaints/", body, content_type="application/json")
    assert response.status_code == 400  # read and validated: no branch for a central desk
    assert set(response.json()["errors"]) == {"branch_code"}


def test_a_3_mb_form_post_on_the_site_is_a_413_page(client, desk):
    client.force_login(desk)
    response = client.post("/complaints/new/", {"description": "x" * THREE_MB, "channel": "phone"})
    assert response.status_code == 413
    html = response.content.decode()
    assert "<html" in html and "1048576" in html
    response = client.post("/complaints/new/", {"description": "x" * THREE_MB}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 413 and "too large" in response.content.decode()


@override_settings(DATA_UPLOAD_MAX_MEMORY_SIZE=10_000)
def test_the_limit_is_a_setting(desk):
    body = json.dumps({"channel": "counter", "category": "fees_pricing", "description": "x" * 20_000})
    response = token_client(desk).post("/api/complaints/", body, content_type="application/json")
    assert response.status_code == 413 and "10000" in response.json()["detail"]


def test_400_is_detail_plus_errors_per_field(desk):
    response = token_client(desk).post(
        "/api/complaints/", {"channel": "fax", "category": "fees_pricing"}, format="json", HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 400
    body = response.json()
    assert set(body) == {"detail", "errors"}
    assert {"channel", "description"} <= set(body["errors"])
    assert all(isinstance(m, list) and all(isinstance(s, str) for s in m) for m in body["errors"].values())
    assert "channel" in body["detail"] and "description" in body["detail"]


def test_malformed_json_is_400_detail(desk):
    response = token_client(desk).post("/api/complaints/", "{not json", content_type="application/json")
    assert response.status_code == 400 and set(response.json()) == {"detail", "errors"}


@pytest.mark.parametrize("path", ["/api/nothing-here/", "/api/complaints/CP-1/", "/api/customers/C001/x/y/"])
def test_unknown_api_path_is_json_404(client, desk, path):
    for c in (client, token_client(desk)):
        response = c.get(path)
        assert response.status_code == 404
        assert response["Content-Type"].startswith("application/json")
        assert set(response.json()) == {"detail"}


def test_unknown_page_is_still_an_html_404(client, desk):
    client.force_login(desk)
    response = client.get("/no-such-page/")
    assert response.status_code == 404 and response["Content-Type"].startswith("text/html")


@pytest.mark.parametrize(
    ("content_type", "body"),
    [
        ("application/x-www-form-urlencoded", "channel=counter&category=fees_pricing&description=x"),
        ("multipart/form-data; boundary=BoUnDaRy", '--BoUnDaRy\r\nContent-Disposition: form-data; name="channel"'
         '\r\n\r\ncounter\r\n--BoUnDaRy--\r\n'),
    ],
)  # fmt: skip
def test_the_api_takes_json_only(desk, content_type, body):
    response = token_client(desk).post("/api/complaints/", body, content_type=content_type)
    assert response.status_code == 415
    assert "detail" in response.json()


def test_the_api_answers_json_even_to_a_browser(desk):
    response = token_client(desk).get(
        "/api/complaints/", HTTP_ACCEPT="text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
    )
    assert response.status_code == 200 and response["Content-Type"].startswith("application/json")
