"""The complaint handler's day (issue 14), in Debian's Chromium: the notification of a deadline, the
queue searched by the customer's name, the customer on the complaint, correcting details, an
attachment, the response letter, reassigning, and marking the notification read."""

import datetime as dt

import pytest
from demo_bank import PASSWORD, build_demo_bank

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.filterwarnings("ignore::pytest.PytestUnhandledThreadExceptionWarning"),
]


@pytest.fixture
def desk(transactional_db):
    from django.utils import timezone

    from bankcrm.complaints import services
    from bankcrm.org.models import Branch
    from bankcrm.org.services import add_user

    bank = build_demo_bank(n_customers=30)
    # the default letter of migration 0004 (an earlier transactional test flushes data-migration rows)
    import importlib

    from django.apps import apps

    importlib.import_module("bankcrm.complaints.migrations.0004_letter_template").add_default_template(apps, None)
    handler = add_user("tousu", role="complaint_handler", password=PASSWORD)
    add_user("tousu2", role="complaint_handler", password=PASSWORD)
    customer = bank["customers"][0]
    complaint = services.register_complaint(
        user=handler,
        branch=Branch.objects.get(pk=customer.branch_id),
        customer=customer,
        channel="phone",
        category="fees_pricing",
        description="转账手续费重复扣收",
        received_at=timezone.now() - dt.timedelta(hours=2),
    )
    decision = complaint.deadlines.get(clock="decision")
    services.sweep(now=decision.due_at - dt.timedelta(hours=3))  # the day it is due: notified
    return {"complaint": complaint, "customer": customer}


def test_complaint_handler_daily_work(desk, browser, live_server, tmp_path):
    from bankcrm.complaints.models import Attachment, Complaint

    complaint, customer = desk["complaint"], desk["customer"]
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", "tousu")
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/complaints/")

    # the deadline notification shows in the nav badge
    assert page.locator("#nav-notifications [data-unread]").inner_text().startswith("1")

    # search the queue by the customer's name
    page.fill("#f-q", customer.name)
    page.press("#f-q", "Enter")
    page.wait_for_url("**/complaints/?*q=*")
    page.click(f"a[href='/complaints/{complaint.reference}/']")
    page.wait_for_url(f"{live_server.url}/complaints/{complaint.reference}/")

    # the customer's name (a link to the 360) and the masked phone
    card = page.locator("#complaint-customer")
    assert customer.name in card.inner_text()
    assert card.locator("[data-customer-link]").get_attribute("href") == f"/customers/{customer.customer_no}/"
    assert "****" in card.locator("[data-masked-phone]").inner_text()

    # correct the category and the amount
    page.click(f"a[href='/complaints/{complaint.reference}/edit/']")
    page.select_option("#id_category", "card_payment")
    page.fill("#id_amount_in_dispute", "256.00")
    page.click("#details-form button[type=submit]")
    page.wait_for_url(f"{live_server.url}/complaints/{complaint.reference}/")
    assert page.locator("[data-changed=category]").count() == 1

    # attach a recording's transcript
    evidence = tmp_path / "通话记录.txt"
    evidence.write_text("客户来电称转账手续费被扣两次", encoding="utf-8")
    page.set_input_files("#id_file", str(evidence))
    page.click("#attach-form button[type=submit]")
    page.wait_for_selector("[data-attachment='通话记录.txt']")

    # the response letter's print view, filled in
    page.click("[data-letter-print] >> nth=0")
    page.wait_for_selector("#letter")
    assert f"尊敬的{customer.name}" in page.inner_text("#letter")
    page.go_back()

    # reassign to the colleague
    page.select_option("#id_assignee", "tousu2")
    page.click("#assign-form button[type=submit]")
    page.wait_for_selector("#complaint-assignee:has-text('tousu2')")

    # read the notification: the badge goes
    page.click("#nav-notifications")
    page.wait_for_url(f"{live_server.url}/notifications/")
    page.click("#notification-list button:not([name=open])")
    page.wait_for_selector("[data-read=true]")
    assert page.locator("#nav-notifications [data-unread]").count() == 0
    assert errors == []

    complaint = Complaint.objects.get(pk=complaint.pk)
    assert (complaint.category, str(complaint.amount_in_dispute), complaint.assignee.username) == (
        "card_payment",
        "256.00",
        "tousu2",
    )
    assert Attachment.objects.get().original_name == "通话记录.txt"
    context.close()
