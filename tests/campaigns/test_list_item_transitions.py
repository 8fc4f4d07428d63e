"""Issue 9: a list item's status changes through one service with a transition map and an event.

Expected moves written by hand (docs/adr/0502: converted and declined are outcomes a later contact
may reopen to contacted; nothing goes back to pending), not read from the code's STATUS_MOVES.
"""

import datetime as dt
import itertools
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from bankcrm.campaigns import services
from bankcrm.campaigns.models import ListItem, ListItemEvent

ALLOWED = {
    ("pending", "contacted"), ("pending", "converted"), ("pending", "declined"),
    ("contacted", "contacted"), ("contacted", "converted"), ("contacted", "declined"),
    ("converted", "converted"), ("converted", "contacted"),
    ("declined", "declined"), ("declined", "contacted"),
}  # fmt: skip
STATUSES = ("pending", "contacted", "converted", "declined")


@pytest.fixture
def item(small_bank):
    return ListItem.objects.create(
        kind="edge", as_of=dt.date(2026, 10, 31), rank=1, customer=small_bank["customers"]["C001"],
        branch_code="B001", assignee="S001", aum_avg=Decimal("45000.00"), tier="mass",
    )  # fmt: skip


@pytest.mark.parametrize(("start", "target"), list(itertools.product(STATUSES, STATUSES)))
def test_status_moves_and_their_events(item, make_login, start, target):
    rm = make_login("wf-t", "rm", staff_no="S001")
    ListItem.objects.filter(pk=item.pk).update(status=start)
    if (start, target) in ALLOWED:
        changed = services.set_list_item_status(item, target, rm)
        assert changed.status == target
        events = list(ListItemEvent.objects.filter(item=item).values_list("from_value", "to_value", "user_name"))
        assert events == ([] if start == target else [(start, target, "wf-t")])
    else:
        with pytest.raises(ValidationError):
            services.set_list_item_status(item, target, rm)
        assert ListItem.objects.get(pk=item.pk).status == start
        assert not ListItemEvent.objects.filter(item=item).exists()


def test_reassignment_is_an_event(item, make_login):
    manager = make_login("bm-t", "branch_manager", branch_code="B001")
    services.reassign_list_item(item, "branch:B001", manager)
    event = ListItemEvent.objects.get(item=item)
    assert (event.kind, event.from_value, event.to_value, event.user_name) == (
        "reassigned",
        "S001",
        "branch:B001",
        "bm-t",
    )


def test_reassignment_is_announced_to_webhook_subscribers_without_the_customer(item, make_login):
    """Issue 15.7: a list item assigned is queued for ``list_item.assigned`` subscribers (ADR 0606)."""
    import json

    from bankcrm.core.models import WebhookDelivery, WebhookSubscription

    WebhookSubscription.objects.create(name="cc", url="http://127.0.0.1:9/", secret="x" * 16,
                                       event_types=["list_item.assigned"])  # fmt: skip
    manager = make_login("bm-w", "branch_manager", branch_code="B001")
    services.reassign_list_item(item, "branch:B001", manager)
    data = json.loads(WebhookDelivery.objects.get().body)["data"]
    assert data == {
        "list_item_id": item.pk,
        "list": "edge",
        "as_of": "2026-10-31",
        "branch": "B001",
        "status": "pending",
        "from_assignee": "S001",
        "assignee": "branch:B001",
    }
