"""POST /api/campaigns/, transitions, POST /api/sales/ (spec/campaigns.md "Commands and API")."""

import datetime as dt

import pytest
from django.utils import timezone

from bankcrm.campaigns.models import RecordedSale, RefusedSale, SaleEvent
from webapi_data import token_client

from .conftest import kyc

pytestmark = pytest.mark.django_db


@pytest.fixture
def teller(bank, make_login):
    return make_login("lobby1", "lobby", branch_code="B001")


@pytest.fixture
def manager(bank, make_login):
    return make_login("bm1", "branch_manager", branch_code="B001")


def test_campaign_api_lifecycle(bank, marketer, marketer2, campaign_data):
    a, b = token_client(marketer), token_client(marketer2)
    r = a.post("/api/campaigns/", campaign_data(control_pct=0), format="json")
    assert r.status_code == 201, r.json()
    body = r.json()
    assert body["code"] == "CMP1" and body["status"] == "draft" and body["author"] == "mkt1"
    assert body["figures"]["preview"]["audience"] == 3
    assert a.post("/api/campaigns/CMP1/transition/", {"action": "start"}, format="json").status_code == 409
    own = a.post("/api/campaigns/CMP1/transition/", {"action": "approve"}, format="json")
    assert own.status_code == 409 and "detail" in own.json()
    ok = b.post("/api/campaigns/CMP1/transition/", {"action": "approve"}, format="json")
    assert ok.status_code == 200 and ok.json()["status"] == "approved" and ok.json()["warnings"]
    assert a.post("/api/campaigns/CMP1/transition/", {"action": "start"}, format="json").json()["status"] == "running"
    got = a.get("/api/campaigns/CMP1/").json()
    assert got["figures"]["results"]["groups"]["target"]["members"] == 3
    assert got["figures"]["results"]["uplift_pp"] is None  # empty control group
    assert a.get("/api/campaigns/NOPE/").status_code == 404


def test_campaign_api_bad_input_400_per_field(bank, marketer, campaign_data):
    r = token_client(marketer).post(
        "/api/campaigns/",
        campaign_data(products=["NOPE"], control_pct=80, start_date="2026-12-31", end_date="2026-12-01"),
        format="json",
    )
    assert r.status_code == 400
    assert {"products", "control_pct", "end_date"} <= set(r.json()["errors"])


def test_rm_cannot_create_campaigns(bank, make_login, campaign_data):
    rm = make_login("rm1", "rm", staff_no="S001")
    assert token_client(rm).post("/api/campaigns/", campaign_data(), format="json").status_code == 403


def post_sale(client, **overrides):
    data = {
        "customer_no": "C001",
        "product_code": "WM2",
        "amount": "10000.00",
        "channel": "pad",
        "sale_date": timezone.localdate().isoformat(),
        "recording_ref": "",
    }
    data.update(overrides)
    return client.post("/api/sales/", data, format="json")


def test_sale_booked_with_fee_from_rate(bank, teller):
    r = post_sale(token_client(teller), amount="12345.67")
    assert r.status_code == 201, r.json()
    body = r.json()
    assert body["status"] == "booked" and body["sale_id"].startswith("RS-")
    # 12345.67 × 0.005 = 61.72835 → 61.73 (half-up to cents)
    assert body["fee_income"] == "61.73"
    assert SaleEvent.objects.filter(sale__sale_id=body["sale_id"], action="record").count() == 1


def test_refused_sale_409_with_reason_and_kept(bank, teller):
    r = post_sale(token_client(teller), product_code="FD5")  # C3 buying R5
    assert r.status_code == 409
    assert r.json()["reason"] == "suitability_mismatch" and r.json()["detail"]
    assert not RecordedSale.objects.exists()
    refused = RefusedSale.objects.get()
    assert (refused.customer_id, refused.product_id, refused.reason, refused.user_name) == (
        "C001",
        "FD5",
        "suitability_mismatch",
        "lobby1",
    )


def test_counter_without_recording_refused(bank, teller):
    r = post_sale(token_client(teller), channel="counter")
    assert r.status_code == 409 and r.json()["reason"] == "recording_missing"
    assert post_sale(token_client(teller), channel="counter", recording_ref="SL-2026-1").status_code == 201


def test_sale_bad_input_400(bank, teller):
    client = token_client(teller)
    tomorrow = (timezone.localdate() + dt.timedelta(days=1)).isoformat()
    cases = [
        ({"customer_no": "NOPE"}, "customer_no"),
        ({"customer_no": "C002"}, "customer_no"),  # another branch's customer: unknown to this lobby
        ({"product_code": "NOPE"}, "product_code"),
        ({"amount": "-5.00"}, "amount"),
        ({"amount": "0"}, "amount"),
        ({"sale_date": tomorrow}, "sale_date"),
        ({"channel": "fax"}, "channel"),
    ]
    for overrides, field in cases:
        r = post_sale(client, **overrides)
        assert r.status_code == 400, (overrides, r.json())
        assert field in r.json()["errors"], (overrides, r.json())
    assert not RecordedSale.objects.exists() and not RefusedSale.objects.exists()


def test_fund_override_via_api(bank, teller):
    client = token_client(teller)
    c2 = bank["customers"]["C003"]
    c2.kyc_assessments.all().delete()
    kyc(c2, "C2")
    r = post_sale(client, customer_no="C003", product_code="FD3", warning_confirmed=True)
    assert r.status_code == 201 and r.json()["exception"] is True


def test_pending_review_approved_by_manager_not_seller(bank, teller, manager, make_login):
    c = bank["customers"]["C001"]
    c.birth_date = dt.date(1950, 1, 1)
    c.save()
    c.kyc_assessments.all().delete()
    kyc(c, "C5")
    r = post_sale(token_client(manager), product_code="WM4")  # the manager sells it themself
    assert r.status_code == 201 and r.json()["status"] == "pending_review"
    sale_id = r.json()["sale_id"]
    url = f"/api/sales/{sale_id}/transition/"
    assert token_client(manager).post(url, {"action": "approve"}, format="json").status_code == 409  # own sale
    assert token_client(teller).post(url, {"action": "approve"}, format="json").status_code == 403  # not a manager
    other = make_login("bm2", "branch_manager", branch_code="B001")
    ok = token_client(other).post(url, {"action": "approve"}, format="json")
    assert ok.status_code == 200 and ok.json()["status"] == "booked" and ok.json()["reviewed_by"] == "bm2"
    assert token_client(other).post(url, {"action": "approve"}, format="json").status_code == 409


def test_trust_cooling_off_cancel_within_24h_only(bank, teller):
    from bankcrm.campaigns import services

    c = bank["customers"]["C001"]
    c.kyc_assessments.all().delete()
    kyc(c, "C5")
    client = token_client(teller)
    assert post_sale(client, product_code="TR4", amount="999999.99").json()["reason"] == "below_minimum"
    r = post_sale(client, product_code="TR4", amount="1000000.00")
    assert r.status_code == 201 and r.json()["status"] == "cooling_off"
    sale = RecordedSale.objects.get(sale_id=r.json()["sale_id"])
    assert sale.cooling_off_until == sale.recorded_at + dt.timedelta(hours=24)
    cancel = client.post(f"/api/sales/{sale.sale_id}/transition/", {"action": "cancel"}, format="json")
    assert cancel.status_code == 200 and cancel.json()["status"] == "cancelled"
    # a second one: 24 hours pass, it is booked and can no longer be cancelled
    r = post_sale(client, product_code="TR4", amount="1000000.00")
    later = RecordedSale.objects.get(sale_id=r.json()["sale_id"])
    late = later.recorded_at + dt.timedelta(hours=24)
    with pytest.raises(services.TransitionNotAllowed):
        services.sale_transition(later, "cancel", user=teller, now=late)
    assert services.book_cooled_off(now=late) == 1
    later.refresh_from_db()
    assert later.status == "booked"


def test_cooling_off_sale_counts_only_after_24h(bank, teller):
    from bankcrm.campaigns.services import counting_recorded

    c = bank["customers"]["C001"]
    c.kyc_assessments.all().delete()
    kyc(c, "C5")
    r = post_sale(token_client(teller), product_code="TR4", amount="2000000.00")
    sale = RecordedSale.objects.get(sale_id=r.json()["sale_id"])
    just_before = sale.cooling_off_until - dt.timedelta(seconds=1)
    assert not RecordedSale.objects.filter(counting_recorded(just_before)).exists()
    assert RecordedSale.objects.filter(counting_recorded(sale.cooling_off_until)).exists()
