"""Import runs, their files and the quarantine: head office, compliance and admin only."""

import datetime as dt

import pytest

from bankcrm.core.models import AccessLog
from bankcrm.ingest.models import ImportedFile, ImportRun, RejectedRow

pytestmark = pytest.mark.django_db


@pytest.fixture
def run(small_bank):
    run = ImportRun.objects.create(
        directory="/data/in/20260228", status="finished", user_name="ops", report={"files": 2}
    )
    customers = ImportedFile.objects.create(
        run=run,
        file_name="customers_20260228.csv",
        table="customers",
        business_date=dt.date(2026, 2, 28),
        sha256="a" * 64,
        status="imported",
        rows_read=5,
        rows_loaded=3,
        rows_rejected=2,
    )
    ImportedFile.objects.create(
        run=run,
        file_name="balances_20260228.csv",
        table="balances",
        business_date=dt.date(2026, 2, 28),
        sha256="b" * 64,
        status="refused",
        reason="header does not match the spec: missing column balance",
    )
    RejectedRow.objects.create(
        imported_file=customers,
        line=3,
        column="birth_date",
        reason="bad_date",
        detail="1990-13-01",
        raw="C9,张,1990-13-01",
    )
    RejectedRow.objects.create(
        imported_file=customers, line=5, column="branch_code", reason="unknown_ref", detail="B999", raw="C10,李,B999"
    )
    return run


@pytest.mark.parametrize(
    ("role", "scope", "expected"),
    [
        ("head_office", {}, 200),
        ("compliance", {}, 200),
        ("admin", {}, 200),
        ("branch_manager", {"branch_code": "B001"}, 403),
        ("rm", {"staff_no": "S001"}, 403),
        ("complaint_handler", {}, 403),
    ],
)
def test_who_may_see_imports(client, run, make_login, role, scope, expected):
    client.force_login(make_login(f"{role}-u", role, **scope))
    for url in ("/ingest/imports/", f"/ingest/imports/{run.pk}/", "/ingest/quarantine/", "/ingest/quarantine.csv"):
        assert client.get(url).status_code == expected, url


def test_anonymous_is_sent_to_login(client, run):
    response = client.get("/ingest/imports/")
    assert response.status_code == 302 and response["Location"].startswith("/login/")


def test_runs_show_files_and_report(client, run, make_login):
    client.force_login(make_login("ho", "head_office"))
    html = client.get("/ingest/imports/").content.decode()
    assert "customers_20260228.csv" in html and "balances_20260228.csv" in html
    assert "missing column balance" in html
    detail = client.get(f"/ingest/imports/{run.pk}/").content.decode()
    assert "/data/in/20260228" in detail and "&quot;files&quot;: 2" in detail
    assert client.get("/ingest/imports/999/").status_code == 404


def test_quarantine_filters(client, run, make_login):
    client.force_login(make_login("ho", "head_office"))
    response = client.get("/ingest/quarantine/?reason=bad_date")
    assert [r.line for r in response.context["object_list"]] == [3]
    # a legacy row (no header kept): masked by shape, every date of a customers line hidden
    assert "C9,张,**********" in response.content.decode() and "1990-13-01" not in response.content.decode()
    response = client.get("/ingest/quarantine/?column=branch_code", headers={"HX-Request": "true"})
    assert [r.line for r in response.context["object_list"]] == [5]
    assert b"<html" not in response.content


def test_quarantine_csv_download(client, run, make_login):
    client.force_login(make_login("comp", "compliance"))
    response = client.get(f"/ingest/quarantine.csv?run={run.pk}")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    text = b"".join(response.streaming_content).decode("utf-8")
    assert text.startswith("\ufeff")
    lines = text.lstrip("\ufeff").splitlines()
    assert lines[0] == "run,file,table,business_date,line,column,reason,detail,raw"
    assert (
        lines[1]
        == f'{run.pk},customers_20260228.csv,customers,2026-02-28,3,birth_date,bad_date,**********,"C9,张,**********"'
    )
    assert len(lines) == 3
    assert AccessLog.objects.filter(action="export", user_name="comp").exists()


@pytest.mark.parametrize("planted", ['=HYPERLINK("http://x","y")', "+1", "@SUM(A1)", "\t=1", "-1+2", "\r=1"])
def test_quarantine_csv_writes_planted_formulas_as_text(client, run, make_login, planted):
    """A quarantined line is whatever the file held: its raw text and detail must not run in Excel (8.14)."""
    import csv
    import io

    # line 5's column (branch_code) is not personal, so its detail is written as delivered, not masked
    RejectedRow.objects.filter(line=5).update(detail=planted, raw=planted + ",张三,B999")
    client.force_login(make_login("comp", "compliance"))
    response = client.get(f"/ingest/quarantine.csv?run={run.pk}")
    text = b"".join(response.streaming_content).decode("utf-8").lstrip("\ufeff")
    rows = list(csv.reader(io.StringIO(text, newline="")))
    row = next(r for r in rows[1:] if r[4] == "5")
    assert row[7] == "'" + planted
    assert row[8] == "'" + planted + ",张三,B999"
    assert row[4] == "5"  # a number cell stays as it was
