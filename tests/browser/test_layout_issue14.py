"""Issue 14 bugs 6 and 9 in a real browser: the lobby tablet's 768 px width and the migration Sankey.

* At 768 px the English complaint queue and the data-quality page must not scroll sideways
  (a page wider than the screen hides its right-hand columns on a tablet).
* Every label of the dashboard's migration Sankey lies inside the chart (the right-hand column's
  labels were drawn past the edge and clipped).
"""

import datetime as dt

import pytest
from demo_bank import PASSWORD, build_demo_bank

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.filterwarnings("ignore::pytest.PytestUnhandledThreadExceptionWarning"),
]

TABLET = {"width": 768, "height": 1024}
MARGIN = 4  # px a chart label keeps from the chart's edge

# The page's width against the window's, and the widest element that sticks out (for the message).
OVERFLOW_JS = """() => {
  const limit = document.documentElement.clientWidth;
  let worst = null;
  for (const el of document.querySelectorAll('body *')) {
    const r = el.getBoundingClientRect();
    if (r.right > limit + 1 && (!worst || r.right > worst.right)) {
      worst = {right: r.right, tag: el.tagName, cls: el.className && String(el.className).slice(0, 60)};
    }
  }
  return {scroll: document.documentElement.scrollWidth, width: limit, worst: worst};
}"""

# Each text element ECharts drew for the Sankey, as a box in the chart's own pixels.
SANKEY_LABELS_JS = """() => {
  const el = document.querySelector('#chart-migration');
  const chart = window.echarts.getInstanceByDom(el);
  const boxes = [];
  chart.getZr().storage.getDisplayList(true).forEach(d => {
    if (!d.style || typeof d.style.text !== 'string' || !d.style.text) return;
    const r = d.getBoundingRect().clone();
    if (d.transform) r.applyTransform(d.transform);
    boxes.push({text: d.style.text, left: r.x, right: r.x + r.width});
  });
  return {width: chart.getWidth(), boxes: boxes};
}"""


@pytest.fixture
def bank(transactional_db):
    from bankcrm.complaints import services
    from bankcrm.customers.models import Customer
    from bankcrm.org.models import Branch
    from bankcrm.org.services import add_user

    built = build_demo_bank(n_customers=60)
    # The longest tier label (私人银行 / Private banking) on both sides of the Sankey.
    from django.db.models import Max

    from bankcrm.customers.models import CustomerMonth

    latest = CustomerMonth.objects.aggregate(m=Max("month"))["m"]
    rows = list(CustomerMonth.objects.filter(month=latest).order_by("customer_id")[:2])
    CustomerMonth.objects.filter(pk=rows[0].pk).update(tier="private", prev_tier="private", migration="same")
    CustomerMonth.objects.filter(pk=rows[1].pk).update(tier="private", prev_tier="wealth", migration="up")
    handler = add_user("desk", role="complaint_handler", password=PASSWORD)
    when = dt.datetime.now(dt.UTC) - dt.timedelta(days=3)
    for customer in Customer.objects.order_by("pk")[:6]:
        services.register_complaint(
            user=handler, branch=Branch.objects.get(code="B001"), customer=customer, channel="online_banking",
            category="account_operation", description="Charged twice for an international transfer" * 3,
            policy="cn", payment_service=False, received_at=when, now=when, severity="high", vulnerable=True,
        )  # fmt: skip
    return built


def assert_no_sideways_scroll(page, what):
    found = page.evaluate(OVERFLOW_JS)
    assert found["scroll"] <= found["width"], f"{what} scrolls sideways at 768 px: {found}"
    # nor does anything stick out of the screen inside a scrolling box (a table-responsive wrapper
    # only moves the problem: its right-hand columns hide behind an inner scrollbar)
    assert found["worst"] is None, f"{what} is wider than a 768 px tablet: {found['worst']}"


def test_english_complaint_queue_fits_a_tablet(bank, browser, live_server):
    context = browser.new_context(viewport=TABLET, locale="en-US")
    page = context.new_page()
    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", "desk")
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_load_state()
    page.context.add_cookies([{"name": "django_language", "value": "en", "url": live_server.url}])
    page.goto(f"{live_server.url}/complaints/")
    page.wait_for_selector("table")
    assert "Complaint queue" in page.content()
    try:
        assert_no_sideways_scroll(page, "the English complaint queue")
    finally:
        context.close()


def test_data_quality_page_fits_a_tablet(bank, sign_in, live_server):
    page = sign_in("zonghang", PASSWORD, viewport=TABLET)
    for language in ("zh-hans", "en"):
        page.context.add_cookies([{"name": "django_language", "value": language, "url": live_server.url}])
        page.goto(f"{live_server.url}/ingest/quality/")
        page.wait_for_selector("table")
        assert_no_sideways_scroll(page, f"the data-quality page ({language})")


@pytest.mark.parametrize("viewport", [{"width": 1280, "height": 900}, TABLET])
def test_migration_sankey_labels_are_inside_the_chart(bank, sign_in, live_server, viewport):
    page = sign_in("zonghang", PASSWORD, viewport=viewport)
    for language in ("zh-hans", "en"):
        page.context.add_cookies([{"name": "django_language", "value": language, "url": live_server.url}])
        page.goto(f"{live_server.url}/analytics/")
        page.wait_for_selector(".chart[data-rendered='1'] canvas")
        page.wait_for_timeout(300)  # the Sankey's layout animation
        found = page.evaluate(SANKEY_LABELS_JS)
        assert found["boxes"], "no Sankey labels found"
        # a few pixels of room: a label ending on the very edge is drawn cut off (anti-aliasing, font)
        clipped = [b for b in found["boxes"] if b["left"] < MARGIN or b["right"] > found["width"] - MARGIN]
        assert clipped == [], f"labels cut off at the chart's edge ({language}, {viewport['width']} px)"
