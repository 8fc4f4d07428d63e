"""Issue 14, branch head: tick many list items on the work queue and give them (and, if asked,
their customers) to one relationship manager of the branch — each change logged; and the
dashboard as an Excel workbook."""

import io
from decimal import Decimal

import pytest
from django.contrib.contenttypes.models import ContentType
from openpyxl import load_workbook
from pages_data import add_snapshots, list_item

from bankcrm.campaigns.models import ListItem, ListItemEvent
from bankcrm.core.models import AccessLog, ObjectChange
from bankcrm.customers.models import Customer
from bankcrm.org.models import Staff

pytestmark = pytest.mark.django_db


@pytest.fixture
def items(small_bank):
    c = small_bank["customers"]
    return {
        "c1_edge": list_item(c["C001"], "edge", 1),  # S001 王芳, 城东支行 B001
        "c1_kyc": list_item(c["C001"], "kyc_expiring", 3),
        "c3_queue": list_item(c["C003"], "unassigned", 1, assignee="branch:B001A"),  # 营业部 below B001
        "c2_west": list_item(c["C002"], "edge", 2),  # S002, 城西支行: another branch
    }


@pytest.fixture
def head(client, small_bank, make_login):
    user = make_login("bm-east", "branch_manager", branch_code="B001")
    client.force_login(user)
    return user


def post_bulk(client, picked, assignee, **extra):
    return client.post(
        "/campaigns/queue/bulk-assign/",
        {"items": [i.pk for i in picked], "assignee": assignee, "next": "/campaigns/queue/?queue=all", **extra},
        follow=True,
    )


def test_the_queue_offers_ticks_and_only_the_branchs_rms(client, items, head):
    html = client.get("/campaigns/queue/?queue=all").content.decode()
    assert 'id="bulk-assign"' in html
    assert f'name="items" value="{items["c1_edge"].pk}" form="bulk-assign"' in html
    form = html[html.index('id="bulk-assign"') : html.index("</form>", html.index('id="bulk-assign"'))]
    assert "S001 王芳" in form and "S003 赵敏" in form
    assert "S002" not in form and "李强" not in form  # 城西's rm is not theirs to hand work to
    assert "branch:" not in form  # to one person, not back to a queue


def test_items_and_their_customers_go_to_one_rm_each_change_logged(client, items, head):
    picked = [items["c1_edge"], items["c1_kyc"], items["c3_queue"]]
    response = post_bulk(client, picked, "S003", customers_too="1")
    assert response.status_code == 200
    assert "3 条名单和 1 位客户已分配给 S003 赵敏。" in response.content.decode()  # C003 was S003's already
    assert set(ListItem.objects.filter(pk__in=[i.pk for i in picked]).values_list("assignee", flat=True)) == {"S003"}
    assert Customer.objects.get(pk="C001").rm_id == "S003"
    events = ListItemEvent.objects.filter(kind="reassigned").order_by("item_id")
    assert [(e.item_id, e.from_value, e.to_value, e.user_name) for e in events] == sorted(
        [
            (items["c1_edge"].pk, "S001", "S003", "bm-east"),
            (items["c1_kyc"].pk, "S001", "S003", "bm-east"),
            (items["c3_queue"].pk, "branch:B001A", "S003", "bm-east"),
        ]
    )
    customer_changes = ObjectChange.objects.filter(
        content_type=ContentType.objects.get_for_model(Customer), object_id="C001", user_name="bm-east"
    )
    assert [(c.prechange_data["rm"], c.postchange_data["rm"]) for c in customer_changes] == [("S001", "S003")]
    assert (
        ObjectChange.objects.filter(
            content_type=ContentType.objects.get_for_model(ListItem), user_name="bm-east"
        ).count()
        == 3
    )


def test_without_the_tick_the_customers_stay(client, items, head):
    post_bulk(client, [items["c1_edge"]], "S003")
    assert ListItem.objects.get(pk=items["c1_edge"].pk).assignee == "S003"
    assert Customer.objects.get(pk="C001").rm_id == "S001"


def test_an_item_of_another_branch_refuses_the_whole_hand_over(client, items, head):
    response = post_bulk(client, [items["c1_edge"], items["c2_west"]], "S003", customers_too="1")
    assert "所选 2 条名单中有 1 条不在您的范围内：没有分配任何名单。" in response.content.decode()
    assert ListItem.objects.get(pk=items["c1_edge"].pk).assignee == "S001"
    assert Customer.objects.get(pk="C001").rm_id == "S001"
    assert not ListItemEvent.objects.exists()


def test_an_rm_of_another_branch_or_a_leaver_is_refused(client, items, head):
    response = post_bulk(client, [items["c1_edge"]], "S002")
    assert "请选择要把所选名单分配给哪位客户经理。" in response.content.decode()
    Staff.objects.filter(pk="S003").update(status="left")
    post_bulk(client, [items["c1_edge"]], "S003")
    assert ListItem.objects.get(pk=items["c1_edge"].pk).assignee == "S001"


def test_nothing_ticked_is_named(client, items, head):
    response = post_bulk(client, [], "S003")
    assert "请至少选择一条名单。" in response.content.decode()


def test_an_rm_may_not_bulk_assign(client, items, make_login):
    client.force_login(make_login("wf", "rm", staff_no="S001"))
    assert 'id="bulk-assign"' not in client.get("/campaigns/queue/").content.decode()
    response = client.post("/campaigns/queue/bulk-assign/", {"items": [items["c1_edge"].pk], "assignee": "S001"})
    assert response.status_code == 403
    assert ListItem.objects.get(pk=items["c1_edge"].pk).assignee == "S001"


def test_the_dashboard_exports_its_figures_as_a_workbook(client, small_bank, make_login):
    add_snapshots(small_bank)
    c = small_bank["customers"]
    list_item(c["C001"], "edge", 1)
    list_item(c["C004"], "downgraded", 1, status="contacted")
    list_item(c["C002"], "edge", 2)
    client.force_login(make_login("ho", "head_office"))
    assert 'href="/analytics/export.xlsx?month=2026-02"' in client.get("/analytics/").content.decode()
    response = client.get("/analytics/export.xlsx", {"month": "2026-02"})
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="dashboard-2026-02.xlsx"'
    book = load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == ["经营看板", "客户层级", "层级迁移", "名单"]
    about = {r[0]: r[1] for r in book["经营看板"].iter_rows(values_only=True)}
    assert about["月份"] == "2026-02" and about["导出人"] == "ho"
    tiers = {r[0]: r for r in book["客户层级"].iter_rows(min_row=2, values_only=True)}
    # the same figures as tests/web/test_dashboard.py's head-office page: 3 vip holding 530,000.50
    assert tiers["贵宾"][1] == 3 and Decimal(str(tiers["贵宾"][2])) == Decimal("530000.50")
    assert tiers["合计"][1] == 4 and tiers["合计"][8] == 1  # net increase this year
    lists = {r[0]: r for r in book["名单"].iter_rows(min_row=2, values_only=True)}
    assert len(lists) == 2
    assert AccessLog.objects.filter(user_name="ho", action="export", detail="dashboard 2026-02").exists()


def test_a_branch_head_exports_only_their_branch(client, small_bank, make_login):
    add_snapshots(small_bank)
    client.force_login(make_login("bm-west", "branch_manager", branch_code="B002"))
    book = load_workbook(io.BytesIO(client.get("/analytics/export.xlsx").content))
    about = {r[0]: r[1] for r in book["经营看板"].iter_rows(values_only=True)}
    assert "城西" in about["范围"]
    totals = next(r for r in book["客户层级"].iter_rows(values_only=True) if r[0] == "合计")
    assert totals[1] == 1  # C002 only


def test_the_customer_list_gives_ticked_customers_to_one_rm(client, small_bank, head):
    html = client.get("/customers/").content.decode()
    assert 'id="bulk-customers"' in html and 'value="C001" form="bulk-customers"' in html
    picker = html[html.index('id="bulk-rm"') : html.index("</select>", html.index('id="bulk-rm"'))]
    assert "S003 赵敏" in picker and "S002" not in picker
    response = client.post(
        "/customers/bulk-assign/", {"customers": ["C001", "C003"], "rm": "S003", "next": "/customers/"}, follow=True
    )
    assert "1 位客户已分配给 S003 赵敏。" in response.content.decode()  # C003 was S003's already
    assert Customer.objects.get(pk="C001").rm_id == "S003"
    changes = ObjectChange.objects.filter(content_type=ContentType.objects.get_for_model(Customer), user_name="bm-east")
    assert [(c.object_id, c.prechange_data["rm"], c.postchange_data["rm"]) for c in changes] == [
        ("C001", "S001", "S003")
    ]


def test_a_customer_of_another_branch_refuses_the_whole_list(client, small_bank, head):
    response = client.post("/customers/bulk-assign/", {"customers": ["C001", "C002"], "rm": "S003"}, follow=True)
    assert "所选 2 位客户中有 1 位不在您的范围内：没有分配任何客户。" in response.content.decode()
    assert Customer.objects.get(pk="C001").rm_id == "S001"


def test_rms_have_no_customer_ticks(client, small_bank, make_login):
    client.force_login(make_login("wf", "rm", staff_no="S001"))
    assert 'id="bulk-customers"' not in client.get("/customers/").content.decode()
    assert client.post("/customers/bulk-assign/", {"customers": ["C001"], "rm": "S001"}).status_code == 403
