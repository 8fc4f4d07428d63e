"""Loans classed too leniently on the data-quality page, beside the customer findings, in scope.

C001 (B001) has loan LA: 95 days overdue, classed special mention — the 2023 rules want at least
substandard above 90 days; and LB: 10 days overdue, special mention (at its floor: no finding).
C002 (B002) has LC: 400 days overdue, classed doubtful (at least loss above 360 days).
"""

import datetime as dt

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from bankcrm.core import warehouse

pytestmark = pytest.mark.django_db


@pytest.fixture
def loans(small_bank, settings, tmp_path):
    from bankcrm.customers.models import Account, Product

    settings.WAREHOUSE_DIR = tmp_path / "warehouse"
    Product.objects.create(code="LN01", name="个人住房贷款", category="loan")
    for account, customer in (("LA", "C001"), ("LB", "C001"), ("LC", "C002")):
        Account.objects.create(
            account_no=account, customer_id=customer, product_id="LN01", open_date=dt.date(2020, 1, 1), status="active"
        )
    rows = [("LA", 95, "special_mention"), ("LB", 10, "special_mention"), ("LC", 400, "doubtful")]
    table = pa.table(
        {
            "account_no": [r[0] for r in rows],
            "principal_cents": [100_000] * 3,
            "overdue_principal_cents": [1_000] * 3,
            "overdue_interest_cents": [0] * 3,
            "overdue_days": [r[1] for r in rows],
            "five_class": [r[2] for r in rows],
        },
        schema=warehouse.LOANS_SCHEMA,
    )
    day = dt.date(2026, 10, 31)
    warehouse.replace_partition("loans", day, lambda f: pq.write_table(table, f / "part-0.parquet"))
    return small_bank


def test_head_office_sees_every_lenient_loan_with_its_floor(client, loans, make_login):
    client.force_login(make_login("ho", "head_office"))
    response = client.get("/ingest/quality/")
    found = response.context["loan_findings"]
    assert found["as_of"] == dt.date(2026, 10, 31) and found["count"] == 2
    assert [(f["account_no"], f["customer_no"], f["minimum_class"]) for f in found["rows"]] == [
        ("LA", "C001", "substandard"),
        ("LC", "C002", "loss"),
    ]
    html = response.content.decode()
    assert 'data-count="loan-findings">2<' in html and 'data-account="LB"' not in html
    assert "次级" in html and "损失" in html  # the floors, in Chinese by default
    assert 'href="/reports/loans/#loan-findings"' in html and 'href="/customers/C002/"' in html


def test_branch_sees_its_own_lenient_loans_only(client, loans, make_login):
    client.force_login(make_login("mgr", "branch_manager", branch_code="B001"))
    found = client.get("/ingest/quality/").context["loan_findings"]
    assert [f["account_no"] for f in found["rows"]] == ["LA"] and found["count"] == 1
    client.force_login(make_login("mgr2", "branch_manager", branch_code="B002"))
    html = client.get("/ingest/quality/").content.decode()
    assert 'data-account="LC"' in html and 'data-account="LA"' not in html


def test_without_a_loans_file_the_section_says_so(client, small_bank, settings, tmp_path, make_login):
    settings.WAREHOUSE_DIR = tmp_path / "empty"
    client.force_login(make_login("ho", "head_office"))
    response = client.get("/ingest/quality/")
    assert response.context["loan_findings"] == {"as_of": None, "count": 0, "rows": []}
    assert 'data-count="loan-findings">0<' in response.content.decode()
