"""Issue 14, relationship manager: my customers and my queue as Excel files — masked as the pages
are, only the rm's own records, each file one line in the access log."""

import io

import pytest
from openpyxl import load_workbook
from pages_data import list_item

from bankcrm.core.models import AccessLog

pytestmark = pytest.mark.django_db


@pytest.fixture
def rm(client, small_bank, make_login):
    user = make_login("rm-wang", "rm", staff_no="S001")  # 王芳: customer C001 张三 only
    client.force_login(user)
    return user


def workbook_text(response) -> tuple[dict[str, list[tuple]], str]:
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    book = load_workbook(io.BytesIO(response.content))
    sheets = {ws.title: [tuple(r) for r in ws.iter_rows(values_only=True)] for ws in book.worksheets}
    text = " ".join(str(v) for rows in sheets.values() for row in rows for v in row if v is not None)
    return sheets, text


def test_my_customers_gives_away_only_masked_identifiers_of_my_own(client, small_bank, rm):
    c1 = small_bank["customers"]["C001"]
    c1.birth_date = c1.birth_date or __import__("datetime").date(1949, 12, 31)
    c1.save()
    sheets, text = workbook_text(client.get("/campaigns/today/customers.xlsx"))
    rows = sheets["客户"]
    assert rows[0][:4] == ("客户号", "姓名", "证件号码", "手机号码")
    assert [r[0] for r in rows[1:]] == ["C001"]
    assert rows[1][1:4] == ("张三", "110105***********X", "138****5678")
    # in total: no full ID, no full mobile, no birth date, nothing of 李强's or 赵敏's customers
    assert "11010519491231002X" not in text and "13812345678" not in text
    assert "1949" not in text and "19491231" not in text
    assert "李四" not in text and "王五" not in text and "C002" not in text
    log = AccessLog.objects.get()
    assert (log.action, log.user_name) == ("export", "rm-wang")
    assert "1 rows" in log.detail


def test_my_queue_has_my_current_items_only(client, small_bank, rm):
    c1, c2 = small_bank["customers"]["C001"], small_bank["customers"]["C002"]
    import datetime as dt

    list_item(c1, "edge", 1)
    list_item(c1, "edge", 4, as_of=dt.date(2026, 1, 31))  # last month's list: superseded
    list_item(c2, "edge", 2)  # 李强's
    sheets, text = workbook_text(client.get("/campaigns/queue/export.xlsx"))
    rows = sheets["工作队列"]
    assert len(rows) == 2 and rows[1][3:5] == ("C001", "张三")
    assert rows[1][0] == "边缘目标客户" and rows[1][8] == "待跟进"
    assert "C002" not in text and "李四" not in text
    assert "13812345678" not in text and "11010519491231002X" not in text
    assert AccessLog.objects.filter(action="export", detail__contains="my work queue").count() == 1


def test_the_branch_head_exports_the_branchs_customers(client, small_bank, make_login):
    client.force_login(make_login("bm-east", "branch_manager", branch_code="B001"))
    sheets, _ = workbook_text(client.get("/campaigns/today/customers.xlsx"))
    assert sorted(r[0] for r in sheets["客户"][1:]) == ["C001", "C003"]  # B001 and B001A below it


def test_a_formula_in_a_name_stays_text(client, small_bank, rm):
    c1 = small_bank["customers"]["C001"]
    c1.name = "=HYPERLINK(1)"
    c1.save()
    response = client.get("/campaigns/today/customers.xlsx")
    book = load_workbook(io.BytesIO(response.content))
    cell = book["客户"]["B2"]
    assert cell.value == "=HYPERLINK(1)" and cell.data_type == "s"
