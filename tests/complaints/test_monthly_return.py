"""The regulator's monthly complaint return (issue 14): counts by category, channel and status, and
the within-deadline rate, as an Excel workbook (layout: docs/complaints.md "Monthly return")."""

import datetime as dt
import io

import pytest
from openpyxl import load_workbook

from bankcrm.complaints import services
from bankcrm.core.models import AccessLog

from .conftest import SHANGHAI


def at(month: int, day: int, hour: int = 10) -> dt.datetime:
    return dt.datetime(2026, month, day, hour, 0, tzinfo=SHANGHAI)


@pytest.fixture
def september(register, handler):
    """Four complaints received in September 2026 and one in August, handled as described."""
    on_time = register(when=at(9, 2), category="fees_pricing", channel="counter")
    services.respond(on_time, handler, now=at(9, 10))  # decision due 09-17: answered in time
    late = register(when=at(9, 1), category="fees_pricing", channel="phone")
    services.respond(late, handler, now=at(9, 30))  # due 09-16: answered late
    open_one = register(when=at(9, 20), category="loan", channel="phone")
    services.acknowledge(open_one, handler, now=at(9, 21))
    register(when=at(9, 29), category="loan", channel="online")  # still received at the month's end
    august = register(when=at(8, 20), category="card_payment", channel="counter")
    services.respond(august, handler, now=at(9, 3))  # received in August, handled in September (due 09-04)
    services.close(august, handler, root_cause="process", now=at(9, 5))
    return {"late": late}


def rows(ws):
    return [[c.value for c in r] for r in ws.iter_rows()]


def test_monthly_return_workbook(september, handler, client):
    client.force_login(handler)
    r = client.get("/complaints/reports/monthly-return/?month=2026-09", HTTP_ACCEPT_LANGUAGE="en")
    assert r.status_code == 200
    assert 'filename="complaint-return-2026-09.xlsx"' in r["Content-Disposition"]
    wb = load_workbook(io.BytesIO(r.content))
    assert wb.sheetnames == ["summary", "by_category", "by_channel", "by_status"]
    summary = {row[0]: row[1] for row in rows(wb["summary"])}
    assert summary["complaints received"] == 4  # August's is not received in September
    assert summary["complaints handled (first response)"] == 3  # on time, late, August's
    assert summary["handled within the deadline"] == 2
    assert float(summary["within-deadline rate"]) == pytest.approx(2 / 3, abs=1e-4)
    assert summary["open at the end of the month"] == 4  # August's was closed on 09-05
    by_category = {row[0]: row[2:] for row in rows(wb["by_category"])[1:]}
    # received, handled, within the deadline, rate, open at month end
    assert by_category["fees_pricing"][:3] == [2, 2, 1] and by_category["fees_pricing"][4] == 2
    assert by_category["loan"][:3] == [2, 0, 0] and by_category["loan"][3] is None
    assert by_category["card_payment"][:3] == [0, 1, 1] and by_category["card_payment"][4] == 0
    assert by_category["privacy"][:3] == [0, 0, 0]  # every category is listed, zeros included
    by_channel = {row[0]: row[2:5] for row in rows(wb["by_channel"])[1:]}
    assert by_channel["phone"] == [2, 1, 0] and by_channel["counter"] == [1, 2, 2] and by_channel["online"] == [1, 0, 0]
    by_status = {row[0]: row[2] for row in rows(wb["by_status"])[1:]}
    assert by_status["responded"] == 2 and by_status["acknowledged"] == 1 and by_status["received"] == 1
    assert by_status["closed"] == 0
    assert AccessLog.objects.filter(user_name="desk", action="export", detail="complaint return 2026-09").exists()


def test_status_is_the_one_at_the_month_end(september, handler, client):
    services.close(september["late"], handler, root_cause="process", now=at(10, 2))  # closed in October
    client.force_login(handler)
    r = client.get("/complaints/reports/monthly-return/?month=2026-09")
    by_status = {row[0]: row[2] for row in rows(load_workbook(io.BytesIO(r.content))["by_status"])[1:]}
    assert by_status["responded"] == 2 and by_status["closed"] == 0


def test_a_bad_month_is_a_clear_400(handler, client):
    client.force_login(handler)
    r = client.get("/complaints/reports/monthly-return/?month=September", HTTP_ACCEPT_LANGUAGE="en")
    assert r.status_code == 400 and "YYYY-MM" in r.content.decode() and "September" in r.content.decode()
