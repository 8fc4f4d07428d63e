"""User-guide screenshots (docs/img/*.png): run with BANKCRM_SCREENSHOTS=docs/img.

BANKCRM_SCREENSHOTS=docs/img python -m pytest tests/browser/test_screenshots.py -m browser
"""

import os
from pathlib import Path

import pytest
from demo_bank import PASSWORD, build_demo_bank

OUT = os.environ.get("BANKCRM_SCREENSHOTS")
pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.filterwarnings("ignore::pytest.PytestUnhandledThreadExceptionWarning"),
    pytest.mark.skipif(not OUT, reason="set BANKCRM_SCREENSHOTS=<dir> to refresh the user-guide screenshots"),
]
TABLET = {"width": 1180, "height": 820}  # a lobby tablet in landscape


def shoot(page, name, *, full_page=True):
    page.wait_for_load_state("networkidle")
    if page.locator(".chart").count():
        page.wait_for_selector(".chart[data-rendered='1'] canvas")
        page.wait_for_timeout(600)  # let ECharts finish its entry animation
    Path(OUT).mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(Path(OUT) / f"{name}.png"), full_page=full_page)


def test_user_guide_screenshots(transactional_db, sign_in, live_server):
    build_demo_bank(n_customers=400)
    head_office = sign_in("zonghang", PASSWORD)
    shoot(head_office, "dashboard")
    head_office.goto(f"{live_server.url}/ingest/quality/")
    shoot(head_office, "data-quality")
    head_office.goto(f"{live_server.url}/ingest/imports/")
    shoot(head_office, "imports")
    head_office.goto(f"{live_server.url}/ingest/quarantine/")
    shoot(head_office, "quarantine")

    manager = sign_in("zhanghang", PASSWORD, viewport=TABLET)
    manager.goto(f"{live_server.url}/campaigns/queue/?queue=all&status=pending")
    # the collection list comes first in the queue and offers other outcomes: take another list's item
    manager.locator("article.queue-item:not([data-kind=overdue]) details.contact-entry > summary").first.click()
    shoot(manager, "work-queue-manager", full_page=False)

    rm = sign_in("wangfang", PASSWORD, viewport=TABLET)
    rm.goto(f"{live_server.url}/campaigns/queue/")
    # the collection list comes first in the queue and offers other outcomes: take another list's item
    card = rm.locator("article.queue-item:not([data-kind=overdue])").first
    card.locator("details.contact-entry > summary").click()
    card.locator("select[name=outcome]").select_option("callback")
    card.locator("textarea[name=note]").fill("客户出差，约下周二回访")
    card.locator(".contact-form button[type=submit]").click()
    rm.wait_for_selector("article.queue-item [role=status]")
    shoot(rm, "work-queue", full_page=False)
