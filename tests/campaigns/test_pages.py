"""Campaign pages, sale form, review, lobby tablet and the mis-selling report (Chinese by default)."""

import datetime as dt

import pytest
from django.utils import timezone

from bankcrm.campaigns import services
from bankcrm.campaigns.models import Campaign, RecordedSale, RefusedSale
from bankcrm.core.models import AccessLog
from webapi_data import page_client

from .conftest import AS_OF, END, START, kyc

pytestmark = pytest.mark.django_db


def form_data(**overrides):
    data = {
        "code": "CMP1", "name": "周三保险日", "products": ["WM2"], "start_date": START.isoformat(),
        "end_date": END.isoformat(), "response_days": "30", "channel": "phone", "control_pct": "10",
        "as_of": AS_OF.isoformat(),
    }  # fmt: skip
    data.update(overrides)
    return data


def test_create_preview_then_save(bank, marketer):
    client = page_client(marketer)
    page = client.get("/campaigns/new/")
    assert page.status_code == 200 and "新建营销活动" in page.content.decode()
    preview = client.post("/campaigns/new/", {**form_data(), "preview": "1"}, HTTP_HX_REQUEST="true")
    body = preview.content.decode()
    assert preview.status_code == 200 and 'data-figure="audience">3<' in body
    assert 'data-reason="no_consent">0<' in body
    assert 'data-member="C001"' in body
    assert not Campaign.objects.exists()  # a preview stores nothing
    bad = client.post("/campaigns/new/", {**form_data(products=["NOPE"]), "preview": "1"}, HTTP_HX_REQUEST="true")
    assert "NOPE" in bad.content.decode()
    saved = client.post("/campaigns/new/", form_data())
    assert saved.status_code == 302 and Campaign.objects.get().status == "draft"
    assert client.post("/campaigns/new/", form_data(control_pct="60", code="C2")).status_code == 400


def test_buttons_only_for_who_may_press_them(bank, marketer, marketer2, make_login, campaign_data):
    services.create_campaign(campaign_data(), user=marketer)
    author_page = page_client(marketer).get("/campaigns/CMP1/").content.decode()
    assert 'value="approve"' not in author_page  # four eyes: not the author
    other = page_client(marketer2)
    assert 'value="approve"' in other.get("/campaigns/CMP1/").content.decode()
    bm = make_login("bm1", "branch_manager", branch_code="B001")
    assert 'value="approve"' not in page_client(bm).get("/campaigns/CMP1/").content.decode()
    assert page_client(bm).post("/campaigns/CMP1/", {"action": "approve"}).status_code == 403
    other.post("/campaigns/CMP1/", {"action": "approve"})
    assert Campaign.objects.get().status == "approved"
    assert 'value="start"' in page_client(marketer).get("/campaigns/CMP1/").content.decode()
    page_client(marketer).post("/campaigns/CMP1/", {"action": "start"})
    results = page_client(marketer).get("/campaigns/CMP1/").content.decode()
    assert 'data-figure="uplift_pp"' in results and "data-chart" in results


def test_sale_form_refusal_reads_to_the_customer(bank, make_login):
    lobby = make_login("lobby1", "lobby", branch_code="B001")
    client = page_client(lobby)
    r = client.post(
        "/campaigns/sales/new/",
        {"customer_no": "C001", "product": "FD5", "amount": "1000", "channel": "pad",
         "sale_date": timezone.localdate().isoformat()},
    )  # fmt: skip
    body = r.content.decode()
    assert r.status_code == 409
    assert 'data-refusal="suitability_mismatch"' in body
    assert "高于您的风险承受能力" in body  # in Chinese, for the customer
    assert RefusedSale.objects.count() == 1 and not RecordedSale.objects.exists()


def test_lobby_lookup_card_and_sale(bank, make_login):
    lobby = make_login("lobby1", "lobby", branch_code="B001")
    client = page_client(lobby)
    assert client.get("/campaigns/lobby/").status_code == 200
    r = client.post("/campaigns/lobby/", {"q": "13812345678"})  # by mobile, term in the body not the URL
    body = r.content.decode()
    assert r.status_code == 200 and 'data-customer="C001"' in body
    assert "138****5678" in body and "13812345678" not in body
    assert 'data-product="WM4" data-ok="N"' in body and 'data-product="WM2" data-ok="Y"' in body  # C3
    assert AccessLog.objects.filter(customer_no="C001", action="view", user_name="lobby1").exists()
    # a customer of another branch is not found
    r = client.post("/campaigns/lobby/", {"q": "13987654321"})
    assert r.status_code == 302
    sale = client.post(
        "/campaigns/lobby/",
        {"customer_no": "C001", "product": "WM2", "amount": "5000", "channel": "pad",
         "sale_date": timezone.localdate().isoformat()},
    )  # fmt: skip
    assert sale.status_code == 200 and RecordedSale.objects.get().status == "booked"


def test_review_page_approve_by_other_manager(bank, make_login):
    c = bank["customers"]["C001"]
    c.birth_date = dt.date(1950, 1, 1)
    c.save()
    c.kyc_assessments.all().delete()
    kyc(c, "C5")
    lobby = make_login("lobby1", "lobby", branch_code="B001")
    sale = services.record_sale(
        user=lobby, customer=c, product=bank_product("WM4"), amount=1000, channel="pad",
        sale_date=timezone.localdate(),
    )  # fmt: skip
    assert sale.status == "pending_review"
    assert 'value="approve"' not in page_client(lobby).get("/campaigns/sales/review/").content.decode()
    bm = make_login("bm1", "branch_manager", branch_code="B001")
    page = page_client(bm).get("/campaigns/sales/review/").content.decode()
    assert 'value="approve"' in page
    page_client(bm).post("/campaigns/sales/review/", {"sale_id": sale.sale_id, "action": "approve"})
    sale.refresh_from_db()
    assert sale.status == "booked" and sale.reviewed_by == bm


def test_mis_selling_report(bank, make_login):
    from decimal import Decimal

    from bankcrm.campaigns.models import Sale

    Sale.objects.create(
        sale_id="S9", sale_date=dt.date(2026, 11, 5), customer_id="C001", product_id="FD5",
        amount=Decimal("1.00"), fee_income=Decimal("0.00"), branch_id="B001", channel="counter",
    )  # fmt: skip
    services.check_imported_sales()
    compliance = make_login("cmp", "compliance")
    body = page_client(compliance).get("/campaigns/suitability/").content.decode()
    assert 'data-finding="suitability_mismatch"' in body


def test_english_page(bank, marketer):
    client = page_client(marketer)
    client.cookies["django_language"] = "en"
    assert "New campaign" in client.get("/campaigns/", HTTP_ACCEPT_LANGUAGE="en").content.decode()


def bank_product(code):
    from bankcrm.customers.models import Product

    return Product.objects.get(pk=code)


def test_consent_page_shows_changes_from_the_change_log(bank, make_login):
    from bankcrm.core.context import acting_as

    c = bank["customers"]["C001"]
    with acting_as(user_name="ops"):
        c.marketing_consent = False
        c.save()
    rm = make_login("rm1", "rm", staff_no="S001")
    body = page_client(rm).get("/campaigns/consent/C001/").content.decode()
    assert 'data-consent="N"' in body and "ops" in body
    assert page_client(rm).get("/campaigns/consent/C002/").status_code == 404  # another rm's customer
