"""Report pages: scoped like the API, drill-down bank → branch → rm, the 旬报 workbook, the rm's own targets."""

import datetime as dt
from io import BytesIO

import pytest
from django.core.management import call_command
from test_targets import BONUS, COEFFICIENTS, TARGETS, WEIGHTS, _folder

from reports_data import build

D = dt.date
pytestmark = pytest.mark.django_db


@pytest.fixture
def pages(rbank, tmp_path, make_login):
    build(rbank).refresh()
    call_command(
        "targets",
        "import",
        str(_folder(tmp_path, targets=TARGETS, weights=WEIGHTS, coefficients=COEFFICIENTS, bonus=BONUS)),
    )
    return {
        "head": make_login("ho", "head_office"),
        "manager": make_login("mgr", "branch_manager", branch_code="B001"),
        "rm": make_login("rm1", "rm", staff_no="S001"),
        "rm2": make_login("rm2", "rm", staff_no="S002"),
        "compliance": make_login("cmp", "compliance"),
        "handler": make_login("desk", "complaint_handler"),
    }


def _client(user):
    from django.test import Client

    c = Client()
    c.force_login(user)
    return c


def test_report_drill_down_and_ranking(pages):
    head = _client(pages["head"])
    html = head.get("/reports/?period=xun&as_of=2026-11-12&rank_by=deposit_avg").content.decode()
    assert 'data-unit="bank"' in html and 'data-drill="branch:B001"' in html
    # B001's deposit average ranks first of the branches (16333.35; B002 has none)
    assert html.index('data-unit="branch:B001"') < html.index('data-unit="branch:B002"')
    html = head.get("/reports/?unit=branch:B001&period=xun&as_of=2026-11-12").content.decode()
    assert 'data-unit="rm:S001"' in html and "16,333.35" in html and "13,000.02" in html
    assert 'data-unit="rm:S002"' not in html  # S002 is B002's
    assert 'data-drill="branch:B001A"' in html  # the sub-branch below B001


def test_branch_manager_scope_and_excel(pages):
    mgr = _client(pages["manager"])
    assert mgr.get("/reports/?unit=bank").status_code == 404
    assert mgr.get("/reports/?unit=branch:B002").status_code == 404
    html = mgr.get("/reports/?period=xun&as_of=2026-11-12").content.decode()
    assert 'data-unit="branch:B001"' in html
    response = mgr.get("/reports/?unit=branch:B001&period=xun&as_of=2026-11-12&format=xlsx")
    assert response.status_code == 200
    from openpyxl import load_workbook

    ws = load_workbook(BytesIO(response.content)).active
    rows = list(ws.iter_rows(values_only=True))
    assert rows[0][0] == "城东支行 经营指标报表（2026-11X2）"  # title with the 旬
    assert "2026-11-12" in rows[1][0]  # data date
    assert [r[2] for r in rows[3:6]] == ["branch:B001", "branch:B001A", "rm:S001"]
    assert any(r[0] and "日均" in str(r[0]) for r in rows[-7:])  # conventions in the footer
    from bankcrm.core.models import AccessLog

    assert AccessLog.objects.filter(user_name="mgr", action="export", detail__contains="report-branch-B001").exists()


def test_rm_sees_only_their_own_targets(pages):
    rm = _client(pages["rm"])
    html = rm.get("/reports/targets/?as_of=2026-11-12").content.decode()
    assert 'data-unit="rm:S001"' in html
    assert 'data-unit="branch:B001"' not in html and 'data-unit="rm:S002"' not in html
    mine = rm.get("/reports/mine/?as_of=2026-11-12").content.decode()
    # sales target 250000, 100000 sold: 150,000.00 still needed by 11-30
    assert 'data-remaining="150000.00"' in mine
    assert 'data-scorecard="rm:S001"' in mine and "70.50" in mine
    assert rm.get("/reports/?unit=rm:S002").status_code == 404


def test_scorecard_page_explains_a_red_line(pages):
    call_command("redline", "add", "S001", "--code", "kickbacks", "--date", "2026-11-05")
    html = _client(pages["head"]).get("/reports/scorecards/?period=2026-11&as_of=2026-11-12").content.decode()
    assert 'data-scorecard="rm:S001"' in html and "data-red-line" in html
    assert "0.60" in html  # what the score alone would give
    bad = _client(pages["head"]).get("/reports/scorecards/?period=2026-14").content.decode()
    assert "2026-14" in bad


def test_red_line_page_for_compliance(pages):
    cmp_client = _client(pages["compliance"])
    response = cmp_client.post("/reports/red-lines/", {"staff_no": "S999", "code": "bribery", "date": "2026-11-05"})
    assert response.status_code == 400
    response = cmp_client.post("/reports/red-lines/", {"staff_no": "S002", "code": "bribery", "date": "2026-11-05"})
    assert response.status_code == 302
    assert 'data-staff="S002"' in cmp_client.get("/reports/red-lines/").content.decode()
    assert _client(pages["rm"]).post("/reports/red-lines/", {}).status_code == 403
    assert 'data-staff="S002"' not in _client(pages["rm"]).get("/reports/red-lines/").content.decode()


def test_handler_has_no_reports_and_english_works(pages):
    assert _client(pages["handler"]).get("/reports/").status_code == 403
    head = _client(pages["head"])
    zh = head.get("/reports/?period=xun&as_of=2026-11-12").content.decode()
    assert "存款日均" in zh and "排名" in zh
    en = head.get("/reports/?period=xun&as_of=2026-11-12", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Deposit daily average" in en and "Rank" in en


def test_template_workbook_loads(pages, tmp_path):
    response = _client(pages["head"]).get("/reports/template.xlsx")
    assert response.status_code == 200
    path = tmp_path / "template.xlsx"
    path.write_bytes(response.content)
    from bankcrm.reports.loading import read_sheets, validate

    _, sheets = read_sheets(path)
    assert set(sheets) == {"targets", "weights", "coefficients", "bonus"}
    good, rejects = validate("template.xlsx", sheets)
    assert rejects == [] and len(good["targets"]) == 5
