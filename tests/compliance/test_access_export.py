"""Issue 14, compliance officer: the access log exported from its page and as
``GET /api/access-log/?format=csv|xlsx`` (spec/api.md), the action as a dropdown, and the staff
member's name and branch beside the login."""

import csv
import io

import pytest
from openpyxl import load_workbook

from bankcrm.core.accesslog import record_access
from bankcrm.core.models import AccessLog
from webapi_data import page_client, token_client

HEADER = [
    "id", "time", "user", "action", "customer_no", "fields", "reason", "path", "remote_addr", "detail",
    "staff_name", "branch",
]  # fmt: skip


@pytest.fixture
def viewed(bank360, make_login):
    """wf (rm S001 王芳 of 城东支行) views C001 twice and reveals its phone with a reason that looks like
    a formula; someone else views C002."""
    rm = make_login("wf", "rm", staff_no="S001")
    client = token_client(rm)
    client.get("/api/customers/C001/", REMOTE_ADDR="10.0.0.7")
    client.get("/api/customers/C001/", REMOTE_ADDR="10.0.0.7")
    client.post("/api/customers/C001/reveal/", {"reason": "=HYPERLINK(1)", "fields": ["phone"]}, format="json")
    token_client(make_login("lq", "rm", staff_no="S002")).get("/api/customers/C002/")
    return rm


def _csv_rows(response):
    body = b"".join(response.streaming_content).decode("utf-8")
    assert body.startswith("\ufeff")  # Excel reads the Chinese names as UTF-8
    return list(csv.reader(io.StringIO(body[1:])))


@pytest.mark.parametrize("role", ["compliance", "admin"])
def test_csv_download_keeps_the_filters_and_is_formula_safe(viewed, make_login, role):
    officer = make_login(f"u-{role}", role)
    response = token_client(officer).get("/api/access-log/", {"customer_no": "C001", "user": "wf", "format": "csv"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert response["Content-Disposition"].startswith('attachment; filename="access-log-')
    rows = _csv_rows(response)
    assert rows[0] == HEADER
    by_column = [dict(zip(HEADER, r, strict=True)) for r in rows[1:]]
    # only wf's three lines on C001 (lq's view of C002 is filtered out), newest first
    assert [(r["user"], r["action"], r["customer_no"]) for r in by_column] == [
        ("wf", "reveal", "C001"),
        ("wf", "view", "C001"),
        ("wf", "view", "C001"),
    ]
    # the reason typed by the rm cannot run as a formula in Excel
    assert by_column[0]["reason"] == "'=HYPERLINK(1)"
    assert by_column[0]["fields"] == "phone"
    assert by_column[1]["remote_addr"] == "10.0.0.7"
    assert {(r["staff_name"], r["branch"]) for r in by_column} == {("王芳", "城东支行")}
    assert by_column[0]["time"].endswith("+08:00")  # the bank's local time, with its offset


def test_the_download_is_itself_in_the_access_log(viewed, make_login):
    officer = make_login("audit", "compliance")
    token_client(officer).get("/api/access-log/", {"action": "reveal", "format": "csv"})
    export = AccessLog.objects.get(user_name="audit", action="export")
    assert "/api/access-log/" in export.path and "action=reveal" in export.path and "format=csv" in export.path
    assert export.detail == "access log csv, 1 rows"


def test_xlsx_download_has_the_same_rows_as_text_cells(viewed, make_login):
    client = token_client(make_login("audit", "compliance"))
    response = client.get("/api/access-log/", {"customer_no": "C001", "format": "xlsx"})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert list(rows[0]) == HEADER
    assert [(r[2], r[3]) for r in rows[1:]] == [("wf", "reveal"), ("wf", "view"), ("wf", "view")]
    reason_cell = sheet.cell(row=2, column=HEADER.index("reason") + 1)
    assert reason_cell.value == "=HYPERLINK(1)" and reason_cell.data_type == "s"  # text, not a formula
    json_ids = [r["id"] for r in client.get("/api/access-log/", {"customer_no": "C001"}).json()["results"]]
    assert [r[0] for r in rows[1:]] == json_ids  # the same rows as the JSON answer


def test_the_download_has_every_row_not_one_page(viewed, make_login):
    for n in range(60):  # more than the API's page of 50
        record_access("view", user=viewed, customer_no="C001", path=f"/customers/C001/?n={n}")
    response = token_client(make_login("audit", "compliance")).get("/api/access-log/", {"user": "wf", "format": "csv"})
    assert len(_csv_rows(response)) == 1 + 63


@pytest.mark.parametrize(
    ("role", "kwargs"),
    [("rm", {"staff_no": "S001"}), ("head_office", {}), ("branch_manager", {"branch_code": "B001"})],
)
def test_nobody_else_downloads_and_the_refusal_is_json(viewed, make_login, role, kwargs):
    user = make_login(f"u-{role}", role, **kwargs)
    response = token_client(user).get("/api/access-log/", {"format": "csv"})
    assert response.status_code == 403
    assert response["Content-Type"].startswith("application/json") and "detail" in response.json()
    assert page_client(user).get("/compliance/access-log/", {"format": "xlsx"}).status_code == 403
    assert not AccessLog.objects.filter(action="export").exists()


def test_a_bad_filter_is_named_not_downloaded(viewed, make_login):
    response = token_client(make_login("audit", "compliance")).get(
        "/api/access-log/", {"since": "yesterday", "format": "csv"}
    )
    assert response.status_code == 400
    assert "since" in response.json()["errors"]
    assert not AccessLog.objects.filter(action="export").exists()


def test_the_page_exports_what_it_shows(viewed, make_login):
    client = page_client(make_login("audit", "compliance"))
    html = client.get("/compliance/access-log/", {"customer_no": "C001"}).content.decode()
    assert 'href="?customer_no=C001&amp;format=csv"' in html
    assert 'href="?customer_no=C001&amp;format=xlsx"' in html
    response = client.get("/compliance/access-log/", {"customer_no": "C001", "format": "csv"})
    rows = _csv_rows(response)
    assert [r[3] for r in rows[1:]] == ["reveal", "view", "view"]
    # the reveals tab exports reveals only
    rows = _csv_rows(client.get("/compliance/reveals/", {"format": "csv"}))
    assert [r[3] for r in rows[1:]] == ["reveal"]
    assert AccessLog.objects.filter(user_name="audit", action="export").count() == 2


def test_the_action_is_a_dropdown_and_the_login_has_a_name_and_branch(viewed, make_login):
    client = page_client(make_login("audit", "compliance"))
    html = client.get("/compliance/access-log/", {"action": "reveal"}).content.decode()
    assert '<select class="form-select" name="action"' in html
    assert '<option value="reveal" selected>显示完整信息</option>' in html
    assert '<option value="export">导出</option>' in html
    assert "王芳" in html and "城东支行" in html
    assert "李强" not in html  # lq's line is a view, filtered out
    english = page_client(make_login("audit-en", "compliance"))
    english.cookies["django_language"] = "en"
    html = english.get("/compliance/access-log/").content.decode()
    assert "All actions" in html and "Staff member" in html
