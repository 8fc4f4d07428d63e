"""The customer 360 in a real browser under the production CSP: charts draw, the htmx forms work,
and the browser reports no Content-Security-Policy violation."""

import pytest

from webapi_data import build_360_data

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.filterwarnings("ignore::pytest.PytestUnhandledThreadExceptionWarning"),
]


@pytest.fixture
def page(sign_in, small_bank, make_login, settings, tmp_path):
    """Signed in as rm S001 (portfolio C001) through the shared browser of tests/browser/conftest.py."""
    settings.WAREHOUSE_DIR = tmp_path / "warehouse"
    settings.BANKCRM_HOME = tmp_path
    build_360_data(small_bank, settings.WAREHOUSE_DIR)
    make_login("wf", "rm", staff_no="S001")
    tab = sign_in("wf", "pw-for-tests-1")
    tab.console_messages = []
    tab.on("console", lambda message: tab.console_messages.append(message.text))
    return tab


def test_360_reveal_and_contact_in_the_browser(page, live_server):
    from bankcrm.campaigns.models import ContactLog
    from bankcrm.core.models import AccessLog

    page.goto(f"{live_server.url}/customers/?q=张")
    page.click("a[href='/customers/C001/']")
    page.wait_for_selector(".chart[data-rendered='1'] canvas")  # the monthly AUM chart
    page.wait_for_selector("#aum-daily .chart[data-rendered='1'] canvas")  # the 90-day one, via htmx
    assert page.inner_text("[data-field=phone]") == "138****5678"

    page.locator("details > summary").first.click()
    page.fill("#id_reason", "客户临柜办理挂失")
    page.locator("form[hx-post$='/reveal/'] button[type=submit]").click()
    page.wait_for_selector("[data-field=phone] .text-danger")
    assert page.inner_text("[data-field=phone]") == "13812345678"
    assert AccessLog.objects.get(action="reveal").reason == "客户临柜办理挂失"

    page.select_option("select[name=channel]", "phone")
    page.select_option("select[name=outcome]", "interested")
    page.fill("textarea[name=note]", "想了解稳健理财")
    page.locator("form[hx-post$='/contacts/'] button[type=submit]").click()
    page.wait_for_selector("#contacts td:has-text('想了解稳健理财')")
    assert ContactLog.objects.get().user_name == "wf"

    violations = [m for m in page.console_messages if "Content Security Policy" in m or "Refused to" in m]
    assert violations == []
