"""CLI metric exports write planted formulas as text, and negative money as a number (issue 8.14)."""

import csv
import datetime as dt
from decimal import Decimal

import pytest
from openpyxl import load_workbook

D = dt.date
AS_OF = D(2026, 10, 31)
# what a hostile core file or a typo puts in a text field, and what the CSV must then hold
PLANTED = {
    '=HYPERLINK("http://x","y")': '\'=HYPERLINK("http://x","y")',
    "+1": "'+1",
    "@SUM(A1)": "'@SUM(A1)",
    "\t=1": "'\t=1",
    "-2+3": "'-2+3",  # text that starts with '-' is text: quoted too (docs/security.md)
    "\r=1": "'\r=1",
}
# branch and staff codes hold 20 characters (PostgreSQL enforces it): the same attack, shorter
CODES = {('=HYPERLINK("x","y")' if k.startswith("=HYPERLINK") else k): v for k, v in PLANTED.items()}
CODES['=HYPERLINK("x","y")'] = '\'=HYPERLINK("x","y")'


@pytest.fixture
def overdrawn(bank):
    """C001 with a deposit of -20.00 all month: aum_avg, aum_end and deposit_avg are -20.00."""
    bank.account("A1", "C001")
    bank.month_balance("A1", 2026, 10, -20_00)
    bank.run(AS_OF)
    return bank


def _read(path):
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.reader(fh))


@pytest.mark.parametrize("planted", list(CODES))
def test_customer_month_csv_text_cells_are_not_formulas(overdrawn, tmp_path, planted):
    from bankcrm.analytics.exports import export_customer_month
    from bankcrm.customers.models import CustomerMonth

    CustomerMonth.objects.filter(customer_id="C001").update(rm_staff_no=planted, branch_code=planted)
    out = tmp_path / "cm.csv"
    export_customer_month("2026-10", out)
    row = next(r for r in _read(out)[1:] if r[2] == "C001")
    assert row[3] == row[4] == CODES[planted]  # branch_code, rm_staff_no
    assert row[6:10] == ["-20.00", "-20.00", "-20.00", "0.00"]  # numbers: no quote
    assert row[5] == "31"


@pytest.mark.parametrize("planted", list(PLANTED))
def test_list_csv_detail_is_not_a_formula(overdrawn, tmp_path, planted):
    from bankcrm.analytics.exports import export_list
    from bankcrm.campaigns.models import ListItem

    item = ListItem.objects.create(
        kind="maturing", as_of=AS_OF, rank=1, customer_id="C001", branch_code="B001", assignee=planted,
        aum_avg=Decimal("-20.00"), tier="mass", detail=planted,
    )  # fmt: skip
    out = tmp_path / "list.csv"
    export_list(item.kind, AS_OF, out)
    rows = _read(out)
    assert rows[1] == ["maturing", "2026-10-31", "1", "C001", "B001", PLANTED[planted], "-20.00", "mass",
                       PLANTED[planted]]  # fmt: skip


def test_tier_summary_csv_and_xlsx(overdrawn, tmp_path):
    from bankcrm.analytics.exports import export_tier_summary
    from bankcrm.customers.models import CustomerMonth

    CustomerMonth.objects.filter(customer_id="C001").update(rm_staff_no="@SUM(A1)")
    export_tier_summary(AS_OF, tmp_path / "t.csv")
    rows = _read(tmp_path / "t.csv")
    header = rows[0]
    rm_rows = [dict(zip(header, r, strict=True)) for r in rows[1:] if r[2] == "'@SUM(A1)"]
    mass = next(r for r in rm_rows if r["tier"] == "mass")
    assert (mass["level"], mass["customers"], mass["aum_avg_sum"], mass["aum_end_sum"]) == ("rm", "1", "-20.00",
                                                                                             "-20.00")  # fmt: skip
    export_tier_summary(AS_OF, tmp_path / "t.xlsx")
    ws = load_workbook(tmp_path / "t.xlsx").active
    cells = [c for row in ws.iter_rows(min_row=2) for c in row]
    planted = [c for c in cells if c.value == "@SUM(A1)"]
    assert planted and all(c.data_type == "s" for c in planted)  # the text itself, as a string cell
    assert all(c.data_type != "f" for c in cells)
    col = header.index("aum_avg_sum") + 1
    money = [ws.cell(c.row, col) for c in planted]
    assert Decimal(str(money[0].value)) == Decimal("-20.00") and money[0].data_type == "n"  # still a number
