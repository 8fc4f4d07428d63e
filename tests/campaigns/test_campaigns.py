"""Campaign lifecycle, audience, exclusions, control group and results (spec/campaigns.md), by hand."""

import datetime as dt
import hashlib
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from bankcrm.campaigns import services
from bankcrm.campaigns.models import Campaign, CampaignEvent, CampaignExclusion, CampaignMember
from bankcrm.core.exceptions import TransitionNotAllowed

from .conftest import AS_OF, END, START, add_customer, kyc, snapshot

pytestmark = pytest.mark.django_db


def spec_group(code, customer_no, pct):
    """The spec's rule, written out: first 8 hex digits of sha256("<code>:<customer_no>") mod 10000."""
    h = int(hashlib.sha256(f"{code}:{customer_no}".encode()).hexdigest()[:8], 16)
    return "control" if h % 10000 < pct * 100 else "target"


def test_control_hash_for_known_customer_numbers():
    # the expected integers come from hashlib here, never from the code under test
    for code, customer_no in [("CMP1", "C001"), ("CMP1", "C002"), ("Q4-WEALTH", "6222000012345678"), ("X", "1")]:
        digest = hashlib.sha256(f"{code}:{customer_no}".encode()).hexdigest()
        assert services.control_hash(code, customer_no) == int(digest[:8], 16)
        for pct in (0, 10, 25, 50):
            assert services.group_for(code, customer_no, Decimal(pct)) == spec_group(code, customer_no, pct)
    h = int(hashlib.sha256(b"A:1").hexdigest()[:8], 16)
    assert services.group_for("A", "1", Decimal("50")) == ("control" if h % 10000 < 5000 else "target")
    assert services.group_for("A", "1", Decimal("0")) == "target"  # 0 %: nobody is control


def test_control_hash_pinned_values():
    # sha256("CMP1:C001") starts bdb790e7 = 3182924007, mod 10000 = 4007 (≥ 1000: target at 10 %)
    # sha256("CMP1:C002") starts 9bac752e = 2611770670, mod 10000 = 670 (< 1000: control at 10 %)
    # sha256("CMP1:C003") starts fe0bf6bf = 4262196927, mod 10000 = 6927
    assert services.control_hash("CMP1", "C001") == 0xBDB790E7 == 3182924007
    assert services.control_hash("CMP1", "C002") == 2611770670
    assert services.group_for("CMP1", "C001", Decimal("10")) == "target"
    assert services.group_for("CMP1", "C002", Decimal("10")) == "control"
    assert services.group_for("CMP1", "C002", Decimal("6.70")) == "target"  # 670 < 670 is false
    assert services.group_for("CMP1", "C002", Decimal("6.71")) == "control"
    assert services.group_for("CMP1", "C003", Decimal("50")) == "target"  # 6927 ≥ 5000


def test_control_share_close_to_pct():
    groups = [services.group_for("BIG", f"C{i:06d}", Decimal("10")) for i in range(20_000)]
    share = groups.count("control") / len(groups)
    assert 0.09 < share < 0.11


def make(campaign_data, user, **overrides):
    return services.create_campaign(campaign_data(**overrides), user=user)


def test_lifecycle_four_eyes_and_items_pushed(bank, marketer, marketer2, campaign_data):
    from bankcrm.campaigns.models import ListItem

    c = make(campaign_data, marketer, control_pct=0)
    assert c.status == "draft"
    with pytest.raises(TransitionNotAllowed, match="尚未审批"):
        services.start(c)
    with pytest.raises(TransitionNotAllowed, match="创建人不能审批"):
        services.approve(c, marketer)
    result = services.approve(c, marketer2)
    assert result.campaign.status == "approved" and result.campaign.approver == marketer2
    assert result.warnings and "3818" in result.warnings[0]  # 0 control members < 3,818
    with pytest.raises(TransitionNotAllowed):
        services.approve(c, marketer2)
    services.start(c)
    c.refresh_from_db()
    assert c.status == "running" and c.started_at is not None
    members = {m.customer_id: (m.group, m.assignee) for m in CampaignMember.objects.filter(campaign=c)}
    assert members == {"C001": ("target", "S001"), "C002": ("target", "S002"), "C003": ("target", "S003")}
    items = ListItem.objects.filter(kind="campaign:CMP1")
    assert {(i.customer_id, i.assignee, i.as_of) for i in items} == {
        ("C001", "S001", START),
        ("C002", "S002", START),
        ("C003", "S003", START),
    }
    services.close(c)
    c.refresh_from_db()
    assert c.status == "closed"
    assert list(CampaignEvent.objects.filter(campaign=c).values_list("action", flat=True)) == [
        "create",
        "approve",
        "start",
        "close",
    ]
    with pytest.raises(TransitionNotAllowed):
        services.close(c)


def test_metrics_rerun_keeps_campaign_items(bank, marketer, marketer2, campaign_data):
    from bankcrm.campaigns.models import ListItem
    from bankcrm.campaigns.services import store_list_items as store_lists

    c = make(campaign_data, marketer, start_date=AS_OF.isoformat())
    services.approve(c, marketer2)
    services.start(c)
    before = ListItem.objects.filter(kind="campaign:CMP1").count()
    assert before
    store_lists([], AS_OF)  # a metrics run for the same date replaces ITS lists only
    assert ListItem.objects.filter(kind="campaign:CMP1").count() == before


def test_inactive_rm_goes_to_branch_queue(bank, marketer, marketer2, campaign_data):
    rm = bank["staff"]["S002"]
    rm.status = "left"
    rm.save()
    c = make(campaign_data, marketer, control_pct=0)
    services.approve(c, marketer2)
    services.start(c)
    assert CampaignMember.objects.get(campaign=c, customer_id="C002").assignee == "branch:B002"


def test_exclusion_reasons_in_order(bank, marketer, marketer2, campaign_data, make_login):
    from bankcrm.complaints.services import register_complaint

    # E1 no consent (and also a complaint): reported as no_consent, the first reason
    e1 = add_customer(bank, "E1", consent=False)
    snapshot(e1)
    kyc(e1, "C3")
    e1b = add_customer(bank, "E1B", consent=None)  # unknown consent is not consent
    snapshot(e1b)
    kyc(e1b, "C3")
    e2 = add_customer(bank, "E2")
    snapshot(e2)
    # no KYC at all too: complaint_open comes first
    e3 = add_customer(bank, "E3")
    snapshot(e3)
    kyc(e3, "C3")
    desk = make_login("desk", "complaint_handler")
    for customer in (e1, e2):
        register_complaint(
            user=desk, branch=bank["branches"]["B001"], customer=customer, channel="phone", category="other",
            description="open",
        )  # fmt: skip
    # E3 was a target of two campaigns started 30 and 1 days before START
    for code, start in (("P1", START - dt.timedelta(days=30)), ("P2", START - dt.timedelta(days=1))):
        p = make(campaign_data, marketer, code=code, start_date=start.isoformat(), control_pct=0)
        services.approve(p, marketer2)
        services.start(p)
    # one started 31 days before does not count
    old = make(
        campaign_data, marketer, code="P0", start_date=(START - dt.timedelta(days=31)).isoformat(), control_pct=0
    )
    services.approve(old, marketer2)
    services.start(old)
    assert CampaignMember.objects.filter(customer_id="E3", group="target").count() == 3
    # added after those campaigns started, so only suitability applies to them
    e4 = add_customer(bank, "E4")
    snapshot(e4)
    kyc(e4, "C1")  # may not buy R2
    e5 = add_customer(bank, "E5")
    snapshot(e5)
    kyc(e5, "C3", expires=START)  # expires on start_date: expired
    c = make(campaign_data, marketer, code="CMP1", control_pct=0)
    ev = services.evaluate(c)
    got = {e["customer_no"]: e["reason"] for e in ev.exclusions}
    assert got["E1"] == "no_consent"
    assert got["E1B"] == "no_consent"
    assert got["E2"] == "complaint_open"
    assert got["E3"] == "contact_cap"
    assert got["E4"] == "suitability"
    assert got["E5"] == "suitability"
    assert {e["customer_no"]: e["detail"] for e in ev.exclusions}["E5"] == "kyc_expired"
    # C001..C003 were targets of P1 and P2 too
    assert {m["customer_no"] for m in ev.members} == set()
    assert ev.excluded_by_reason() == {"no_consent": 2, "complaint_open": 1, "contact_cap": 4, "suitability": 2}


def test_contact_cap_counts_only_target_membership(bank, marketer, marketer2, campaign_data):
    for code, start in (("P1", START - dt.timedelta(days=5)), ("P2", START - dt.timedelta(days=3))):
        p = make(campaign_data, marketer, code=code, start_date=start.isoformat(), control_pct=50)
        services.approve(p, marketer2)
        services.start(p)
    targeted = {
        cust
        for cust in ("C001", "C002", "C003")
        if all(spec_group(code, cust, 50) == "target" for code in ("P1", "P2"))
    }
    c = make(campaign_data, marketer, control_pct=0)
    excluded = {e["customer_no"] for e in services.evaluate(c).exclusions if e["reason"] == "contact_cap"}
    assert excluded == targeted


def test_audience_conditions(bank, marketer, campaign_data):
    rich = add_customer(bank, "R1", branch="B002", rm="S002")
    snapshot(rich, tier="wealth", aum="800000.00", edge=True)
    kyc(rich, "C3")
    closed = add_customer(bank, "X1", status="closed")
    snapshot(closed, tier="wealth", aum="800000.00", edge=True)

    def who(**audience):
        c = Campaign(code="T", control_pct=0, start_date=START, audience={"as_of": AS_OF.isoformat(), **audience})
        return {r["customer_id"] for r in services.audience_rows(c)}

    assert who() == {"C001", "C002", "C003", "R1"}  # closed customers never
    assert who(tiers=["wealth"]) == {"R1"}
    assert who(flags=["edge"]) == {"R1"}
    assert who(branches=["B002"]) == {"C002", "R1"}
    assert who(min_aum_avg="800000.00") == {"R1"}
    assert who(max_aum_avg="100000.00") == {"C001", "C002", "C003"}
    assert who(min_aum_avg="100000.01") == {"R1"}


def test_not_holding_uses_balance_on_as_of(bank, settings, tmp_path):
    from bankcrm.customers.models import Account
    from webapi_data import write_balances

    settings.WAREHOUSE_DIR = tmp_path / "wh"
    c1, c2, c3 = (bank["customers"][k] for k in ("C001", "C002", "C003"))
    Account.objects.create(
        account_no="W1", customer=c1, product_id="WM2", open_date=dt.date(2025, 1, 1), status="active"
    )
    Account.objects.create(
        account_no="W2", customer=c2, product_id="WM2", open_date=dt.date(2025, 1, 1), status="active"
    )
    # C003's account closed after as_of (status closed today, close_date later): still held on as_of
    Account.objects.create(
        account_no="W3", customer=c3, product_id="WM2", open_date=dt.date(2025, 1, 1),
        close_date=dt.date(2026, 11, 15), status="closed",
    )  # fmt: skip
    write_balances(AS_OF, {"W1": 100, "W2": 0, "W3": 500})
    c = Campaign(
        code="T", control_pct=0, start_date=START, audience={"as_of": AS_OF.isoformat(), "not_holding": ["wealth"]}
    )
    assert {r["customer_id"] for r in services.audience_rows(c)} == {"C002"}


def test_bad_input_is_named(bank, marketer, campaign_data):
    cases = [
        ({"products": ["NOPE"]}, "products"),
        ({"products": []}, "products"),
        ({"start_date": "2026-12-01", "end_date": "2026-11-01"}, "end_date"),
        ({"control_pct": 51}, "control_pct"),
        ({"control_pct": -1}, "control_pct"),
        ({"channel": "fax"}, "channel"),
        ({"audience": {"as_of": AS_OF.isoformat(), "tiers": ["gold"]}}, "audience.tiers"),
        ({"audience": {"as_of": AS_OF.isoformat(), "branches": ["B999"]}}, "audience.branches"),
        ({"audience": {"as_of": AS_OF.isoformat(), "min_aum_avg": "99999999"}}, "audience"),  # nobody
        ({"audience": {"as_of": "2026-09-30"}}, "audience.as_of"),  # no snapshot that day
        ({"audience": {}}, "audience.as_of"),
        ({"start_date": "02/11/2026"}, "start_date"),
    ]
    for overrides, field in cases:
        with pytest.raises(ValidationError) as err:
            services.create_campaign(campaign_data(**overrides), user=marketer)
        assert field in err.value.message_dict, (overrides, err.value.message_dict)
    assert not Campaign.objects.exists()
    services.create_campaign(campaign_data(), user=marketer)
    with pytest.raises(ValidationError) as err:
        services.create_campaign(campaign_data(), user=marketer)
    assert "code" in err.value.message_dict


def _sale(customer_no, product, day, amount="1000.00", fee="10.00", sale_id=None):
    from bankcrm.campaigns.models import Sale
    from bankcrm.customers.models import Customer

    customer = Customer.objects.get(pk=customer_no)
    return Sale.objects.create(
        sale_id=sale_id or f"S-{customer_no}-{product}-{day}",
        sale_date=day,
        customer=customer,
        product_id=product,
        amount=Decimal(amount),
        fee_income=Decimal(fee),
        branch_id=customer.branch_id,
        channel="counter",
    )


def test_response_window_edges_and_empty_control_uplift(bank, marketer, marketer2, campaign_data):
    c = make(campaign_data, marketer, control_pct=0, response_days=10)
    services.approve(c, marketer2)
    services.start(c)
    until = END + dt.timedelta(days=10)
    _sale("C001", "WM2", START)  # first day counts
    _sale("C002", "WM2", until)  # end_date + response_days counts
    _sale("C003", "WM2", until + dt.timedelta(days=1))  # one day after: not a response
    _sale("C003", "WM2", START - dt.timedelta(days=1))  # before the start: not a response
    _sale("C003", "FD3", START)  # another product: not a response
    r = services.results(c)
    by = {m["customer_id"]: m for m in r["members"]}
    assert by["C001"]["response_date"] == START
    assert by["C002"]["response_date"] == until
    assert by["C003"]["response_date"] is None
    t = r["groups"]["target"]
    assert (t["members"], t["responders"], t["response_rate_pct"]) == (3, 2, Decimal("66.67"))
    assert t["sales_amount"] == Decimal("2000.00") and t["fee_income"] == Decimal("20.00")
    assert r["groups"]["control"]["members"] == 0
    assert r["groups"]["control"]["response_rate_pct"] is None
    assert r["uplift_pp"] is None and r["incremental_fee"] is None  # empty, never 0


def test_uplift_and_incremental_fee_by_hand(bank, marketer, marketer2, campaign_data):
    # 12 extra customers; who is control comes from the spec's rule written out in this test
    for i in range(1, 13):
        cust = add_customer(bank, f"U{i:02d}")
        snapshot(cust)
        kyc(cust, "C3")
    everyone = ["C001", "C002", "C003", *[f"U{i:02d}" for i in range(1, 13)]]
    control = [n for n in everyone if spec_group("CMP1", n, 50) == "control"]
    target = [n for n in everyone if n not in control]
    assert control and target
    c = make(campaign_data, marketer, control_pct=50)
    services.approve(c, marketer2)
    services.start(c)
    # two target responders, first with two sales (fee 10 + 5), one control responder (fee 3)
    _sale(target[0], "WM2", START, fee="10.00", sale_id="a")
    _sale(target[0], "WM2", START + dt.timedelta(days=3), amount="500.00", fee="5.00", sale_id="b")
    if len(target) > 1:
        _sale(target[1], "WM2", END, fee="10.00", sale_id="c")
    _sale(control[0], "WM2", END, fee="3.00", sale_id="d")
    r = services.results(c)
    nt, nc = len(target), len(control)
    t_resp = min(2, nt)
    t_fee = Decimal("15.00") + (Decimal("10.00") if nt > 1 else 0)
    rate_t = Decimal(t_resp) * 100 / nt
    rate_c = Decimal(1) * 100 / nc
    q = Decimal("0.01")
    assert r["groups"]["target"]["responders"] == t_resp
    assert r["groups"]["target"]["response_rate_pct"] == rate_t.quantize(q, "ROUND_HALF_UP")
    assert r["uplift_pp"] == (rate_t - rate_c).quantize(q, "ROUND_HALF_UP")
    expected_fee = ((t_fee / nt) - (Decimal("3.00") / nc)) * nt
    assert r["incremental_fee"] == expected_fee.quantize(q, "ROUND_HALF_UP")
    assert by_first(r, target[0]) == (START, Decimal("1500.00"), Decimal("15.00"))


def by_first(r, customer_no):
    m = next(m for m in r["members"] if m["customer_id"] == customer_no)
    return m["response_date"], m["sales_amount"], m["fee_income"]


def test_exclusions_frozen_at_start(bank, marketer, marketer2, campaign_data):
    c0 = bank["customers"]["C001"]
    c0.marketing_consent = False
    c0.save()
    c = make(campaign_data, marketer, control_pct=0)
    services.approve(c, marketer2)
    services.start(c)
    assert list(CampaignExclusion.objects.filter(campaign=c).values_list("customer_id", "reason")) == [
        ("C001", "no_consent")
    ]
    from bankcrm.campaigns.models import ListItem

    assert not ListItem.objects.filter(kind="campaign:CMP1", customer_id="C001").exists()  # never without consent


def test_contact_cap_from_the_campaign_json(bank, marketer, marketer2, campaign_data):
    p = make(campaign_data, marketer, code="P1", start_date=(START - dt.timedelta(days=2)).isoformat(), control_pct=0)
    services.approve(p, marketer2)
    services.start(p)
    one = make(campaign_data, marketer, code="CAP1", control_pct=0, max_campaigns_30d=1)
    assert {e["reason"] for e in services.evaluate(one).exclusions} == {"contact_cap"}  # one earlier campaign
    two = make(campaign_data, marketer, code="CAP2", control_pct=0)  # default 2
    assert services.evaluate(two).exclusions == []
    with pytest.raises(ValidationError) as err:
        make(campaign_data, marketer, code="CAP3", max_campaigns_30d=0)
    assert "max_campaigns_30d" in err.value.message_dict
