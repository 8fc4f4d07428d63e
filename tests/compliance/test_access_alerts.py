"""Issue 14, compliance officer: alerts on bulk exports, many reveals by one login in a day, and
access out of working hours — from the access log, thresholds from settings, acknowledged with a note."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db import connection
from django.test.utils import CaptureQueriesContext

from bankcrm.compliance.access import alert_rules, scan_access_log
from bankcrm.compliance.models import AccessAlert
from bankcrm.core.models import AccessLog
from webapi_data import page_client

SHANGHAI = ZoneInfo("Asia/Shanghai")
TUESDAY = dt.date(2026, 12, 1)
RULES = {"bulk_exports_per_day": 3, "reveals_per_day": 2, "working_hours": ["08:30", "18:00"], "weekends_off": True}


@pytest.fixture(autouse=True)
def thresholds(settings):
    settings.BANKCRM_ACCESS_ALERTS = {**RULES, "scan_days": 7}


def line(user, action, day, hh_mm, customer="C001"):
    hour, minute = map(int, hh_mm.split(":"))
    entry = AccessLog.objects.create(user_name=user, action=action, customer_no=customer)
    # ``time`` is auto_now_add: set the moment afterwards, in the bank's local time
    AccessLog.objects.filter(pk=entry.pk).update(time=dt.datetime.combine(day, dt.time(hour, minute), tzinfo=SHANGHAI))


def alerts():
    return sorted((a.kind, a.user_name, a.day.isoformat(), a.count) for a in AccessAlert.objects.all())


@pytest.mark.django_db
def test_each_threshold_at_its_edge():
    for _ in range(3):
        line("exporter", "export", TUESDAY, "10:00")  # 3 exports: at the threshold → alert
    for _ in range(2):
        line("careful", "export", TUESDAY, "10:00")  # 2: below
    line("revealer", "reveal", TUESDAY, "09:00")
    line("revealer", "reveal", TUESDAY, "17:59")  # 2 reveals: alert; 17:59 is still working time
    line("revealer", "reveal", TUESDAY - dt.timedelta(days=1), "11:00")  # another day: not added up
    line("early", "view", TUESDAY, "08:29")  # one minute before opening: outside
    line("punctual", "view", TUESDAY, "08:30")  # opening time: inside
    line("late", "search", TUESDAY, "18:00")  # closing time: outside ([start, end))
    line("weekend", "view", dt.date(2026, 11, 29), "10:00")  # a Sunday
    line("night", "view", TUESDAY, "23:59")  # late at night, local day Tuesday (15:59 UTC)
    scan_access_log(TUESDAY)
    assert alerts() == [
        ("bulk_exports", "exporter", "2026-12-01", 3),
        ("many_reveals", "revealer", "2026-12-01", 2),
        ("off_hours", "early", "2026-12-01", 1),
        ("off_hours", "late", "2026-12-01", 1),
        ("off_hours", "night", "2026-12-01", 1),
        ("off_hours", "weekend", "2026-11-29", 1),
    ]


@pytest.mark.django_db
def test_weekends_can_be_working_days(settings):
    settings.BANKCRM_ACCESS_ALERTS = {**RULES, "weekends_off": False, "scan_days": 7}
    line("weekend", "view", dt.date(2026, 11, 29), "10:00")
    scan_access_log(TUESDAY)
    assert alerts() == []


@pytest.mark.django_db
def test_a_rescan_raises_nothing_twice_and_keeps_an_acknowledged_alert():
    from bankcrm.compliance.access import acknowledge_access_alert

    for _ in range(3):
        line("exporter", "export", TUESDAY, "10:00")
    assert len(scan_access_log(TUESDAY).raised) == 1
    line("exporter", "export", TUESDAY, "11:00")
    again = scan_access_log(TUESDAY)
    assert again.raised == [] and again.updated == 1
    alert = AccessAlert.objects.get()
    assert alert.count == 4  # the open alert follows the day
    acknowledge_access_alert(alert, "audit", "季末报表导出，已核实")
    line("exporter", "export", TUESDAY, "12:00")
    assert scan_access_log(TUESDAY).raised == []
    assert AccessAlert.objects.get().count == 4  # as it was when acknowledged


@pytest.mark.django_db
def test_the_scan_is_a_few_aggregate_queries_whatever_the_log_size():
    def queries_for(lines: int) -> int:
        AccessLog.objects.all().delete()
        AccessLog.objects.bulk_create(
            AccessLog(user_name=f"u{i % 7}", action="view", customer_no="C001") for i in range(lines)
        )
        with CaptureQueriesContext(connection) as captured:
            scan_access_log(TUESDAY)
        return len([q for q in captured.captured_queries if "compliance_accesslog" in q["sql"]])

    assert queries_for(50) == queries_for(2000) == 1  # one GROUP BY for the three kinds


def test_bad_settings_are_named():
    for conf, named in (
        ({**RULES, "scan_days": 7, "reveals_per_day": 0}, "reveals_per_day"),
        ({**RULES, "scan_days": 7, "bulk_exports_per_day": "10"}, "bulk_exports_per_day"),
        ({**RULES, "scan_days": 7, "working_hours": ["9:00", "18:00"]}, "9:00"),
        ({**RULES, "scan_days": 7, "working_hours": ["18:00", "08:00"]}, "not before end"),
        ({**RULES, "scan_days": 7, "working_hours": "08:00-18:00"}, "working_hours"),
    ):
        with pytest.raises(ImproperlyConfigured, match=named):
            alert_rules(conf)


def test_the_desk_shows_alerts_and_takes_a_note(small_bank, make_login):
    today = dt.datetime.now(SHANGHAI).date()
    for _ in range(2):
        line("wf", "reveal", today, "10:00")
    client = page_client(make_login("audit", "compliance"))
    html = client.get("/compliance/access-alerts/").content.decode()
    assert "频繁显示完整信息" in html and "wf" in html
    assert f"?user=wf&amp;since={today.isoformat()}&amp;until={today.isoformat()}" in html  # to the lines
    alert = AccessAlert.objects.get(user_name="wf", kind="many_reveals")  # (on a weekend also off_hours)
    # no note: refused in the user's language, the alert stays open
    client.post(f"/compliance/access-alerts/{alert.pk}/acknowledge/", {"note": "  "})
    alert.refresh_from_db()
    assert alert.acknowledged_at is None
    response = client.post(f"/compliance/access-alerts/{alert.pk}/acknowledge/", {"note": "客户投诉核查"}, follow=True)
    assert "预警已确认。" in response.content.decode()
    alert.refresh_from_db()
    assert alert.acknowledged_by == "audit" and alert.note == "客户投诉核查"
    assert "频繁显示完整信息" not in client.get("/compliance/access-alerts/").content.decode()
    assert "客户投诉核查" in client.get("/compliance/access-alerts/", {"all": "1"}).content.decode()


@pytest.mark.parametrize(
    ("role", "kwargs"),
    [("rm", {"staff_no": "S001"}), ("head_office", {}), ("branch_manager", {"branch_code": "B001"})],
)
def test_only_compliance_and_admin_see_alerts(small_bank, make_login, role, kwargs):
    client = page_client(make_login(f"u-{role}", role, **kwargs))
    assert client.get("/compliance/access-alerts/").status_code == 403


@pytest.mark.django_db
def test_the_nightly_sweep_scans_the_last_days():
    import io

    from django.core.management import call_command

    for _ in range(3):
        line("exporter", "export", TUESDAY - dt.timedelta(days=6), "10:00")  # 6 days back: in the week
    line("old", "view", TUESDAY - dt.timedelta(days=7), "23:00")  # 7 days back: outside scan_days
    out = io.StringIO()
    call_command("compliance", "sweep", "--today", TUESDAY.isoformat(), stdout=out)
    assert "access log: 1 new alerts" in out.getvalue()
    assert alerts() == [("bulk_exports", "exporter", "2026-11-25", 3)]


def test_the_api_lists_and_acknowledges(small_bank, make_login):
    from webapi_data import token_client

    for _ in range(2):
        line("wf", "reveal", TUESDAY, "10:00")
    scan_access_log(TUESDAY)
    client = token_client(make_login("audit", "compliance"))
    rows = client.get("/api/access-alerts/", {"open": "1"}).json()["results"]
    assert [(r["kind"], r["user_name"], r["day"], r["count"]) for r in rows] == [
        ("many_reveals", "wf", "2026-12-01", 2)
    ]
    url = f"/api/access-alerts/{rows[0]['id']}/acknowledge/"
    assert client.post(url, {"note": ""}, format="json").status_code == 400
    answer = client.post(url, {"note": "核实为客户授权"}, format="json")
    assert answer.status_code == 200 and answer.json()["acknowledged_by"] == "audit"
    assert client.get("/api/access-alerts/", {"open": "1"}).json()["count"] == 0
    assert client.get("/api/access-alerts/").json()["count"] == 1
    rm = token_client(make_login("wf", "rm", staff_no="S001"))
    assert rm.get("/api/access-alerts/").status_code == 403
