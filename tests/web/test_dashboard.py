"""The dashboard shows the numbers of the signed-in user's scope, and only those."""

from decimal import Decimal

import pytest
from pages_data import add_snapshots, list_item

pytestmark = pytest.mark.django_db


@pytest.fixture
def bank(small_bank):
    add_snapshots(small_bank)
    c = small_bank["customers"]
    list_item(c["C001"], "edge", 1)
    list_item(c["C004"], "downgraded", 1, status="contacted")
    list_item(c["C002"], "edge", 2)
    return small_bank


def figures_for(client, make_login, role, **scope):
    user = make_login(f"u-{role}-{'-'.join(map(str, scope.values()))}", role, **scope)
    client.force_login(user)
    response = client.get("/analytics/")
    assert response.status_code == 200
    return response, response.context["figures"]


def by_tier(figures):
    return {t["code"]: t for t in figures["tiers"]}


def test_home_redirects_to_dashboard(client, bank, make_login):
    client.force_login(make_login("ho", "head_office"))
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"] == "/analytics/"


def test_anonymous_goes_to_login(client, bank):
    response = client.get("/analytics/")
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")


def test_head_office_sees_the_whole_bank(client, bank, make_login):
    response, figures = figures_for(client, make_login, "head_office")
    assert figures["month"] == "2026-02"
    tiers = by_tier(figures)
    assert figures["totals"]["customers"] == 4
    assert tiers["vip"]["customers"] == 3
    assert tiers["vip"]["aum"] == Decimal("530000.50")
    assert tiers["wealth"]["customers"] == 1
    # 当年新增: February against December 2025 (mass 1, vip 1, wealth 1)
    assert tiers["mass"]["net_increase"] == -1
    assert tiers["vip"]["net_increase"] == 2
    assert tiers["wealth"]["net_increase"] == 0
    assert figures["totals"]["net_increase"] == 1
    migration = {m["code"]: m["n"] for m in figures["migration"]}
    assert migration == {"up": 1, "down": 1, "new": 1, "same": 1}
    # cross-sell: 1 qualified of 4 customers at vip and above
    assert figures["cross_sell_rate"] == Decimal("25.0")
    assert figures["totals"]["dormant"] == 2
    assert figures["totals"]["dormant_potential"] == 1
    lists = {row["kind"]: row for row in figures["lists"]}
    assert lists["edge"]["total"] == 2
    assert lists["downgraded"]["statuses"][1] == 1  # contacted
    html = response.content.decode()
    assert 'class="chart"' in html and "echarts.min.js" in html
    assert 'data-col="aum">530,000.50<' in html  # amounts grouped by thousands, as on statements


def test_rm_sees_only_own_portfolio(client, bank, make_login):
    _response, figures = figures_for(client, make_login, "rm", staff_no="S001")
    tiers = by_tier(figures)
    assert figures["totals"]["customers"] == 2  # C001 and C004
    assert tiers["vip"]["customers"] == 2
    assert tiers["vip"]["aum"] == Decimal("460000.50")
    assert tiers["wealth"]["customers"] == 0
    assert tiers["wealth"]["net_increase"] == -1  # C004 was wealth in December
    assert {row["kind"]: row["total"] for row in figures["lists"]} == {"edge": 1, "downgraded": 1}


def test_branch_manager_sees_branch_and_children(client, bank, make_login):
    _response, figures = figures_for(client, make_login, "branch_manager", branch_code="B001")
    tiers = by_tier(figures)
    # C001 and C004 (B001) and C003 (B001A); not C002 (B002)
    assert figures["totals"]["customers"] == 3
    assert tiers["wealth"]["customers"] == 1
    assert tiers["vip"]["aum"] == Decimal("460000.50")
    assert figures["totals"]["dormant"] == 1


def test_month_switch_and_htmx_partial(client, bank, make_login):
    client.force_login(make_login("ho", "head_office"))
    response = client.get("/analytics/?month=2025-12", headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert response.context["figures"]["totals"]["customers"] == 3
    assert b"<html" not in response.content  # the partial only
    assert response.context["figures"]["has_baseline"] is False  # no December 2024


def test_empty_scope_says_so(client, small_bank, make_login):
    client.force_login(make_login("rm3", "rm", staff_no="S003"))
    response = client.get("/analytics/")
    assert response.status_code == 200
    assert response.context["figures"]["has_data"] is False


def test_dashboard_query_count_does_not_grow_with_data(client, bank, make_login, django_assert_max_num_queries):
    client.force_login(make_login("ho", "head_office"))
    with django_assert_max_num_queries(14):
        client.get("/analytics/")


def test_dashboard_aggregates_without_joining_customers(client, bank, make_login):
    """At a million customers a JOIN per GROUP BY is what makes a dashboard slow."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(make_login("ho", "head_office"))
    with CaptureQueriesContext(connection) as queries:
        client.get("/analytics/")
    snapshot_sql = [q["sql"] for q in queries.captured_queries if "analytics_customermonth" in q["sql"]]
    assert len(snapshot_sql) == 3  # newest month, the month's one GROUP BY, last December
    assert not [sql for sql in snapshot_sql if "customers_customer" in sql]


def test_chinese_by_default_english_on_request(client, bank, make_login):
    client.force_login(make_login("ho", "head_office"))
    assert '<html lang="zh-hans">' in client.get("/analytics/").content.decode()
    client.post("/i18n/setlang/", {"language": "en", "next": "/analytics/"})
    html = client.get("/analytics/").content.decode()
    assert '<html lang="en">' in html


def test_complaint_desk_lands_on_its_queue(client, small_bank, make_login):
    client.force_login(make_login("desk", "complaint_handler"))
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"] == "/complaints/"
