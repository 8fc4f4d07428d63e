"""Issue 14 in a real browser at tablet width (768 px): the relationship manager lands on the 今日
page, adds an appointment that is due today, sees it counted in the nav badge, and ticks it off."""

import pytest
from demo_bank import PASSWORD, build_demo_bank

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.filterwarnings("ignore::pytest.PytestUnhandledThreadExceptionWarning"),
]

TABLET_PORTRAIT = {"width": 768, "height": 1024}


@pytest.fixture
def bank(transactional_db):
    return build_demo_bank(n_customers=60)


def test_the_rm_plans_the_day_on_the_today_page(bank, sign_in, live_server):
    from django.utils import timezone

    from bankcrm.campaigns.models import RmTask

    errors = []
    page = sign_in("wangfang", PASSWORD, viewport=TABLET_PORTRAIT)
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    assert page.url == f"{live_server.url}/campaigns/today/"  # the rm's home
    assert page.locator("h1").inner_text().strip().startswith("今日")
    for section in ("#today-tasks", "#today-follow-ups", "#today-maturities", "#today-birthdays"):
        assert page.locator(section).is_visible()
    # nothing wider than the tablet: no sideways scrolling
    assert page.evaluate("document.documentElement.scrollWidth") <= 768

    customer_no = next(c.customer_no for c in bank["customers"] if c.rm_id == "S001")  # one of 王芳's
    due = timezone.localtime().replace(hour=23, minute=0)
    page.fill("#task-title", "到网点面谈理财")
    page.select_option("#task-kind", "appointment")
    page.fill("#task-due", f"{due:%Y-%m-%dT%H:%M}")
    page.fill("#task-customer", customer_no)
    page.click("#new-task button[type=submit]")
    page.wait_for_url(f"{live_server.url}/campaigns/today/")
    task_row = page.locator("#today-tasks [data-task]").filter(has_text="到网点面谈理财")
    assert task_row.count() == 1 and "预约" in task_row.inner_text()
    # the nav collapses at this width: the badge is inside the menu
    page.click(".navbar-toggler")
    assert page.locator("[data-testid=reminder-badge]").inner_text() == "1"

    task_row.locator("button[type=submit]").click()
    page.wait_for_url(f"{live_server.url}/campaigns/today/")
    assert page.locator("#today-tasks [data-task]").filter(has_text="到网点面谈理财").count() == 0
    assert page.locator("[data-testid=reminder-badge]").count() == 0
    assert RmTask.objects.get().done
    assert not errors
