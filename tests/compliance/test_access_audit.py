"""The access audit: GET /api/access-log/ (compliance and admin only) and the compliance pages."""

import pytest

from bankcrm.campaigns.services import log_contact
from bankcrm.compliance.services import unjustified_views
from bankcrm.core.accesslog import record_access
from bankcrm.core.models import AccessLog
from bankcrm.customers.models import Customer
from webapi_data import page_client, token_client


@pytest.fixture
def viewed(bank360, make_login):
    """wf (rm S001) looks at C001 twice; then C001 is reassigned away from them."""
    rm = make_login("wf", "rm", staff_no="S001")
    client = token_client(rm)
    client.get("/api/customers/C001/", REMOTE_ADDR="10.0.0.7")
    client.get("/api/customers/C001/", REMOTE_ADDR="10.0.0.7")
    client.post("/api/customers/C001/reveal/", {"reason": "核实", "fields": ["phone"]}, format="json")
    return rm


@pytest.mark.parametrize("role", ["compliance", "admin"])
def test_compliance_and_admin_read_the_access_log(viewed, make_login, role):
    client = token_client(make_login(f"u-{role}", role))
    response = client.get("/api/access-log/", {"customer_no": "C001", "user": "wf"})
    assert response.status_code == 200
    rows = response.json()["results"]
    assert [r["action"] for r in rows] == ["reveal", "view", "view"]
    assert rows[1]["remote_addr"] == "10.0.0.7" and rows[1]["user"] == "wf"
    assert rows[0]["fields"] == "phone" and rows[0]["reason"] == "核实"
    assert client.get("/api/access-log/", {"customer_no": "C002"}).json()["count"] == 0


@pytest.mark.parametrize(
    ("role", "kwargs"),
    [("rm", {"staff_no": "S001"}), ("head_office", {}), ("branch_manager", {"branch_code": "B001"})],
)
def test_everyone_else_gets_403(viewed, make_login, role, kwargs):
    user = make_login(f"u-{role}", role, **kwargs)
    response = token_client(user).get("/api/access-log/")
    assert response.status_code == 403
    assert "detail" in response.json()
    assert page_client(user).get("/compliance/access-log/").status_code == 403


def test_access_log_api_needs_authentication(viewed, api_client):
    assert api_client.get("/api/access-log/").status_code == 401


def test_audit_pages(viewed, make_login):
    client = page_client(make_login("audit", "compliance"))
    html = client.get("/compliance/access-log/", {"customer_no": "C001"}).content.decode()
    assert "wf" in html and "10.0.0.7" in html
    reveals = client.get("/compliance/reveals/").content.decode()
    assert "核实" in reveals
    assert client.get("/compliance/exports/").status_code == 200
    assert client.get("/compliance/unjustified/").status_code == 200


def test_views_outside_the_portfolio_without_justification(viewed, make_login, bank360):
    # Still theirs: justified.
    assert not unjustified_views().exists()
    # C001 moves to S003: wf's earlier views are now outside their portfolio, nothing justifies them.
    Customer.objects.filter(pk="C001").update(rm_id="S003")
    bank360["c1"].list_items.all().delete()
    flagged = list(unjustified_views())
    assert [(e.user_name, e.customer_no) for e in flagged] == [("wf", "C001"), ("wf", "C001")]
    html = page_client(make_login("audit", "compliance")).get("/compliance/unjustified/").content.decode()
    assert "C001" in html
    # A contact wf logged for C001 justifies the look.
    Customer.objects.filter(pk="C001").update(rm_id="S001")
    log_contact(Customer.objects.get(pk="C001"), viewed, channel="phone", outcome="reached")
    Customer.objects.filter(pk="C001").update(rm_id="S003")
    assert not unjustified_views().exists()


def test_a_list_item_assigned_to_them_justifies_the_view(viewed, bank360):
    Customer.objects.filter(pk="C001").update(rm_id="S003")
    assert not unjustified_views().exists()  # the kyc_expiring item is assigned to S001


def test_other_roles_views_are_not_in_that_query(bank360, make_login):
    ho = make_login("ho", "head_office")
    record_access("view", user=ho, customer_no="C002")
    assert not unjustified_views().exists()
    assert AccessLog.objects.count() == 1


def test_access_log_lists_have_fixed_query_counts(viewed, make_login, django_assert_max_num_queries):
    user = make_login("audit", "compliance")
    for i in range(30):
        record_access("view", user=user, customer_no=f"C{i:03d}")
    api, client = token_client(user), page_client(user)
    with django_assert_max_num_queries(6):
        assert api.get("/api/access-log/").status_code == 200
    # session read + save, user, permissions, profile, count, page — whatever the number of rows
    with django_assert_max_num_queries(11):
        assert client.get("/compliance/access-log/").status_code == 200
    with django_assert_max_num_queries(11):
        assert client.get("/compliance/unjustified/").status_code == 200
