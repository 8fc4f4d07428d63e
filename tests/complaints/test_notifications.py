"""In-app notifications before a deadline (issue 14): the sweep writes them, the handler reads them.

The calendar is worked out by hand: a complaint received Wed 2026-09-23 under ``cn`` has its
decision due Thu 2026-10-08 (15 days, spec/complaints.md). Fri 09-25 is the Mid-Autumn holiday and
10-01..10-07 the National Day week, so on Mon 09-28 three working days are left (09-29, 09-30,
10-08), on Wed 09-30 one, on 10-08 none (due today); on 10-09 the deadline has passed.
"""

import datetime as dt

import pytest

from bankcrm.complaints import services
from bankcrm.core.models import Notification

from .conftest import SHANGHAI


def at(day: int, month: int = 9) -> dt.datetime:
    return dt.datetime(2026, month, day, 9, 0, tzinfo=SHANGHAI)


def decision_notes(user):
    return list(
        Notification.objects.filter(recipient=user, key__contains=":decision:")
        .order_by("created", "pk")
        .values_list("key", flat=True)
    )


@pytest.mark.parametrize(
    ("today", "left"),
    [(at(24), 4), (at(28), 3), (at(29), 2), (at(30), 1), (at(8, 10), 0)],
)
def test_working_days_left_skip_holidays(today, left):
    assert services.working_days_left("cn", today.date(), dt.date(2026, 10, 8)) == left


def test_sweep_notifies_the_assignee_once_per_stage(register, handler):
    complaint = register()  # the handler registered it: it is theirs
    ref = complaint.reference
    services.sweep(now=at(24))
    assert decision_notes(handler) == []  # four working days away: not yet
    services.sweep(now=at(28))
    services.sweep(now=at(28) + dt.timedelta(minutes=5))  # the sweep runs every few minutes
    services.sweep(now=at(29))  # two days left: still the 3-day stage
    assert decision_notes(handler) == [f"complaint:{ref}:decision:3wd"]
    services.sweep(now=at(30))
    services.sweep(now=at(8, 10))
    services.sweep(now=at(9, 10))
    services.sweep(now=at(10, 10))
    assert decision_notes(handler) == [
        f"complaint:{ref}:decision:3wd",
        f"complaint:{ref}:decision:1wd",
        f"complaint:{ref}:decision:0wd",
        f"complaint:{ref}:decision:breached",
    ]
    first = Notification.objects.get(key=f"complaint:{ref}:decision:3wd")
    assert first.link == f"/complaints/{ref}/"


def test_a_missed_run_sends_only_the_tightest_stage(register, handler):
    complaint = register()
    services.sweep(now=at(30))  # nothing ran before: one day left
    assert decision_notes(handler) == [f"complaint:{complaint.reference}:decision:1wd"]


def test_answered_complaints_are_not_notified(register, handler):
    complaint = register()
    services.respond(complaint, handler, now=at(24))
    services.sweep(now=at(30))
    assert decision_notes(handler) == []


def test_unassigned_complaint_goes_to_the_desks_covering_its_branch(small_bank, make_login, handler, register):
    east = make_login("east", "complaint_handler", branch_code="B001")
    west = make_login("west", "complaint_handler", branch_code="B002")
    rm = make_login("rm1", "rm", staff_no="S001")
    complaint = register(user=rm)  # an rm cannot handle complaints: nobody is assigned
    assert complaint.assignee is None
    services.sweep(now=at(30))
    assert decision_notes(handler) and decision_notes(east)
    assert decision_notes(west) == [] and decision_notes(rm) == []


def test_stages_are_configurable(register, handler, settings):
    settings.BANKCRM_COMPLAINTS = {**settings.BANKCRM_COMPLAINTS, "notify_working_days_before": "2"}
    complaint = register()
    services.sweep(now=at(28))  # three working days left: no stage yet
    services.sweep(now=at(29))  # two left
    assert decision_notes(handler) == [f"complaint:{complaint.reference}:decision:2wd"]


def test_sweep_summary_counts_notifications(register):
    register()
    assert "1 notification(s) sent" in services.sweep(now=at(30)).summary()
    assert "0 notification(s) sent" in services.sweep(now=at(30)).summary()


def test_inbox_badge_list_text_and_mark_read(register, handler, make_login, client):
    complaint = register()
    services.sweep(now=at(30))
    client.force_login(handler)
    html = client.get("/complaints/").content.decode()
    assert 'data-unread="1"' in html
    html = client.get("/notifications/").content.decode()
    assert f"{complaint.reference}：处理决定期限为 2026-10-08，还剩 1 个工作日" in html
    html = client.get("/notifications/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert f"{complaint.reference}: Decision deadline on 2026-10-08, 1 working day(s) left" in html
    note = Notification.objects.get(recipient=handler)
    # someone else cannot mark it read
    other = make_login("desk2", "complaint_handler")
    client.force_login(other)
    assert client.post(f"/notifications/{note.pk}/read/").status_code == 404
    client.force_login(handler)
    r = client.post(f"/notifications/{note.pk}/read/", {"open": "1"})
    assert r.status_code == 302 and r["Location"] == f"/complaints/{complaint.reference}/"
    note.refresh_from_db()
    assert note.read_at is not None
    assert "data-unread" not in client.get("/complaints/").content.decode()


def test_mark_all_read(register, handler, client):
    register()
    register()
    services.sweep(now=at(30))
    client.force_login(handler)
    assert client.get("/notifications/").status_code == 200
    assert client.post("/notifications/read/").status_code == 302
    assert not Notification.objects.filter(recipient=handler, read_at__isnull=True).exists()
