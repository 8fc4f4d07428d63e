"""My work queue (名单制管理): what each person sees, and what their actions change."""

import datetime as dt

import pytest
from django.utils import timezone
from pages_data import list_item

from bankcrm.campaigns.models import ContactLog, ListItem
from bankcrm.campaigns.services import log_contact
from bankcrm.customers.models import Customer

pytestmark = pytest.mark.django_db


@pytest.fixture
def items(small_bank):
    c = small_bank["customers"]
    return {
        "s001_edge": list_item(c["C001"], "edge", 1),
        "s001_kyc": list_item(c["C001"], "kyc_expiring", 3),
        "s002_edge": list_item(c["C002"], "edge", 2),
        "b001_queue": list_item(c["C003"], "unassigned", 1, assignee="branch:B001A"),
    }


@pytest.fixture
def rm1(client, small_bank, make_login):
    user = make_login("rm1", "rm", staff_no="S001")
    client.force_login(user)
    return user


@pytest.fixture
def manager(client, small_bank, make_login):
    user = make_login("bm1", "branch_manager", branch_code="B001")
    client.force_login(user)
    return user


def item_ids(response):
    return {item.pk for item in response.context["object_list"]}


def test_rm_sees_only_items_assigned_to_them(client, items, rm1):
    response = client.get("/campaigns/queue/")
    assert response.status_code == 200
    assert item_ids(response) == {items["s001_edge"].pk, items["s001_kyc"].pk}
    html = response.content.decode()
    assert "/customers/C001/" in html
    assert "Reassign item" not in html and "reassign-form" not in html


def test_filter_by_kind_and_status(client, items, rm1):
    assert item_ids(client.get("/campaigns/queue/?kind=edge")) == {items["s001_edge"].pk}
    assert item_ids(client.get("/campaigns/queue/?status=converted")) == set()


def test_due_follow_ups_come_first(client, items, rm1, small_bank):
    c005 = Customer.objects.create(
        customer_no="C005",
        name="钱七",
        id_type="ID_CARD",
        id_number="110101198001011234",
        branch=small_bank["branches"]["B001"],
        rm=small_bank["staff"]["S001"],
        onboard_date=dt.date(2020, 1, 1),
    )
    later = list_item(c005, "maturing", 1)
    assert client.get("/campaigns/queue/").context["object_list"][0].pk == items["s001_edge"].pk
    log_contact(
        c005,
        rm1,
        channel="phone",
        outcome="callback",
        next_follow_up=timezone.localdate() - dt.timedelta(days=1),
        list_item=later,
    )
    response = client.get("/campaigns/queue/")
    first = response.context["object_list"][0]
    assert first.pk == later.pk and first.due is True
    assert "border-danger" in response.content.decode()


def test_logging_a_contact_moves_the_item(client, items, rm1):
    item = items["s001_edge"]
    response = client.post(
        f"/campaigns/queue/{item.pk}/",
        {
            "action": "contact",
            "channel": "phone",
            "outcome": "interested",
            "note": "想了解理财",
            "next_follow_up": "2030-01-05",
        },
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200
    assert b"<html" not in response.content  # the card, for htmx to swap in
    item.refresh_from_db()
    assert item.status == "contacted"
    entry = ContactLog.objects.get(list_item=item)
    assert (entry.channel, entry.outcome, entry.note, entry.next_follow_up) == (
        "phone",
        "interested",
        "想了解理财",
        dt.date(2030, 1, 5),
    )
    assert entry.user_name == "rm1" and entry.staff_id == "S001"

    response = client.post(
        f"/campaigns/queue/{item.pk}/", {"action": "contact", "channel": "visit", "outcome": "converted"}
    )
    assert response.status_code == 302  # plain form post: back to the queue
    item.refresh_from_db()
    assert item.status == "converted"


def test_bad_contact_form_names_the_field(client, items, rm1):
    item = items["s001_edge"]
    response = client.post(
        f"/campaigns/queue/{item.pk}/", {"action": "contact", "channel": "pigeon", "outcome": "reached"}
    )
    assert response.status_code == 400
    assert "pigeon" in response.content.decode()
    assert not ContactLog.objects.exists()


def test_status_buttons(client, items, rm1):
    item = items["s001_edge"]
    response = client.post(
        f"/campaigns/queue/{item.pk}/", {"action": "status", "status": "declined"}, headers={"HX-Request": "true"}
    )
    assert response.status_code == 200
    item.refresh_from_db()
    assert item.status == "declined"


def test_out_of_scope_item_is_404(client, items, rm1):
    other = items["s002_edge"]
    assert client.get(f"/campaigns/queue/{other.pk}/").status_code == 404
    response = client.post(f"/campaigns/queue/{other.pk}/", {"action": "status", "status": "converted"})
    assert response.status_code == 404
    other.refresh_from_db()
    assert other.status == "pending"


def test_rm_cannot_reassign(client, items, rm1, small_bank):
    item = items["s001_edge"]
    response = client.post(f"/campaigns/queue/{item.pk}/", {"action": "reassign", "assignee": "S003"})
    assert response.status_code == 403
    item.refresh_from_db()
    assert item.assignee == "S001"
    response = client.post(f"/campaigns/queue/{item.pk}/", {"action": "reassign_customer", "rm": "S003"})
    assert response.status_code == 403
    assert Customer.objects.get(pk="C001").rm_id == "S001"


def test_manager_sees_branch_queue_and_progress(client, items, manager):
    response = client.get("/campaigns/queue/")
    assert response.context["queue"] == "branch"
    assert item_ids(response) == {items["b001_queue"].pk}
    progress = {row["assignee"]: row for row in response.context["progress"]}
    assert set(progress) == {"S001", "branch:B001A"}  # B002's S002 is outside the branch
    assert progress["S001"]["statuses"] == [2, 0, 0, 0, 0]  # pending … promise_broken
    everything = client.get("/campaigns/queue/?queue=all")
    assert item_ids(everything) == {items["s001_edge"].pk, items["s001_kyc"].pk, items["b001_queue"].pk}


def test_manager_reassigns_item_and_customer(client, items, manager):
    item = items["b001_queue"]
    response = client.post(
        f"/campaigns/queue/{item.pk}/", {"action": "reassign", "assignee": "S003"}, headers={"HX-Request": "true"}
    )
    assert response.status_code == 200
    item.refresh_from_db()
    assert item.assignee == "S003"
    response = client.post(f"/campaigns/queue/{item.pk}/", {"action": "reassign_customer", "rm": "S001"})
    assert response.status_code == 302
    assert Customer.objects.get(pk="C003").rm_id == "S001"


def test_manager_cannot_hand_work_outside_the_branch(client, items, manager):
    item = items["b001_queue"]
    response = client.post(f"/campaigns/queue/{item.pk}/", {"action": "reassign", "assignee": "S002"})
    assert response.status_code == 400
    item.refresh_from_db()
    assert item.assignee == "branch:B001A"
    assert client.get(f"/campaigns/queue/{items['s002_edge'].pk}/").status_code == 404


def test_queue_page_has_no_n_plus_one(client, small_bank, rm1, django_assert_max_num_queries):
    template = small_bank["customers"]["C001"]

    def portfolio_customer(rank):
        return Customer.objects.create(
            customer_no=f"Q{rank:03d}",
            name=f"客户{rank}",
            id_type="PASSPORT",
            id_number=f"E{rank:08d}",
            branch=template.branch,
            rm=template.rm,
            onboard_date=template.onboard_date,
        )

    for rank in range(1, 4):
        list_item(portfolio_customer(rank), "edge", rank, as_of=dt.date(2026, 1, 31))
    with django_assert_max_num_queries(12) as few:
        client.get("/campaigns/queue/")
    for rank in range(4, 30):
        list_item(portfolio_customer(rank), "edge", rank, as_of=dt.date(2026, 1, 31))
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get("/campaigns/queue/")
    assert len(response.context["object_list"]) == 29
    assert ListItem.objects.count() == 29


def test_queue_shows_the_newest_list_and_older_ones_on_request(client, small_bank, rm1):
    customer = small_bank["customers"]["C001"]
    list_item(customer, "edge", 1, as_of=dt.date(2026, 1, 31))
    list_item(customer, "edge", 1, as_of=dt.date(2026, 2, 28))
    shown = client.get("/campaigns/queue/").context["object_list"]
    assert [item.as_of for item in shown] == [dt.date(2026, 2, 28)]
    older = client.get("/campaigns/queue/?as_of=2026-01-31").context["object_list"]
    assert [item.as_of for item in older] == [dt.date(2026, 1, 31)]


def test_manager_queue_query_count(client, items, manager, django_assert_max_num_queries):
    with django_assert_max_num_queries(16):
        client.get("/campaigns/queue/?queue=all")
