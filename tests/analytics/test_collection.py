"""Collection work on the overdue list (spec/loans.md "The collection list", issue 12), by hand.

The tiny bank of tests/conftest.py: X1 (B001, rm S001 王芳), X2 (B002, rm S002 李强), X3 (B002, no rm:
branch queue). Three deliveries in October: the 29th (D0), the 30th (D1) and the 31st (D2).
Collection contacts are logged on the overdue items; the broken-promise rule runs with the lists of
each date (``bankcrm metrics``).
"""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from test_loans import make_book

from bankcrm.campaigns.models import ContactLog, ListItem, ListItemEvent
from bankcrm.campaigns.services import log_contact
from bankcrm.core.models import AccessLog
from bankcrm.customers.models import Customer
from webapi_data import page_client

pytestmark = pytest.mark.django_db

D0, D1, D2 = dt.date(2026, 10, 29), dt.date(2026, 10, 30), dt.date(2026, 10, 31)

# X1 owes least, X3 most: without a broken promise the list is X3, X2, X1.
STILL_OVERDUE = [
    ("LB", "X1", "20000.00", 10, "special_mention", "100.00"),  # X1: 20100.00
    ("LF", "X2", "60000.00", 40, "special_mention"),  # X2: 60000.00
    ("LG", "X3", "60000.00", 70, "special_mention", "1.01"),  # X3: 60001.01
]
X1_PAID = [
    ("LB", "X1", "19000.00", 0, "normal"),  # X1 paid what was due: no longer overdue
    ("LF", "X2", "60000.00", 42, "special_mention"),
    ("LG", "X3", "60000.00", 72, "special_mention", "1.01"),
]


def at(day: dt.date, hour: int = 10) -> dt.datetime:
    return timezone.make_aware(dt.datetime(day.year, day.month, day.day, hour))


def item(customer_no: str, day: dt.date) -> ListItem:
    return ListItem.objects.get(kind="overdue", as_of=day, customer_id=customer_no)


def order(day: dt.date) -> list[tuple[int, str, str]]:
    return [
        (i.rank, i.customer_id, i.status) for i in ListItem.objects.filter(kind="overdue", as_of=day).order_by("rank")
    ]


@pytest.fixture
def rm1(make_login):
    return make_login("rm1", "rm", staff_no="S001")


@pytest.fixture
def rm2(make_login):
    return make_login("rm2", "rm", staff_no="S002")


@pytest.fixture
def listed(bank):
    """The overdue list of D0 (X3, X2, X1)."""
    make_book(bank, STILL_OVERDUE, day=D0)
    bank.run(D0)
    assert order(D0) == [(1, "X3", "pending"), (2, "X2", "pending"), (3, "X1", "pending")]
    return bank


def list_item(customer, kind: str, rank: int, *, as_of: dt.date = D0) -> ListItem:
    """An item of another list, as the metrics run stores one."""
    return ListItem.objects.create(
        kind=kind,
        as_of=as_of,
        rank=rank,
        customer=customer,
        branch_code=customer.branch_id,
        assignee=customer.rm_id,
        aum_avg=Decimal("45000.00"),
        tier="vip",
    )


def promise(user, customer_no, day_of_contact, promised_date, amount="5000.00", *, on=None):
    customer = Customer.objects.get(pk=customer_no)
    return log_contact(
        customer,
        user,
        channel="phone",
        outcome="promise_to_pay",
        list_item=item(customer_no, on or day_of_contact),
        contacted_at=at(day_of_contact),
        promised_date=promised_date,
        promised_amount=Decimal(amount),
    )


# --- 1. the outcomes of a collection contact -------------------------------------------------------


def test_a_promise_to_pay_is_stored_with_its_date_and_amount(listed, rm1):
    entry = promise(rm1, "X1", D0, D0 + dt.timedelta(days=3), "5000.50")
    entry.refresh_from_db()
    assert (entry.outcome, entry.promised_date, entry.promised_amount) == (
        "promise_to_pay",
        dt.date(2026, 11, 1),
        Decimal("5000.50"),
    )
    assert item("X1", D0).status == "contacted"  # the item is worked, like any contact on it


def test_a_promise_may_name_the_day_of_the_contact(listed, rm1):
    entry = promise(rm1, "X1", D0, D0)  # "pay today" is not a date in the past
    assert entry.promised_date == D0


# (outcome, fields, the field named, why) — each refused with nothing stored
BAD_COLLECTION_CONTACTS = [
    ("promise_to_pay", {"promised_amount": Decimal("100.00")}, "promised_date", "a promise needs its date"),
    ("promise_to_pay", {"promised_date": D0}, "promised_amount", "a promise needs its amount"),
    ("promise_to_pay", {"promised_date": D0, "promised_amount": Decimal("0")}, "promised_amount", "amount > 0"),
    ("promise_to_pay", {"promised_date": D0, "promised_amount": Decimal("-1.00")}, "promised_amount", "amount > 0"),
    (
        "promise_to_pay",
        {"promised_date": D0 - dt.timedelta(days=1), "promised_amount": Decimal("100.00")},
        "promised_date",
        "the date is before the contact's day",
    ),
    ("partial_payment", {}, "paid_amount", "a partial payment needs the amount paid"),
    ("partial_payment", {"paid_amount": Decimal("0.00")}, "paid_amount", "amount paid > 0"),
    ("no_answer", {"promised_date": D0}, "promised_date", "a date without a promise"),
    ("dispute", {"paid_amount": Decimal("10.00")}, "paid_amount", "an amount paid without a payment"),
    ("interested", {}, "outcome", "a sales outcome is not offered on a collection item"),
    ("converted", {}, "outcome", "a sales outcome is not offered on a collection item"),
]


@pytest.mark.parametrize(("outcome", "fields", "named", "why"), BAD_COLLECTION_CONTACTS)
def test_bad_collection_contact_is_refused_naming_the_field(listed, rm1, outcome, fields, named, why):
    with pytest.raises(ValidationError) as refused:
        log_contact(
            Customer.objects.get(pk="X1"),
            rm1,
            channel="phone",
            outcome=outcome,
            list_item=item("X1", D0),
            contacted_at=at(D0),
            **fields,
        )
    assert named in refused.value.message_dict, why
    assert not ContactLog.objects.exists()
    assert item("X1", D0).status == "pending"


@pytest.mark.parametrize("outcome", ["no_answer", "dispute", "restructuring_request"])
def test_the_other_collection_outcomes_need_no_amount(listed, rm1, outcome):
    entry = log_contact(Customer.objects.get(pk="X1"), rm1, channel="visit", outcome=outcome, list_item=item("X1", D0))
    assert entry.outcome == outcome and entry.promised_date is None and entry.paid_amount is None


def test_a_partial_payment_carries_the_amount_paid(listed, rm1):
    entry = log_contact(
        Customer.objects.get(pk="X1"),
        rm1,
        channel="phone",
        outcome="partial_payment",
        list_item=item("X1", D0),
        paid_amount=Decimal("1234.56"),
    )
    assert entry.paid_amount == Decimal("1234.56")


def test_collection_outcomes_are_not_recorded_off_the_collection_list(listed, rm1):
    edge = list_item(Customer.objects.get(pk="X1"), "edge", 1)
    for outcome in ("promise_to_pay", "partial_payment", "dispute", "restructuring_request"):
        with pytest.raises(ValidationError) as refused:
            log_contact(Customer.objects.get(pk="X1"), rm1, channel="phone", outcome=outcome, list_item=edge)
        assert "outcome" in refused.value.message_dict
        with pytest.raises(ValidationError):  # nor on a contact that answers no item
            log_contact(Customer.objects.get(pk="X1"), rm1, channel="phone", outcome=outcome)
    # "no answer" is an outcome of both kinds of contact
    assert log_contact(Customer.objects.get(pk="X1"), rm1, channel="phone", outcome="no_answer", list_item=edge)


def test_the_queue_card_offers_the_collection_outcomes_only_on_the_overdue_item(listed, rm1):
    edge = list_item(Customer.objects.get(pk="X1"), "edge", 1)
    client = page_client(rm1)
    overdue_card = client.get(reverse("campaigns:listitem", args=[item("X1", D0).pk])).content.decode()
    edge_card = client.get(reverse("campaigns:listitem", args=[edge.pk])).content.decode()

    def offered(html: str) -> set[str]:
        select = html[html.index('name="outcome"') :]
        select = select[: select.index("</select>")]
        return {part.split('"')[0] for part in select.split('<option value="')[1:]}

    # the spec's collection outcomes on the overdue item, the sales ones elsewhere ("no answer" in both)
    assert offered(overdue_card) == {
        "promise_to_pay",
        "no_answer",
        "dispute",
        "partial_payment",
        "restructuring_request",
    }
    assert offered(edge_card) == {"reached", "no_answer", "interested", "converted", "declined", "callback"}
    assert 'name="promised_date"' in overdue_card and 'name="promised_date"' not in edge_card
    assert "承诺还款" in overdue_card and "申请重组" in overdue_card  # labels in Chinese by default


def test_the_rm_logs_a_promise_from_the_queue_card(listed, rm1):
    client = page_client(rm1)
    pk = item("X1", D0).pk
    promised = timezone.localdate() + dt.timedelta(days=7)
    response = client.post(
        reverse("campaigns:listitem", args=[pk]),
        {
            "action": "contact",
            "channel": "phone",
            "outcome": "promise_to_pay",
            "promised_date": promised.isoformat(),
            "promised_amount": "20100.00",
        },
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    entry = ContactLog.objects.get(list_item_id=pk)
    assert (entry.promised_date, entry.promised_amount, entry.user_name) == (promised, Decimal("20100.00"), "rm1")
    assert f'data-contact="{entry.pk}"' in response.content.decode()  # the history on the card


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"promised_amount": "100.00"}, "承诺还款日期"),  # the field named, in Chinese
        ({"promised_date": "2020-01-01", "promised_amount": "100.00"}, "已是过去"),
        ({"promised_date": "2099-01-01", "promised_amount": "100.005"}, "2"),  # at most 2 decimals
        ({"promised_date": "2099-01-01", "promised_amount": "0"}, "大于0"),
    ],
)
def test_a_bad_promise_on_the_page_says_what_and_where(listed, rm1, fields, message):
    response = page_client(rm1).post(
        reverse("campaigns:listitem", args=[item("X1", D0).pk]),
        {"action": "contact", "channel": "phone", "outcome": "promise_to_pay", **fields},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert 'role="alert"' in html and message in html
    assert not ContactLog.objects.exists()


# --- 2. the broken-promise rule ------------------------------------------------------------------------


@pytest.fixture
def promised(listed, rm1, rm2):
    """On D0, X1 promises to pay on D0 (= D1 − 1) and X2 on D1; D1's loans file has everyone still overdue."""
    promise(rm1, "X1", D0, D0, "20100.00")
    promise(rm2, "X2", D0, D1, "60000.00")
    make_book(listed, STILL_OVERDUE, day=D1)
    listed.run(D1)
    return listed


def test_a_promise_dated_before_the_delivery_and_still_overdue_is_broken(promised):
    # X1 (the smallest debt) is put on top; X2's promise is for D1 itself: not broken yet
    assert order(D1) == [(1, "X1", "promise_broken"), (2, "X3", "pending"), (3, "X2", "pending")]
    event = ListItemEvent.objects.get(item=item("X1", D1))
    assert (event.user_name, event.from_value, event.to_value) == ("system", "pending", "promise_broken")
    assert "2026-10-29" in event.note


def test_rerunning_the_same_date_keeps_the_broken_promise_without_a_second_event(promised):
    pk = item("X1", D1).pk
    promised.run(D1)
    assert order(D1)[0] == (1, "X1", "promise_broken") and item("X1", D1).pk == pk
    assert ListItemEvent.objects.filter(item_id=pk).count() == 1


def test_broken_promises_are_ordered_among_themselves_by_the_overdue_amount(promised, rm2):
    make_book(promised, STILL_OVERDUE, day=D2)
    promised.run(D2)
    # on D2 X2's promise (D1) is broken too; X1's still is (nobody followed it up); X2 owes more
    assert order(D2) == [(1, "X2", "promise_broken"), (2, "X1", "promise_broken"), (3, "X3", "pending")]


def test_another_contact_after_the_promised_day_does_not_mend_the_promise(promised, rm1):
    # spec/loans.md: broken = the date passed and the loan is still overdue; "no answer" pays nothing
    log_contact(
        Customer.objects.get(pk="X1"),
        rm1,
        channel="phone",
        outcome="no_answer",
        list_item=item("X1", D1),
        contacted_at=at(D1, 11),
    )
    assert item("X1", D1).status == "contacted"
    promised.run(D1)  # a late file: the lists of D1 again
    assert order(D1) == [(1, "X1", "promise_broken"), (2, "X3", "pending"), (3, "X2", "pending")]


def test_a_new_promise_replaces_the_broken_one(promised, rm1):
    promise(rm1, "X1", D1, D2 + dt.timedelta(days=5), "20100.00", on=D1)
    make_book(promised, STILL_OVERDUE, day=D2)
    promised.run(D2)
    assert ("X1", "promise_broken") not in [(c, s) for _r, c, s in order(D2)]


def test_a_customer_who_paid_leaves_the_list_whatever_they_promised(promised):
    make_book(promised, X1_PAID, day=D2)
    promised.run(D2)
    assert [c for _r, c, _s in order(D2)] == ["X2", "X3"]  # X2's promise of D1 is broken on D2
    assert order(D2)[0] == (1, "X2", "promise_broken")
    # the work done stays where it was done: the promise on X1's item of D0, that item on D0's list
    assert ContactLog.objects.filter(customer_id="X1", outcome="promise_to_pay", list_item__as_of=D0).count() == 1


def test_the_queue_shows_the_broken_promise_on_top_with_a_badge_and_its_history(promised):
    from bankcrm.org.services import add_user

    manager = add_user("bm2", role="branch_manager", password="pw-for-tests-1", branch_code="B002")
    rm = add_user("rm1b", role="rm", password="pw-for-tests-1", staff_no="S001")
    page = page_client(rm).get(reverse("campaigns:workqueue"), HTTP_ACCEPT_LANGUAGE="en")
    first = page.context["object_list"][0]
    assert (first.customer_id, first.status) == ("X1", "promise_broken")
    html = page.content.decode()
    assert 'data-badge="promise_broken"' in html and "Promise to pay broken" in html
    zh = page_client(rm).get(reverse("campaigns:workqueue")).content.decode()
    assert "承诺未兑现" in zh
    # the item of D1 shows the promise made on D0's item: the work done is kept with the customer
    card = page_client(rm).get(reverse("campaigns:listitem", args=[item("X1", D1).pk])).content.decode()
    promise_entry = ContactLog.objects.get(customer_id="X1", outcome="promise_to_pay")
    assert f'data-contact="{promise_entry.pk}"' in card
    # another branch's manager does not see X1's collection history
    assert page_client(manager).get(reverse("campaigns:listitem", args=[item("X1", D1).pk])).status_code == 404


# --- 3. the work queue shows the overdue list first -------------------------------------------------


def test_the_overdue_list_comes_before_the_other_lists(listed, rm1):
    x5 = listed.customer("X5", branch="B001", rm="S001")
    edge = list_item(x5, "edge", 1)
    # a due follow-up would bring the edge item first in a queue without collection work
    log_contact(
        x5,
        rm1,
        channel="phone",
        outcome="callback",
        list_item=edge,
        next_follow_up=timezone.localdate() - dt.timedelta(days=1),
    )
    queue = page_client(rm1).get(reverse("campaigns:workqueue")).context["object_list"]
    assert [(i.kind, i.customer_id) for i in queue] == [("overdue", "X1"), ("edge", "X5")]


def test_among_overdue_items_the_queue_follows_the_list_order(promised):
    from bankcrm.org.services import add_user

    manager = add_user("bm2", role="branch_manager", password="pw-for-tests-1", branch_code="B002")
    list_item(Customer.objects.get(pk="X2"), "kyc_expiring", 1, as_of=D1)
    queue = page_client(manager).get(reverse("campaigns:workqueue") + "?queue=all").context["object_list"]
    # B002's manager: X3 (rank 2) before X2 (rank 3), then the other lists (X3 has no rm: unassigned)
    assert [(i.kind, i.customer_id) for i in queue] == [
        ("overdue", "X3"),
        ("overdue", "X2"),
        ("kyc_expiring", "X2"),
        ("unassigned", "X3"),
    ]


def test_without_overdue_items_the_queue_is_as_before(bank, rm1):
    x5 = bank.customer("X5", branch="B001", rm="S001")
    first, second = list_item(x5, "edge", 2), list_item(x5, "maturing", 1)
    queue = page_client(rm1).get(reverse("campaigns:workqueue")).context["object_list"]
    assert [i.pk for i in queue] == [first.pk, second.pk]  # by list kind, then rank, as before


# --- 4. the 360's loan card: the last collection contacts ----------------------------------------


def test_the_360_loan_card_lists_the_last_collection_contacts(listed, rm1, rm2):
    promise(rm1, "X1", D0, D0 + dt.timedelta(days=2), "5000.00")
    log_contact(
        Customer.objects.get(pk="X1"),
        rm1,
        channel="phone",
        outcome="partial_payment",
        list_item=item("X1", D0),
        contacted_at=at(D0, 15),
        paid_amount=Decimal("1200.50"),
        note="秘密备注",
        confidential=True,
    )
    log_contact(Customer.objects.get(pk="X2"), rm2, channel="phone", outcome="dispute", list_item=item("X2", D0))
    AccessLog.objects.all().delete()
    response = page_client(rm1).get(reverse("customers:detail", args=["X1"]))
    assert response.status_code == 200
    c360 = response.context["c360"]
    assert [
        (c["outcome"], c["promised_date"], c["promised_amount"], c["paid_amount"], c["user_name"])
        for c in c360.collection_contacts
    ] == [
        ("partial_payment", None, None, Decimal("1200.50"), "rm1"),  # newest first
        ("promise_to_pay", dt.date(2026, 10, 31), Decimal("5000.00"), None, "rm1"),
    ]
    html = response.content.decode()
    card = html[html.index('id="collection-contacts"') :]
    card = card[: card.index("</table>")]
    assert "承诺还款" in card and "部分还款" in card and "2026-10-31" in card
    assert "5,000.00" in card.replace("\u00a0", "") and "1,200.50" in card.replace("\u00a0", "")
    assert "王芳" in card  # who: the rm's name
    assert "有异议" not in card  # X2's contact is not X1's
    assert "秘密备注" not in card  # notes are not shown in the loan card
    assert AccessLog.objects.filter(action="view", customer_no="X1", user_name="rm1").count() == 1
    # scope: X1 is not S002's customer
    assert page_client(rm2).get(reverse("customers:detail", args=["X1"])).status_code == 404


def test_the_360_api_carries_the_promise_of_a_contact(listed, rm1):
    promise(rm1, "X1", D0, D0 + dt.timedelta(days=2), "5000.00")
    body = page_client(rm1).get("/api/customers/X1/").json()
    promised = [c for c in body["contacts"] if c["outcome"] == "promise_to_pay"]
    assert [(c["promised_date"], c["promised_amount"], c["paid_amount"]) for c in promised] == [
        ("2026-10-31", "5000.00", None)
    ]


def test_the_360_contact_form_offers_collection_outcomes_only_with_a_collection_item(listed, rm1):
    from bankcrm.campaigns.forms import ContactForm

    x1 = Customer.objects.get(pk="X1")
    with_item = {value for value, _label in ContactForm(customer=x1, user=rm1).fields["outcome"].choices}
    assert {"promise_to_pay", "partial_payment", "dispute", "restructuring_request"} <= with_item
    ListItem.objects.filter(kind="overdue").delete()  # X1 no longer on the collection list
    without = {value for value, _label in ContactForm(customer=x1, user=rm1).fields["outcome"].choices}
    assert not {"promise_to_pay", "partial_payment", "dispute", "restructuring_request"} & without
    # logged from the 360 with the overdue item chosen, a promise is a collection contact like any
    ListItem.objects.all().delete()
    make_book(listed, STILL_OVERDUE, day=D0)
    listed.run(D0)
    response = page_client(rm1).post(
        reverse("customers:contact", args=["X1"]),
        {
            "channel": "phone",
            "outcome": "promise_to_pay",
            "list_item": item("X1", D0).pk,
            "promised_date": (timezone.localdate() + dt.timedelta(days=1)).isoformat(),
            "promised_amount": "300.00",
        },
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    assert ContactLog.objects.get(customer_id="X1").promised_amount == Decimal("300.00")
