"""A branch manager's 旬报 in a real browser: drill into a relationship manager, download the Excel;
a relationship manager sees only their own targets."""

import datetime as dt
from io import BytesIO

import pytest

from reports_data import ReportBank, build

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.filterwarnings("ignore::pytest.PytestUnhandledThreadExceptionWarning"),
]
PASSWORD = "pw-for-tests-1"
TARGETS = """period,unit,indicator,basis,target
2026-11,branch:B001,deposit_avg,balance,20000.00
2026-11,rm:S001,sales_amount,sum,250000
2026-11,rm:S002,fee_income,sum,150.00
"""


@pytest.fixture
def bank(small_bank, settings, tmp_path, make_login):
    from django.core.management import call_command

    settings.WAREHOUSE_DIR = tmp_path / "warehouse"
    settings.BANKCRM_HOME = tmp_path
    build(ReportBank(small_bank)).refresh()
    folder = tmp_path / "targets"
    folder.mkdir()
    (folder / "targets.csv").write_text(TARGETS, encoding="utf-8")
    call_command("targets", "import", str(folder))
    make_login("mgr", "branch_manager", branch_code="B001")
    make_login("rm1", "rm", staff_no="S001")


def test_branch_manager_drills_into_an_rm_and_downloads_the_xun_report(bank, sign_in, live_server):
    page = sign_in("mgr", PASSWORD, viewport={"width": 1024, "height": 768})  # a tablet held sideways
    page.set_default_timeout(120_000)  # the first report of a fresh warehouse may refresh it; CI is shared
    page.click("nav a[href='/reports/']")
    page.fill("#id_as_of", "2026-11-12")
    page.click("#report-form button[type=submit]")
    page.wait_for_selector("#report-table tr[data-unit='branch:B001']")
    assert page.locator("#report-table tr[data-unit='branch:B001A']").count() == 1  # the sub-branch below
    assert page.locator("#report-table tr[data-unit='rm:S002']").count() == 0  # B002's
    page.wait_for_load_state("networkidle")  # htmx has swapped and settled: the drill link is live
    page.click("a[data-drill='rm:S001']")
    page.wait_for_selector("h1[data-unit='rm:S001']")
    row = page.locator("#report-table tr[data-unit='rm:S001']")
    assert "13,000.02" in row.inner_text()  # the rm's deposit balance on 11-12
    with page.expect_download() as info:
        page.click("a[data-export='xlsx']")
    from openpyxl import load_workbook

    assert info.value.suggested_filename == "report-rm-S001-xun-2026-11-12.xlsx"
    with open(info.value.path(), "rb") as fh:
        ws = load_workbook(BytesIO(fh.read())).active
    rows = list(ws.iter_rows(values_only=True))
    assert rows[0][0] == "王芳 经营指标报表（2026-11X2）"
    assert rows[3][2] == "rm:S001" and rows[3][3] == 13000.02


def test_rm_sees_only_their_own_targets(bank, sign_in, live_server):
    page = sign_in("rm1", PASSWORD)
    page.set_default_timeout(120_000)
    page.goto(f"{live_server.url}/reports/targets/?as_of=2026-11-12")
    page.wait_for_selector(".chart[data-rendered='1'] canvas")
    units = page.locator("#targets-table tbody tr").evaluate_all("rows => rows.map(r => r.dataset.unit)")
    assert units == ["rm:S001"]
    page.click("nav a[href='/reports/mine/']")
    page.wait_for_selector("[data-remaining='150000.00']")
    assert dt.date(2026, 11, 30).isoformat() in page.locator("[data-remaining]").first.inner_text()


def test_loan_book_on_a_768px_tablet(bank, sign_in, live_server):
    """The branch manager's loan book held upright: the three charts draw and nothing overflows sideways."""
    page = sign_in("mgr", PASSWORD, viewport={"width": 768, "height": 1024})
    page.set_default_timeout(120_000)
    page.goto(f"{live_server.url}/reports/loans/")
    page.wait_for_selector("h1[data-unit='branch:B001']")
    for chart in ("buckets-chart", "npl-chart", "roll-chart"):
        page.wait_for_selector(f"#{chart}[data-rendered='1'] canvas")
    # 11-12 (the latest loans file): A2 45 days overdue 50,000.00; A6 1.00 substandard → 1 ÷ 50,001 = 0.00 %
    assert page.locator("[data-kpi='overdue_balance']").inner_text() == "50,000.00"
    assert page.locator("[data-kpi='npl_ratio_pct']").inner_text() == "0.00%"
    assert page.evaluate("document.documentElement.scrollWidth") <= 768
    assert "贷款质量" in page.title()
