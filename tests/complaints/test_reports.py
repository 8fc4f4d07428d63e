"""Desk figures on a small hand-made set, on the page and in the Excel export."""

import datetime as dt
import io
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from bankcrm.complaints import reports, services
from bankcrm.customers.models import Customer

from .conftest import SHANGHAI


def at(day, hour=10):
    return dt.datetime(2026, 9, day, hour, tzinfo=SHANGHAI)


@pytest.fixture
def september(small_bank, register, handler):
    branch = small_bank["branches"]["B001"]
    Customer.objects.bulk_create(
        Customer(
            customer_no=f"X{i:03d}",
            name="x",
            id_type="PASSPORT",
            id_number=f"E{i}",
            branch=branch,
            onboard_date=dt.date(2020, 1, 1),
        )
        for i in range(97)
    )  # fmt: skip  -> 100 active customers in all
    a = register(when=at(1))
    a = services.respond(a, handler, compensation=Decimal("100.00"), now=at(2))
    services.close(a, handler, root_cause="system", satisfaction="satisfied", now=at(3))
    b = register(when=at(2))
    b = services.escalate(b, handler, reason="manager", now=at(3))
    b = services.respond(b, handler, now=at(12))
    services.close(b, handler, root_cause="system", satisfaction="dissatisfied", now=at(13))
    c = register(when=at(3))
    c = services.respond(c, handler, now=at(5))
    c = services.close(c, handler, root_cause="other", now=at(6))
    c = services.reopen(c, handler, now=at(7))
    c = services.respond(c, handler, now=at(8))
    services.close(c, handler, root_cause="process", now=at(9))
    register(when=at(4), customer="C002", branch="B002")  # never answered: decision due 20 Sep, breached
    register(when=dt.datetime(2026, 10, 5, 9, tzinfo=SHANGHAI))  # outside the period


def figures(user, **filters):
    complaints = reports.complaints_for(user)
    codes = None
    if "branch" in filters:
        from bankcrm.org.scope import branch_descendants

        codes = branch_descendants(filters["branch"])
        complaints = complaints.filter(branch__in=codes)
    return reports.compute(
        complaints, reports.customers_for(user, codes), start=dt.date(2026, 9, 1), end=dt.date(2026, 9, 30)
    )


def test_figures_on_hand_made_set(september, handler):
    f = figures(handler)
    assert f.received == 4
    assert f.active_customers == 100 and f.complaint_rate == Decimal("0.04") and f.complaint_rate_ok is False
    assert (f.first_contact, f.first_contact_rate) == (2, Decimal("0.5"))  # a and c, within 3 business days
    assert f.days_to_resolve_mean == 4.3 and f.days_to_resolve_p90 == 10.0  # 1, 10, 2 days
    assert f.escalation_rate == Decimal("0.25")
    assert f.reopen_rate == Decimal("0.3333")
    assert (f.satisfied, f.answered, f.satisfaction_rate) == (1, 2, Decimal("0.5"))
    assert f.satisfaction_ok is False
    assert f.compensation == Decimal("100.00")
    assert f.on_time["decision"] == {"met": 3, "breached": 1, "rate": Decimal("0.75")}
    assert [(code, n) for code, _, n, _ in f.root_causes] == [("system", 2), ("process", 1)]
    assert f.root_causes[0][3] == Decimal("0.6667") and f.root_causes[-1][3] == Decimal("1")
    assert f.open_breaches == 0  # not swept yet; on_time still counts it from the live state


def test_branch_filter(september, handler):
    f = figures(handler, branch="B001")
    assert f.received == 3 and f.active_customers == 99  # C001, C003 (B001A) and the 97 extras
    assert [r["code"] for r in f.by_branch] == ["B001"]


def test_report_page_and_excel_export(september, handler, client):
    client.force_login(handler)
    r = client.get("/complaints/reports/?start=2026-09-01&end=2026-09-30")
    assert r.status_code == 200
    html = r.content.decode()
    assert 'data-figure="received">4<' in html and "4.0%" in html and "50.0%" in html
    assert 'class="chart"' in html and "data-chart=" in html
    r = client.get("/complaints/reports/?start=2026-09-01&end=2026-09-30&format=xlsx")
    assert r.status_code == 200 and "spreadsheetml" in r["Content-Type"]
    wb = load_workbook(io.BytesIO(r.content))
    assert wb.sheetnames == ["summary", "on_time", "branches", "categories", "root_causes"]
    summary = {row[0]: row[1] for row in wb["summary"].iter_rows(min_row=2, values_only=True)}
    assert summary["complaints received"] == 4 and summary["satisfaction rate (goal >= 80%)"] == 0.5
    from bankcrm.core.models import AccessLog

    assert AccessLog.objects.filter(action="export", detail__contains="2026-09-01").exists()
    causes = list(wb["root_causes"].iter_rows(min_row=2, values_only=True))
    assert [row[0] for row in causes] == ["system", "process"]


def test_excel_export_writes_text_cells_as_strings(september, handler, client):
    """The scope label comes from the URL (?branch=): a crafted link must not put a formula in Excel (8.14)."""
    client.force_login(handler)
    planted = '=HYPERLINK("http://x","y")'
    r = client.get("/complaints/reports/", {"start": "2026-09-01", "end": "2026-09-30", "format": "xlsx",
                                            "branch": planted})  # fmt: skip
    assert r.status_code == 200
    wb = load_workbook(io.BytesIO(r.content))
    cells = [c for ws in wb.worksheets for row in ws.iter_rows() for c in row]
    assert not [c.coordinate for c in cells if c.data_type == "f"]
    assert (wb["summary"]["C1"].value, wb["summary"]["C1"].data_type) == (planted, "s")
    r = client.get("/complaints/reports/?start=2026-09-01&end=2026-09-30&format=xlsx")
    wb = load_workbook(io.BytesIO(r.content))
    branches = list(wb["branches"].iter_rows(min_row=2))
    assert [(c.value, c.data_type) for c in branches[0][:3]] == [("B001", "s"), ("B001", "s"), (3, "n")]
