"""Issue 14, compliance officer: a customer's data-change history (from the change log) on the 360,
for compliance and admins only — for everyone else the section is absent, and nothing on the page
gives the history away."""

import pytest

from bankcrm.core.context import acting_as
from bankcrm.customers.models import Customer
from webapi_data import page_client


@pytest.fixture
def changed(bank360, make_login):
    """The branch head 城东 gives C001 to 赵敏 (S003) on the 360; the import changes the mobile."""
    head = make_login("bm-east", "branch_manager", branch_code="B001")
    response = page_client(head).post("/customers/C001/reassign/", {"rm": "S003"})
    assert response.status_code in (200, 302)
    customer = Customer.objects.get(pk="C001")
    with acting_as(user_name="import"):
        customer.phone = "13900001111"
        customer.save()
    return head


@pytest.mark.parametrize("role", ["compliance", "admin"])
def test_compliance_and_admin_see_who_changed_what_masked(changed, make_login, role):
    html = page_client(make_login(f"u-{role}", role)).get("/customers/C001/").content.decode()
    assert 'id="change-history"' in html and "数据变更记录" in html
    section = html[html.index('id="change-history"') :]
    assert "bm-east" in section and "S001" in section and "S003" in section  # who moved the customer, from, to
    assert "客户经理" in section  # the field by its label, in the user's language
    assert "import" in section
    # the mobile before and after, masked as everywhere else: the change log is no side door
    assert "138****5678" in section and "139****1111" in section
    assert "13812345678" not in html and "13900001111" not in html


@pytest.mark.parametrize(
    ("role", "kwargs"),
    [
        ("rm", {"staff_no": "S003"}),
        ("branch_manager", {"branch_code": "B001"}),
        ("head_office", {}),
    ],
)
def test_everyone_else_gets_no_history_section(changed, make_login, role, kwargs):
    response = page_client(make_login(f"u-{role}", role, **kwargs)).get("/customers/C001/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "change-history" not in html and "数据变更记录" not in html
    assert "bm-east" not in html  # who reassigned the customer
    assert "138****5678" not in html  # the former mobile


def test_a_customer_without_changes_says_so(bank360, make_login):
    html = page_client(make_login("audit", "compliance")).get("/customers/C002/").content.decode()
    section = html[html.index('id="change-history"') :]
    assert "C001" not in section  # another customer's changes stay on their page
