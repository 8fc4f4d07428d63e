"""The loan-book page (贷款质量) of spec/loans.md per unit, expectations worked out by hand.

Borrowers on the tiny bank of tests/conftest.py: X1 (B001/S001) with loans L1 and L2, X2 (B002/S002)
with L3, X4 (B001A/S003) with L4. Loans files on 08-31, 09-30 and 10-31 (the data date D):

| loan | 09-30 (previous month-end)      | 10-31 (D)                                    |
|------|---------------------------------|----------------------------------------------|
| L1   | 100,000.00, 0 days (M0) normal  | 99,000.00, 0 days (M0) substandard (an NPL)   |
| L2   | 20,000.00, 15 days (M1)         | 19,000.00, 46 days (M2): rolled              |
| L3   | 50,000.00, 45 days (M2)         | 50,000.00, 95 days (M4+) special mention: too lenient (floor substandard) |
| L4   | 10,000.00, 0 days (M0)          | repaid (not in the file)                      |
"""

import datetime as dt
from io import BytesIO

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from django.test import Client

from bankcrm.core import warehouse

pytestmark = pytest.mark.django_db
D = dt.date

FILES = {
    D(2026, 8, 31): [("L1", 10_100_000, 0, "normal")],
    D(2026, 9, 30): [
        ("L1", 10_000_000, 0, "normal"),
        ("L2", 2_000_000, 15, "special_mention"),
        ("L3", 5_000_000, 45, "special_mention"),
        ("L4", 1_000_000, 0, "normal"),
    ],
    D(2026, 10, 31): [
        ("L1", 9_900_000, 0, "substandard"),
        ("L2", 1_900_000, 46, "special_mention"),
        ("L3", 5_000_000, 95, "special_mention"),
    ],
}


@pytest.fixture
def book(rbank, make_login):
    rb = rbank
    for no, branch, rm in (("X1", "B001", "S001"), ("X2", "B002", "S002"), ("X4", "B001A", "S003")):
        rb.customer(no, branch=branch, rm=rm)
    for account, owner in (("L1", "X1"), ("L2", "X1"), ("L3", "X2"), ("L4", "X4")):
        rb.account(account, owner, "LN01")
    for day, rows in FILES.items():
        table = pa.table(
            {
                "account_no": [r[0] for r in rows],
                "principal_cents": [r[1] for r in rows],
                "overdue_principal_cents": [0] * len(rows),
                "overdue_interest_cents": [0] * len(rows),
                "overdue_days": [r[2] for r in rows],
                "five_class": [r[3] for r in rows],
            },
            schema=warehouse.LOANS_SCHEMA,
        )
        warehouse.replace_partition("loans", day, lambda f, t=table: pq.write_table(t, f / "part-0.parquet"))
    rb.refresh()

    def client(*args, **kwargs):
        c = Client()
        c.force_login(make_login(*args, **kwargs))
        return c

    return client


def test_rm_sees_own_book_balances_buckets_and_ratio(book):
    rm = book("rm1", "rm", staff_no="S001")
    html = rm.get("/reports/loans/").content.decode()  # default: own unit, latest loans file
    assert 'data-unit="rm:S001"' in html and "2026-10-31" in html
    # L1 99,000 + L2 19,000; overdue only L2 (46 days); NPL L1 → 99,000 ÷ 118,000 = 83.898… → 83.90 %
    assert kpi(html, "loan_balance") == "118,000.00"
    assert kpi(html, "overdue_balance") == "19,000.00"
    assert kpi(html, "npl_balance") == "99,000.00"
    assert kpi(html, "npl_ratio_pct") == "83.90%"
    assert '<tr data-bucket="M2"><td>M2</td><td class="text-end">1</td><td class="text-end">19,000.00</td>' in html
    # another unit's book is not found for an rm
    assert rm.get("/reports/loans/?unit=branch:B002").status_code == 404
    assert rm.get("/reports/loans/?unit=bank").status_code == 404


def test_unit_without_loans_has_an_empty_ratio_not_zero(book):
    head = book("ho", "head_office")
    html = head.get("/reports/loans/?unit=rm:S003&as_of=2026-10-31").content.decode()  # L4 repaid
    assert kpi(html, "loan_balance") == "0.00" and kpi(html, "npl_ratio_pct") == "—"
    html = head.get("/reports/loans/?unit=branch:B001&as_of=2026-10-31").content.decode()
    # units below B001: the sub-branch B001A (no loans on D: empty ratio) and S001 (83.90 %)
    assert row_cell(html, "branch:B001A", "npl_ratio_pct") == "—"
    assert row_cell(html, "rm:S001", "npl_ratio_pct") == "83.90%"


def test_trend_over_month_ends_and_roll_matrix(book):
    head = book("ho", "head_office")
    html = head.get("/reports/loans/?unit=rm:S001&as_of=2026-10-31").content.decode()
    chart = chart_of(html, "buckets-chart")
    # only the month ends with a loans file, oldest first; M1 in 万元: L2 20,000 on 09-30
    assert chart["xAxis"]["data"] == ["2026-08-31", "2026-09-30", "2026-10-31"]
    m1 = next(s for s in chart["series"] if s["name"] == "M1")
    assert m1["data"] == [0.0, 2.0, 0.0] and m1["stack"] == "overdue"
    npl = chart_of(html, "npl-chart")
    assert npl["series"][0]["data"] == [0.0, 0.0, 83.9]
    heat = chart_of(html, "roll-chart")
    assert heat["series"][0]["type"] == "heatmap"
    # M0 → M0: L1 99,000 of 100,000 = 99 %; M1 → M2: L2 19,000 of 20,000 = 95 % (its roll rate)
    assert [0, 0, 99.0] in heat["series"][0]["data"] and [2, 1, 95.0] in heat["series"][0]["data"]
    assert roll_rate(html, "M1") == "95.00%" and roll_rate(html, "M0") == "0.00%"
    assert roll_rate(html, "M2") == "—"  # no base in M2 for S001
    bank = head.get("/reports/loans/?unit=bank&as_of=2026-10-31").content.decode()
    assert roll_rate(bank, "M2") == "100.00%"  # L3 45 → 95 days, all of it
    assert roll_rate(bank, "M0") == "0.00%"  # L4 was repaid: not rolled


def test_findings_of_the_unit_only(book):
    mgr = book("mgr2", "branch_manager", branch_code="B002")
    html = mgr.get("/reports/loans/").content.decode()
    assert 'data-unit="branch:B002"' in html
    assert 'data-account="L3"' in html and 'data-count="findings">1<' in html
    head = book("ho", "head_office")
    html = head.get("/reports/loans/?unit=rm:S001").content.decode()
    assert 'data-account="L3"' not in html and 'data-count="findings">0<' in html


def test_a_customer_handed_over_in_the_app_leaves_the_old_rms_findings(book):
    # X2 (L3, too lenient) moves from S002 to S001 on the 360 before the next import: the warehouse's
    # copy still says S002, but S002 may no longer see X2, so the finding must not name it to S002.
    from bankcrm.customers.models import Customer

    Customer.objects.filter(pk="X2").update(rm_id="S001")
    old_rm = book("rm2", "rm", staff_no="S002")
    html = old_rm.get("/reports/loans/").content.decode()
    assert 'data-account="L3"' not in html and "X2" not in html


def test_excel_export_is_logged(book):
    from openpyxl import load_workbook

    from bankcrm.core.models import AccessLog

    mgr = book("mgr", "branch_manager", branch_code="B001")
    response = mgr.get("/reports/loans/?unit=branch:B001&as_of=2026-10-31&format=xlsx")
    assert response.status_code == 200
    wb = load_workbook(BytesIO(response.content))
    rows = list(wb.worksheets[0].iter_rows(min_row=3, values_only=True))
    assert rows[0][0] == "branch:B001" and float(rows[0][2]) == 118000.00 and float(rows[0][5]) == 83.90
    assert {r[0] for r in rows} == {"branch:B001", "branch:B001A", "rm:S001"}
    assert [r[0] for r in wb.worksheets[1].iter_rows(min_row=2, values_only=True)] == [
        dt.datetime(2026, 8, 31),
        dt.datetime(2026, 9, 30),
        dt.datetime(2026, 10, 31),
    ]
    log = AccessLog.objects.get(action="export")
    assert log.user_name == "mgr" and "loans-branch-B001-2026-10-31.xlsx" in log.detail


def test_bad_date_no_file_and_who_may_see_it(book):
    head = book("ho", "head_office")
    response = head.get("/reports/loans/?as_of=31.10.2026")
    assert response.status_code == 400 and 'data-error="as_of"' in response.content.decode()
    html = head.get("/reports/loans/?as_of=2026-10-15").content.decode()
    assert 'data-empty="no-loans-file"' in html and "2026-10-31" in html  # names the latest file
    assert head.get("/reports/loans/?unit=branch:NOPE").status_code == 404
    assert head.get("/reports/loans/?unit=foo").status_code == 404
    desk = book("desk", "complaint_handler")
    assert desk.get("/reports/loans/").status_code == 403
    assert "/reports/loans/" not in desk.get("/complaints/").content.decode()
    assert 'href="/reports/loans/"' in head.get("/reports/").content.decode()


def kpi(html: str, name: str) -> str:
    import re

    return re.search(rf'data-kpi="{name}">([^<]*)<', html).group(1).strip()


def row_cell(html: str, unit: str, col: str) -> str:
    import re

    row = re.search(rf'<tr data-unit="{re.escape(unit)}">(.*?)</tr>', html, re.S).group(1)
    return re.search(rf'data-col="{col}">([^<]*)<', row).group(1).strip()


def roll_rate(html: str, bucket: str) -> str:
    import re

    row = re.search(rf'<tr data-from="{re.escape(bucket)}">(.*?)</tr>', html, re.S).group(1)
    return re.search(r'data-col="roll_rate">([^<]*)<', row).group(1).strip()


def chart_of(page: str, element_id: str) -> dict:
    import html
    import json
    import re

    return json.loads(html.unescape(re.search(rf"id=\"{element_id}\"[^>]*data-chart='([^']*)'", page).group(1)))
