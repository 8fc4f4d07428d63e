"""The customer search page and the customer 360 page: scoped, masked, logged, htmx actions."""

import re

import pytest

from bankcrm.campaigns.models import ContactLog
from bankcrm.core.models import AccessLog
from bankcrm.customers.models import Customer
from webapi_data import page_client

FULL_ID = "11010519491231002X"
FULL_PHONE = "13812345678"


@pytest.fixture
def rm(bank360, make_login):
    return make_login("wf", "rm", staff_no="S001")


def test_search_page_masks_and_scopes(rm):
    client = page_client(rm)
    html = client.get("/customers/", {"q": "张"}).content.decode()
    assert "C001" in html and "张三" in html
    assert "110105***********X" in html and "138****5678" in html
    assert FULL_ID not in html and FULL_PHONE not in html
    assert "C002" not in client.get("/customers/").content.decode()


def test_search_page_htmx_returns_only_the_table(rm):
    response = page_client(rm).get("/customers/", {"q": "C001"}, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert "<table" in html and "<html" not in html


def test_360_page_is_masked_charted_and_logged(rm):
    client = page_client(rm)
    response = client.get("/customers/C001/", REMOTE_ADDR="10.9.8.7")
    assert response.status_code == 200
    html = response.content.decode()
    assert "110105***********X" in html and "138****5678" in html
    assert FULL_ID not in html and FULL_PHONE not in html
    assert "12,345.67" in html  # latest balance, from the warehouse
    assert 'class="chart" data-chart="' in html  # monthly AUM chart
    assert "vendor/echarts/echarts.min.js" in html
    assert 'hx-get="/customers/C001/aum-daily/"' in html
    # CSP: no inline script anywhere on the page
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html)
    entry = AccessLog.objects.get(action="view")
    assert (entry.user_name, entry.customer_no, entry.remote_addr) == ("wf", "C001", "10.9.8.7")


def test_360_page_out_of_scope_is_404(rm):
    client = page_client(rm)
    assert client.get("/customers/C002/").status_code == 404
    assert client.get("/customers/C002/aum-daily/").status_code == 404
    assert not AccessLog.objects.exists()


def test_daily_aum_partial_charts_the_last_days(rm):
    html = page_client(rm).get("/customers/C001/aum-daily/", HTTP_HX_REQUEST="true").content.decode()
    assert "data-chart" in html
    # AUM excludes the loan: 10,000 + 50,000 on the first day
    assert "60000.00" in html and "62345.67" in html and "2026-10-31" in html


def test_reveal_on_the_page_needs_reason_and_is_logged(rm):
    client = page_client(rm)
    missing = client.post("/customers/C001/reveal/", {"fields": ["id_number"]}, HTTP_HX_REQUEST="true")
    assert missing.status_code == 400
    assert FULL_ID not in missing.content.decode()
    assert not AccessLog.objects.filter(action="reveal").exists()
    shown = client.post(
        "/customers/C001/reveal/", {"reason": "办理挂失", "fields": ["id_number"]}, HTTP_HX_REQUEST="true"
    )
    html = shown.content.decode()
    assert shown.status_code == 200 and FULL_ID in html and FULL_PHONE not in html
    entry = AccessLog.objects.get(action="reveal")
    assert (entry.fields, entry.reason, entry.customer_no) == ("id_number", "办理挂失", "C001")


def test_reveal_without_permission_is_403(bank360, make_login):
    client = page_client(make_login("ho", "head_office"))
    assert client.post("/customers/C001/reveal/", {"reason": "x" * 5, "fields": ["phone"]}).status_code == 403
    assert 'action="/customers/C001/reveal/"' not in client.get("/customers/C001/").content.decode()


def test_log_contact_from_the_360(rm):
    client = page_client(rm)
    response = client.post(
        "/customers/C001/contacts/",
        {"channel": "phone", "outcome": "interested", "note": "想了解理财"},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    assert "想了解理财" in response.content.decode()
    entry = ContactLog.objects.get()
    assert (entry.customer_id, entry.staff_id, entry.user_name) == ("C001", "S001", "wf")
    bad = client.post("/customers/C001/contacts/", {"channel": "pigeon", "outcome": "reached"}, HTTP_HX_REQUEST="true")
    assert bad.status_code == 400


def test_branch_manager_reassigns_within_branch(bank360, make_login):
    client = page_client(make_login("boss", "branch_manager", branch_code="B001"))
    response = client.post("/customers/C001/reassign/", {"rm": "S003"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200 and "S003" in response.content.decode()
    assert Customer.objects.get(pk="C001").rm_id == "S003"
    # an rm of another branch is not a choice
    refused = client.post("/customers/C001/reassign/", {"rm": "S002"}, HTTP_HX_REQUEST="true")
    assert refused.status_code == 400
    assert Customer.objects.get(pk="C001").rm_id == "S003"
    assert client.post("/customers/C002/reassign/", {"rm": "S001"}).status_code == 404


def test_rm_cannot_reassign(rm):
    assert page_client(rm).post("/customers/C001/reassign/", {"rm": "S003"}).status_code == 403
    assert Customer.objects.get(pk="C001").rm_id == "S001"


def test_list_page_query_count(bank360, make_login, django_assert_max_num_queries):
    client = page_client(make_login("ho", "head_office"))
    with django_assert_max_num_queries(12):
        assert client.get("/customers/", {"q": "张"}).status_code == 200
    with django_assert_max_num_queries(12):
        assert client.get("/customers/").status_code == 200


def test_360_page_query_count(rm, django_assert_max_num_queries):
    client = page_client(rm)
    with django_assert_max_num_queries(22):
        assert client.get("/customers/C001/").status_code == 200


def test_an_invalid_filter_shows_no_rows(rm):
    html = page_client(rm).get("/customers/", {"tier": "gold"}).content.decode()
    assert "C001" not in html
