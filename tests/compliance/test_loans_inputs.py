"""Loans inputs of the compliance desk (spec/compliance.md): the ``new_loans`` sampling population and
the exit audit's "their customers' overdue loans". Expectations written by hand from the spec."""

import hashlib
import json
from decimal import Decimal

import pytest
from django.core.management import call_command

from bankcrm.compliance.models import InspectionPlan, ScreeningCase

pytestmark = pytest.mark.django_db

FILES = {
    "branches": "branch_code,name,parent_code,city\nH001,总行,,北京\nB001,城东支行,H001,北京\n",
    "staff": "staff_no,name,branch_code,role,status\nS001,王芳,B001,rm,active\nS002,李强,B001,rm,active\n",
    "products": "product_code,name,category,risk_level,term_days,fee_rate\nLN01,个人住房贷款,loan,,7300,\n"
    "DD01,活期储蓄,deposit_demand,,,\n",
    "customers": (
        "customer_no,name,id_type,id_number,gender,birth_date,phone,address,occupation,branch_code,"
        "rm_staff_no,onboard_date,status,marketing_consent\n"
        "C001,张三,PASSPORT,E1234567,,,,,,B001,S001,2020-01-01,active,\n"
        "C002,李四,PASSPORT,E7654321,,,,,,B001,S002,2020-01-01,active,\n"
    ),
    "accounts": (
        "account_no,customer_no,product_code,open_date,maturity_date,close_date,status,branch_code\n"
        "L001,C001,LN01,2026-07-01,2046-07-01,,active,B001\n"  # opened in 2026Q3
        "L002,C001,LN01,2026-09-30,2046-09-30,,active,B001\n"  # last day of 2026Q3
        "L003,C002,LN01,2026-08-15,2046-08-15,,active,B001\n"  # in 2026Q3
        "L004,C002,LN01,2026-06-30,2046-06-30,,active,B001\n"  # 2026Q2: not new in Q3
        "L005,C002,LN01,2026-09-01,2046-09-01,,active,B001\n"  # in Q3 but in no loans file yet
        "D001,C001,DD01,2026-08-01,,,active,B001\n"  # a deposit opened in Q3: not a loan
    ),
}
LOANS_HEADER = "as_of_date,account_no,principal,overdue_principal,overdue_interest,overdue_days,five_class\n"
LOANS = {
    "20260831": [
        "2026-08-31,L001,2000000.00,0,0,0,normal",  # first row: exactly at full_above
        "2026-08-31,L003,1999999.99,0,0,0,normal",  # first row one cent below
        "2026-08-31,L004,500000.00,0,0,0,normal",
    ],
    "20261031": [
        "2026-10-31,L001,1990000.00,0,0,0,normal",
        "2026-10-31,L002,300000.00,1200.00,80.50,45,special_mention",  # first appears here
        "2026-10-31,L003,2100000.00,5000.00,0,12,special_mention",  # later principal: not the amount
        "2026-10-31,L004,490000.00,0,0,0,normal",
    ],
}


@pytest.fixture(autouse=True)
def isolated_home(settings, tmp_path):
    home = tmp_path / "home"
    home.mkdir()
    settings.BANKCRM_HOME = home
    settings.WAREHOUSE_DIR = home / "warehouse"
    settings.LOG_DIR = home / "logs"


@pytest.fixture
def loan_bank(tmp_path):
    folder = tmp_path / "delivery"
    folder.mkdir()
    for table, text in FILES.items():
        (folder / f"{table}_20260701.csv").write_text(text, encoding="utf-8")
    for day, rows in LOANS.items():
        (folder / f"loans_{day}.csv").write_text(LOANS_HEADER + "".join(r + "\n" for r in rows))
    call_command("import_delivery", str(folder))


def test_new_loans_population_is_the_quarters_loans_at_their_first_principal(tmp_path, loan_bank):
    plan = {"code": "NL26Q3", "population": "new_loans", "period": "2026Q3", "rate_pct": 10, "full_above": 2000000}
    path = tmp_path / "plan.json"
    path.write_text(json.dumps(plan))
    call_command("compliance", "plan", "create", str(path))
    call_command("compliance", "plan", "draw", "NL26Q3")
    drawn = InspectionPlan.objects.get(pk="NL26Q3")
    # L001, L002, L003 opened in Q3 and in a loans file; L004 opened in Q2, L005 in no file, D001 a deposit
    assert drawn.population_count == 3
    items = {i.key: (i.amount, i.reason) for i in drawn.items.all()}
    assert items["L001"] == (Decimal("2000000.00"), "full")  # its first row, not the later 1,990,000.00
    # of the two others (L002 300,000.00 and L003 1,999,999.99), ⌈10 % × 2⌉ = 1 with the smallest digest
    digest = {k: hashlib.sha256(f"NL26Q3:{k}".encode()).hexdigest() for k in ("L002", "L003")}
    chosen = min(digest, key=digest.get)
    amount = {"L002": Decimal("300000.00"), "L003": Decimal("1999999.99")}[chosen]
    assert items == {"L001": (Decimal("2000000.00"), "full"), chosen: (amount, "random")}


def test_exit_audit_lists_the_customers_overdue_loans_of_the_latest_file(loan_bank):
    from bankcrm.org.models import Staff

    Staff.objects.filter(pk="S002").update(status="left")
    call_command("compliance", "screen", "--quarter", "2026Q4")
    case = ScreeningCase.objects.get(rule="exit_audit")
    assert case.staff_id == "S002"
    # C002's loans on 2026-10-31: L003 overdue 12 days (5,000.00 due); L004 current
    assert case.detail.endswith("customers' overdue loans: 1 as of 2026-10-31 (L003 (C002) 12 days, 5000.00)")


def test_exit_audit_without_overdue_loans_says_none(loan_bank):
    from bankcrm.org.models import Staff

    Staff.objects.filter(pk="S002").update(status="left")
    from bankcrm.customers.models import Customer

    Customer.objects.filter(pk="C002").update(rm_id="S001")  # the leaver has no customers left
    call_command("compliance", "screen", "--quarter", "2026Q4")
    case = ScreeningCase.objects.get(rule="exit_audit")
    assert case.detail == (
        "customers still assigned: 0 (); open list items: 0; open complaints handled: 0; "
        "customers' overdue loans: 0 as of 2026-10-31"
    )
