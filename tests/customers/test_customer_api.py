"""GET /api/customers/ and /api/customers/{no}/ (spec/api.md): search, scope, masking, access log."""

from decimal import Decimal

import pytest

from bankcrm.core.models import AccessLog
from webapi_data import LAST_DAY, token_client

FULL_ID = "11010519491231002X"
FULL_PHONE = "13812345678"


@pytest.fixture
def head_office(bank360, make_login):
    return token_client(make_login("ho", "head_office"))


def numbers(response):
    return [row["customer_no"] for row in response.json()["results"]]


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ("C001", ["C001"]),  # customer_no exact
        ("13812345678", ["C001"]),  # mobile exact
        ("138 1234 5678", ["C001"]),  # spaces typed by a clerk
        ("11010519491231002x", ["C001"]),  # ID number exact, lower-case x
        ("E12345678", ["C003"]),  # passport number
        ("张", ["C001"]),  # name prefix
        ("张三", ["C001"]),
        ("三", []),  # not a prefix: no infix search on names
        ("1381234", []),  # partial numbers find nothing (no fishing through personal data)
        ("C00", []),
    ],
)
def test_search_matches_numbers_exactly_and_names_by_prefix(head_office, q, expected):
    response = head_office.get("/api/customers/", {"q": q})
    assert response.status_code == 200
    assert numbers(response) == expected


def test_name_search_is_in_name_order(head_office, bank360):
    from bankcrm.customers.models import Customer

    for no, name in (("C010", "王五六"), ("C011", "王二"), ("C012", "王五")):
        Customer.objects.create(
            customer_no=no,
            name=name,
            id_type="ID_CARD",
            id_number=f"X{no}",
            branch=bank360["branches"]["B002"],
            onboard_date="2020-01-01",
        )
    names = [r["name"] for r in head_office.get("/api/customers/", {"q": "王"}).json()["results"]]
    assert names == ["王二", "王五", "王五", "王五六"]  # C003 王五 and the three above, by name


def test_search_is_paginated_and_masked(head_office):
    response = head_office.get("/api/customers/", {"page_size": 2})
    body = response.json()
    assert body["count"] == 3
    assert body["next"] and body["previous"] is None
    assert numbers(response) == ["C001", "C002"]
    first = body["results"][0]
    assert first["id_number"] == "110105***********X"
    assert first["phone"] == "138****5678"
    assert first["tier"] == "vip"
    assert FULL_ID not in response.content.decode() and FULL_PHONE not in response.content.decode()


def test_filters_branch_includes_sub_branches_tier_uses_latest_month_rm(head_office):
    assert numbers(head_office.get("/api/customers/", {"branch": "B001"})) == ["C001", "C003"]
    assert numbers(head_office.get("/api/customers/", {"tier": "vip"})) == ["C001"]
    assert numbers(head_office.get("/api/customers/", {"tier": "mass"})) == ["C002"]  # C001 was mass in Sept only
    assert numbers(head_office.get("/api/customers/", {"rm": "S003"})) == ["C003"]
    assert head_office.get("/api/customers/", {"tier": "gold"}).status_code == 400


def test_search_is_scoped_and_logged(bank360, make_login):
    client = token_client(make_login("wf", "rm", staff_no="S001"))
    assert numbers(client.get("/api/customers/")) == ["C001"]
    assert numbers(client.get("/api/customers/", {"q": "13987654321"})) == []  # C002 exists, not theirs
    entry = AccessLog.objects.get(action="search")
    assert entry.user_name == "wf"
    assert entry.detail == "q=139****4321"  # what was searched, masked like the results
    assert entry.path == "/api/customers/"  # the query string (the full number) is not kept


def test_customer_360(head_office):
    response = head_office.get("/api/customers/C001/")
    assert response.status_code == 200
    body = response.json()
    assert body["id_number"] == "110105***********X"
    assert body["phone"] == "138****5678"
    assert FULL_ID not in response.content.decode() and FULL_PHONE not in response.content.decode()
    assert body["balance_date"] == LAST_DAY.isoformat()
    balances = {a["account_no"]: a["balance"] for a in body["accounts"]}
    assert balances == {"A001": "12345.67", "A002": "50000.00", "A003": "199000.00"}
    assert Decimal(body["total_aum"]) == Decimal("62345.67")  # the loan is not AUM
    assert body["snapshot"]["tier"] == "vip" and body["snapshot"]["flags"] == ["kyc_expiring"]
    assert [m["month"] for m in body["aum_by_month"]] == ["2026-09", "2026-10"]
    assert body["kyc"]["risk_level"] == "C3"
    assert [item["kind"] for item in body["list_items"]] == ["kyc_expiring"]
    assert body["contacts"] == []


def test_every_360_call_is_logged_with_who_and_where(bank360, make_login):
    user = make_login("wf", "rm", staff_no="S001")
    client = token_client(user)
    client.get("/api/customers/C001/", REMOTE_ADDR="10.1.2.3")
    client.get("/api/customers/C001/", REMOTE_ADDR="10.1.2.3")
    entries = AccessLog.objects.filter(action="view", customer_no="C001")
    assert entries.count() == 2
    assert {(e.user_name, e.user_id, e.remote_addr, e.path) for e in entries} == {
        ("wf", user.pk, "10.1.2.3", "/api/customers/C001/")
    }


def test_out_of_scope_360_is_404_and_not_logged(bank360, make_login):
    client = token_client(make_login("wf", "rm", staff_no="S001"))
    out_of_scope = client.get("/api/customers/C002/")
    missing = client.get("/api/customers/NOPE/")
    assert out_of_scope.status_code == missing.status_code == 404
    assert out_of_scope.json() == missing.json()  # never a hint that C002 exists
    assert not AccessLog.objects.filter(action="view").exists()


def test_reveal_needs_permission_and_reason_and_is_logged(bank360, make_login):
    rm = token_client(make_login("wf", "rm", staff_no="S001"))
    assert rm.post("/api/customers/C001/reveal/", {}, format="json").status_code == 400
    response = rm.post(
        "/api/customers/C001/reveal/", {"reason": "客户来电核实身份", "fields": ["phone"]}, format="json"
    )
    assert response.status_code == 200
    assert response.json() == {"customer_no": "C001", "phone": FULL_PHONE}
    entry = AccessLog.objects.get(action="reveal")
    assert (entry.customer_no, entry.fields, entry.reason) == ("C001", "phone", "客户来电核实身份")
    assert rm.post("/api/customers/C002/reveal/", {"reason": "look"}, format="json").status_code == 404

    head_office = token_client(make_login("ho", "head_office"))  # reads everything, reveals nothing
    denied = head_office.post("/api/customers/C001/reveal/", {"reason": "curious"}, format="json")
    assert denied.status_code == 403
    assert AccessLog.objects.filter(action="reveal").count() == 1


def test_errors_are_json_with_the_right_status(bank360, api_client):
    unauthenticated = api_client.get("/api/customers/")
    assert unauthenticated.status_code == 401
    assert "detail" in unauthenticated.json()
    bad_token = api_client.get("/api/customers/", HTTP_AUTHORIZATION="Token nope")
    assert bad_token.status_code == 401


def test_search_query_count_does_not_grow_with_rows(head_office, django_assert_max_num_queries):
    # auth token + user perms + count + page + latest month (+ the access log insert)
    with django_assert_max_num_queries(9):
        response = head_office.get("/api/customers/", {"q": "张"})
    assert response.status_code == 200
    with django_assert_max_num_queries(9):
        head_office.get("/api/customers/", {"page_size": 50})


def test_360_query_count_is_fixed(head_office, django_assert_max_num_queries):
    with django_assert_max_num_queries(14):
        assert head_office.get("/api/customers/C001/").status_code == 200


def test_360_lists_the_customers_complaints_when_the_desk_exists(head_office, bank360):
    from django.utils import timezone

    from bankcrm.complaints.models import Complaint

    Complaint.objects.create(
        reference="TS-0001",
        received_at=timezone.now(),
        customer=bank360["c1"],
        branch=bank360["branches"]["B001"],
        channel="phone",
        category="fees_pricing",
        description="年费争议",
    )
    complaints = head_office.get("/api/customers/C001/").json()["complaints"]
    assert [(c["reference"], c["category"]) for c in complaints] == [("TS-0001", "fees_pricing")]
    assert head_office.get("/api/customers/C002/").json()["complaints"] == []
