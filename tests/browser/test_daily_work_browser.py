"""Issue 14 in a real browser: the compliance officer filters the access log by its action
dropdown and exports it; the branch head ticks work-queue items, hands them and their customers to
one rm of the branch, and downloads the dashboard as Excel."""

import csv
import io
import re

import pytest
from demo_bank import PASSWORD, build_demo_bank

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    # the live server's threads share the in-memory SQLite connection; closing it there only warns
    pytest.mark.filterwarnings("ignore::pytest.PytestUnhandledThreadExceptionWarning"),
]


@pytest.fixture
def bank(transactional_db):
    from bankcrm.org.services import add_user

    bank = build_demo_bank(n_customers=60)
    add_user("hegui", role="compliance", password=PASSWORD)
    return bank


def test_compliance_officer_filters_the_access_log_and_exports_it(bank, sign_in, live_server):
    from bankcrm.core.accesslog import record_access
    from bankcrm.core.models import AccessLog
    from bankcrm.org.models import Staff

    rm = bank["logins"]["rm"]
    record_access("view", user=rm, customer_no="C000001", path="/customers/C000001/")
    record_access("reveal", user=rm, customer_no="C000001", fields="phone", reason="=核实身份", path="/x/")
    record_access("search", user=rm, path="/customers/")
    page = sign_in("hegui", PASSWORD)
    page.goto(f"{live_server.url}/compliance/access-log/")
    page.select_option("select[name=action]", "reveal")  # a dropdown, labelled in Chinese
    assert page.locator("select[name=action] option:checked").inner_text() == "显示完整信息"
    page.click("form[hx-target='#access-results'] button[type=submit]")
    # htmx swaps the table and pushes the filters into the address (no page load)
    # wait_for_url, not wait_for_function: a string predicate is eval'd in the page, which the CSP forbids
    page.wait_for_url(re.compile(r".*[?&]action=reveal(&|$).*"))
    page.wait_for_load_state("networkidle")
    table = page.locator("#access-results table")
    assert table.locator("tbody tr").count() == 1
    row_text = table.locator("tbody tr").first.inner_text()
    assert "wangfang" in row_text and Staff.objects.get(pk="S001").name in row_text and "西湖支行" in row_text
    with page.expect_download() as info:
        page.click("#access-export-csv")
    assert info.value.suggested_filename.startswith("access-log-") and info.value.suggested_filename.endswith(".csv")
    with open(info.value.path(), encoding="utf-8-sig") as fh:
        rows = list(csv.reader(fh))
    assert rows[0][:4] == ["id", "time", "user", "action"]
    assert [(r[2], r[3], r[6]) for r in rows[1:]] == [("wangfang", "reveal", "'=核实身份")]  # formula-safe
    export = AccessLog.objects.get(user_name="hegui", action="export")
    assert "action=reveal" in export.path and "format=csv" in export.path


def test_branch_head_bulk_assigns_and_exports_the_dashboard(bank, sign_in, live_server):
    from openpyxl import load_workbook

    from bankcrm.campaigns.models import ListItem, ListItemEvent
    from bankcrm.customers.models import Customer

    page = sign_in("zhanghang", PASSWORD, viewport={"width": 1024, "height": 768})
    page.goto(f"{live_server.url}/campaigns/queue/?queue=all")
    # the assignee dropdown offers only the people of 西湖支行 and its 网点 (S001, S003, S004, S006)
    offered = page.locator("#bulk-assignee option").evaluate_all("os => os.map(o => o.value).filter(Boolean)")
    assert sorted(offered) == ["S001", "S003", "S004", "S006"]
    cards = page.locator("article.queue-item")
    picked = [int(cards.nth(i).get_attribute("data-item")) for i in range(2)]
    for pk in picked:
        page.check(f"#pick-{pk}")
    page.select_option("#bulk-assignee", "S004")
    page.check("#bulk-customers")
    page.click("#bulk-assign-submit")
    page.wait_for_selector(".alert-success")
    assert "已分配给 S004" in page.locator(".alert-success").inner_text()
    items = ListItem.objects.filter(pk__in=picked)
    assert set(items.values_list("assignee", flat=True)) == {"S004"}
    assert set(Customer.objects.filter(pk__in=items.values("customer_id")).values_list("rm_id", flat=True)) == {"S004"}
    events = ListItemEvent.objects.filter(item_id__in=picked)
    assert {(e.kind, e.to_value, e.user_name) for e in events} == {("reassigned", "S004", "zhanghang")}

    page.goto(f"{live_server.url}/analytics/")
    with page.expect_download() as info:
        page.click("#dashboard-export")
    assert info.value.suggested_filename.startswith("dashboard-")
    with open(info.value.path(), "rb") as fh:
        book = load_workbook(io.BytesIO(fh.read()))
    assert book.sheetnames[0] == "经营看板"
    about = {r[0]: r[1] for r in book["经营看板"].iter_rows(values_only=True)}
    assert about["导出人"] == "zhanghang" and "西湖支行" in about["范围"]
