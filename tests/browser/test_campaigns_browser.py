"""Campaign create → approve (a second user) → start → the item in the rm's queue; a refused sale on the tablet."""

import datetime as dt
from decimal import Decimal

import pytest

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.filterwarnings("ignore::pytest.PytestUnhandledThreadExceptionWarning"),
]
PASSWORD = "pw-for-tests-1"
AS_OF = dt.date(2026, 10, 31)


@pytest.fixture
def bank(small_bank, make_login):
    from bankcrm.customers.models import CustomerMonth, KycAssessment, Product

    Product.objects.create(code="WM2", name="稳健理财", category="wealth", risk_level="R2", fee_rate=Decimal("0.005"))
    Product.objects.create(code="FD5", name="进取基金", category="fund", risk_level="R5", fee_rate=Decimal("0.015"))
    for c in small_bank["customers"].values():
        c.marketing_consent = True
        c.save()
        KycAssessment.objects.create(
            customer=c, assessed_date=dt.date(2026, 1, 1), risk_level="C3", expires_date=dt.date(2099, 1, 1)
        )
        CustomerMonth.objects.create(
            customer=c, month="2026-10", as_of=AS_OF, branch_code=c.branch_id, rm_staff_no=c.rm_id, days=31,
            aum_avg=Decimal("100000.00"), aum_end=Decimal("100000.00"), deposit_avg=Decimal("0"),
            loan_end=Decimal("0"), tier="vip", prev_tier="", migration="new", categories_held=1,
            cross_sell_qualified=False, dormant=False, dormant_potential=False, edge=False, downgraded=False,
            maturing=False, kyc_expiring=False,
        )  # fmt: skip
    make_login("mkt1", "marketing")
    make_login("mkt2", "marketing")
    make_login("wangfang", "rm", staff_no="S001")
    make_login("lobby1", "lobby", branch_code="B001")
    return small_bank


def test_create_approve_start_item_in_rm_queue(bank, sign_in, live_server):
    from bankcrm.campaigns.models import Campaign

    page = sign_in("mkt1", PASSWORD)
    page.goto(f"{live_server.url}/campaigns/new/")
    page.fill("#f-code", "CMP1")
    page.fill("#f-name", "理财推广")
    page.fill("#f-start", "2026-11-02")
    page.fill("#f-end", "2026-11-30")
    page.select_option("#f-channel", "phone")
    page.select_option("#f-products", ["WM2"])
    page.fill("#f-pct", "0")
    page.fill("#f-asof", AS_OF.isoformat())
    page.locator("#f-asof").dispatch_event("change")
    page.wait_for_selector("#preview [data-figure=audience]")
    assert page.locator("#preview [data-figure=audience]").inner_text() == "3"
    page.click("form#campaign-form button[type=submit]")
    page.wait_for_url(f"{live_server.url}/campaigns/CMP1/")
    assert page.locator("button[value=approve]").count() == 0  # the author cannot approve
    second = sign_in("mkt2", PASSWORD)
    second.goto(f"{live_server.url}/campaigns/CMP1/")
    second.click("button[value=approve]")
    second.wait_for_selector("[data-status=approved]")
    page.goto(f"{live_server.url}/campaigns/CMP1/")
    page.click("button[value=start]")
    page.wait_for_selector("[data-status=running]")
    assert Campaign.objects.get(code="CMP1").status == "running"
    rm = sign_in("wangfang", PASSWORD)
    rm.goto(f"{live_server.url}/campaigns/queue/")
    # the collection list comes first in the queue and offers other outcomes: take another list's item
    card = rm.locator("article.queue-item:not([data-kind=overdue])").first
    card.wait_for()
    assert "campaign:CMP1" in card.inner_text() or "理财推广" in card.inner_text()


def test_refused_sale_shows_reason_on_tablet(bank, sign_in, live_server):
    page = sign_in("lobby1", PASSWORD, viewport={"width": 768, "height": 1024})
    page.goto(f"{live_server.url}/campaigns/lobby/")
    page.fill("input[name=q]", "C001")
    page.click("button:has-text('查询')")
    page.wait_for_selector("[data-customer=C001]")
    # a fund above C3: only on a signed special risk warning (the form's box is left unticked)
    assert "须签署特别风险提示" in page.locator("[data-product=FD5]").inner_text()
    page.select_option("select[name=product]", "FD5")
    page.fill("input[name=amount]", "10000")
    page.click("button:has-text('录入销售')")
    refusal = page.locator("[data-refusal=suitability_mismatch]")
    refusal.wait_for()
    assert "高于您的风险承受能力" in refusal.inner_text()
    assert refusal.is_visible()
    box = refusal.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= 768  # readable without scrolling sideways
