"""Issue 14 bug 4: a work-queue item's detail is rendered from its facts, translated, with thousands
separators and the unit (the queue showed ``vip→wealth: gap 94058.03`` in Chinese)."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import translation

from bankcrm.analytics.lists import build_lists
from bankcrm.campaigns.details import describe
from bankcrm.campaigns.models import ListItem
from bankcrm.campaigns.services import store_list_items

pytestmark = pytest.mark.django_db


@pytest.fixture
def rm1(client, small_bank, make_login):
    client.force_login(make_login("rm1", "rm", staff_no="S001"))
    return client


def edge_item(customer, facts):
    return ListItem.objects.create(
        kind="edge", as_of=dt.date(2026, 2, 28), rank=1, customer=customer, branch_code=customer.branch_id,
        assignee="S001", aum_avg=Decimal("405941.97"), tier="vip", detail="vip→wealth: gap 94058.03", facts=facts,
    )  # fmt: skip


def test_queue_shows_the_detail_in_chinese_with_separators_and_unit(rm1, small_bank):
    edge_item(small_bank["customers"]["C001"], {"from_tier": "vip", "to_tier": "wealth", "gap_cents": 9405803})
    html = rm1.get("/campaigns/queue/").content.decode()
    assert "距财富还差 94,058.03 元（现为贵宾）" in html
    assert "gap 94058.03" not in html and "vip→wealth" not in html


def test_queue_shows_the_detail_in_english(rm1, small_bank):
    edge_item(small_bank["customers"]["C001"], {"from_tier": "vip", "to_tier": "wealth", "gap_cents": 9405803})
    html = rm1.get("/campaigns/queue/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "94,058.03 yuan short of Wealth (now VIP)" in html


@pytest.mark.parametrize(
    ("kind", "facts", "zh", "en"),
    [
        ("downgraded", {"from_tier": "wealth", "to_tier": "vip"}, "由财富降为贵宾", "Down from Wealth to VIP"),
        ("dormant_potential", {"peak_cents": 123456789}, "近 24 个月最高月日均资产：1,234,567.89 元",
         "Highest monthly average balance in 24 months: 1,234,567.89 yuan"),
        ("maturing", {"date": "2026-03-05"}, "2026年3月5日 到期", "Matures on March 5, 2026"),
        ("kyc_expiring", {"kyc": "none"}, "没有风险评估记录", "No risk assessment on file"),
        ("kyc_expiring", {"kyc": "expired", "date": "2026-01-31"}, "风险评估已于 2026年1月31日 过期",
         "Risk assessment expired on Jan. 31, 2026"),
        ("unassigned", {"rm": "S009"}, "客户经理 S009 已不在岗", "Relationship manager S009 is no longer active"),
        ("overdue", {"account": "L001", "days": 95, "bucket": "M4", "overdue_cents": 1234500},
         "贷款 L001 逾期 95 天（M4）；逾期本息 12,345.00 元",
         "Loan L001 95 days overdue (M4); overdue principal and interest 12,345.00 yuan"),
    ],
)  # fmt: skip
def test_every_list_kind_reads_in_both_languages(kind, facts, zh, en):
    with translation.override("zh-hans"):
        assert describe(kind, facts) == zh
    with translation.override("en"):
        assert describe(kind, facts) == en


def test_items_without_facts_keep_their_stored_text():
    assert describe("campaign:C1", {}, "春季理财") == "春季理财"
    assert describe("edge", {"unexpected": 1}, "vip→wealth") == "vip→wealth"


def test_metrics_run_stores_the_facts(small_bank):
    row = {"customer_no": "C001", "branch_code": "B001", "rm_staff_no": "S001", "rm_active": "Y",
           "customer_status": "active", "tier": "vip", "prev_tier": "vip", "aum_avg": 40594197, "edge": "Y",
           "downgraded": "N", "dormant_potential": "N", "maturing": "N", "kyc_expiring": "N", "has_kyc": "Y",
           "kyc_expires": None, "max_aum_24": 0, "next_maturity": None}  # fmt: skip
    items = build_lists([row], dt.date(2026, 2, 28))
    store_list_items(items, dt.date(2026, 2, 28))
    stored = ListItem.objects.get(kind="edge")
    assert stored.facts["from_tier"] == "vip" and stored.facts["to_tier"] == "wealth"
    assert stored.facts["gap_cents"] > 0
    store_list_items(items, dt.date(2026, 2, 28))  # the re-run updates in place, facts included
    assert ListItem.objects.get(kind="edge").facts == stored.facts
