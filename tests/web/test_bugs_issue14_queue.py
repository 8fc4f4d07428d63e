"""Issue 14 bug 1: the branch head's follow-up progress table counts what the queue shows.

A new month's list supersedes the last one in the queue (earlier months only on request with
``?as_of=``); the table beside it must count the same items, or an rm with 2 current items reads
as having 3.
"""

import datetime as dt

import pytest
from pages_data import list_item

pytestmark = pytest.mark.django_db


@pytest.fixture
def manager(client, small_bank, make_login):
    user = make_login("bm1", "branch_manager", branch_code="B001")
    client.force_login(user)
    return user


def test_progress_table_counts_only_current_lists_like_the_queue(client, small_bank, manager):
    c = small_bank["customers"]
    list_item(c["C001"], "edge", 1, as_of=dt.date(2026, 2, 28))
    list_item(c["C001"], "kyc_expiring", 1, as_of=dt.date(2026, 2, 28), status="contacted")
    # last month's edge list: superseded, not in the queue any more
    list_item(c["C001"], "edge", 1, as_of=dt.date(2026, 1, 31))
    list_item(c["C003"], "edge", 2, as_of=dt.date(2026, 1, 31), assignee="S001")

    response = client.get("/campaigns/queue/?queue=all")
    shown = [item for item in response.context["object_list"] if item.assignee == "S001"]
    progress = {row["assignee"]: row for row in response.context["progress"]}
    assert len(shown) == 2
    assert progress["S001"]["total"] == 2  # not 4: January's list is not in the queue
    assert progress["S001"]["statuses"] == [1, 1, 0, 0, 0]  # pending, contacted, converted, declined, promise broken

    # asking for January's list shows and counts January's items
    january = client.get("/campaigns/queue/?queue=all&as_of=2026-01-31")
    progress = {row["assignee"]: row for row in january.context["progress"]}
    assert len(january.context["object_list"]) == 2 and progress["S001"]["total"] == 2
