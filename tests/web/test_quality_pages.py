"""The data-quality page: findings by branch, accuracy rate, drill-down and Excel export, in scope."""

import io

import pytest
from openpyxl import load_workbook

from bankcrm.core.models import AccessLog
from bankcrm.ingest.models import QualityFinding

pytestmark = pytest.mark.django_db


@pytest.fixture
def findings(small_bank):
    c = small_bank["customers"]
    for customer, code in [(c["C001"], "bad_id_checksum"), (c["C001"], "bad_mobile"), (c["C002"], "bad_mobile")]:
        QualityFinding.objects.create(
            customer=customer,
            finding=code,
            detail=f"{code} on {customer.customer_no}",
            branch_code=customer.branch_id,
            rm_staff_no=customer.rm_id or "",
        )
    return small_bank


def login(client, make_login, role, **scope):
    user = make_login(f"{role}-user", role, **scope)
    client.force_login(user)
    return user


def test_head_office_accuracy_and_counts(client, findings, make_login):
    login(client, make_login, "head_office")
    response = client.get("/ingest/quality/")
    assert response.status_code == 200
    summary = response.context["summary"]
    # 3 customers, 2 of them with findings: 1/3 accurate
    assert (summary["customers"], summary["flagged"], summary["findings"]) == (3, 2, 3)
    assert str(summary["accuracy"]) == "33.33"
    rows = {row["branch"]: dict(row["cells"]) for row in summary["rows"]}
    assert rows["B001"] == {"bad_id_checksum": 1, "bad_mobile": 1}
    assert rows["B002"]["bad_mobile"] == 1
    assert rows["B001A"] == {"bad_id_checksum": 0, "bad_mobile": 0}
    html = response.content.decode()
    assert 'class="chart"' in html
    assert "138****5678" in html and "13812345678" not in html  # masked phone
    assert "110105***********X" in html  # masked ID
    assert "/customers/C001/" in html


def test_branch_manager_sees_own_branches_only(client, findings, make_login):
    login(client, make_login, "branch_manager", branch_code="B001")
    response = client.get("/ingest/quality/")
    summary = response.context["summary"]
    assert {row["branch"] for row in summary["rows"]} == {"B001", "B001A"}
    # C001 (flagged) and C003 (clean): 50%
    assert (summary["customers"], summary["flagged"], str(summary["accuracy"])) == (2, 1, "50.00")
    assert {f.customer_id for f in response.context["object_list"]} == {"C001"}


def test_drill_down_by_branch_and_finding(client, findings, make_login):
    login(client, make_login, "head_office")
    response = client.get("/ingest/quality/?finding=bad_mobile&branch=B002", headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert b"<html" not in response.content
    assert [f.customer_id for f in response.context["object_list"]] == ["C002"]


def test_rm_and_complaint_handler_may_not_open_it(client, findings, make_login):
    login(client, make_login, "rm", staff_no="S001")
    assert client.get("/ingest/quality/").status_code == 403
    assert client.get("/ingest/quality/export.xlsx").status_code == 403


def test_excel_export_in_scope_and_logged(client, findings, make_login):
    login(client, make_login, "branch_manager", branch_code="B001")
    response = client.get("/ingest/quality/export.xlsx")
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.content))
    rows = list(book.worksheets[0].iter_rows(values_only=True))
    assert rows[0][:2] == ("customer_no", "finding")
    assert sorted((r[0], r[1]) for r in rows[1:]) == [("C001", "bad_id_checksum"), ("C001", "bad_mobile")]
    by_branch = list(book.worksheets[1].iter_rows(values_only=True))
    assert {r[0] for r in by_branch[1:]} == {"B001", "B001A"}
    log = AccessLog.objects.get(action="export")
    assert log.user_name == "branch_manager-user" and "2 rows" in log.detail


FORMULAS = ['=HYPERLINK("http://x","y")', "+8613812345678", "@SUM(A1)", "\t=1", "-1+2"]


@pytest.mark.parametrize("planted", FORMULAS)
def test_excel_export_writes_planted_formulas_as_text(client, findings, make_login, planted):
    """A finding's detail quotes imported text (a name, a +86 mobile): a string cell, never a formula (8.14)."""
    QualityFinding.objects.filter(finding="bad_mobile", customer_id="C001").update(detail=planted)
    login(client, make_login, "head_office")
    book = load_workbook(io.BytesIO(client.get("/ingest/quality/export.xlsx").content))
    cells = [c for sheet in book.worksheets for row in sheet.iter_rows() for c in row]
    assert not [c.coordinate for c in cells if c.data_type == "f"]
    [cell] = [c for c in cells if c.value == planted]
    assert cell.data_type == "s"


@pytest.mark.parametrize("planted", FORMULAS)
def test_cli_quality_csv_writes_planted_formulas_as_text(findings, tmp_path, planted):
    import csv

    from django.core.management import call_command

    QualityFinding.objects.filter(finding="bad_mobile", customer_id="C001").update(detail=planted)
    out = tmp_path / "quality.csv"
    call_command("export", "quality", "--out", str(out), stdout=io.StringIO())
    with out.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.reader(fh))
    assert ["C001", "bad_mobile", "'" + planted] in rows
