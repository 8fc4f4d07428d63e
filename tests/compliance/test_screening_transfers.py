"""``staff_customer_transfer`` on imported files (spec/compliance.md "Staff behaviour screening").

A staff member's own customer record is the customer with id_type ID_CARD and the staff file's
id_number; the rule looks at transfers (transactions with counterparty_account) in the quarter
between an account of that record and an account of a customer whose rm is that staff member.
Expectations written by hand from the spec's thresholds: one ≥ 50,000.00, or ≥ 200,000.00 together.
"""

import pytest
from django.core.management import call_command

from bankcrm.compliance.models import ScreeningCase

pytestmark = pytest.mark.django_db

STAFF_ID = "11010519800101018X"
# S001's own record C900 (rm S002: managed by someone else) with account A900; S001 manages C001
# (A001) and also their second own record C901 (A901); S002 manages C002 (A002).
FILES = {
    "branches": "branch_code,name,parent_code,city\nH001,总行,,北京\nB001,城东支行,H001,北京\n",
    "staff": (
        "staff_no,name,branch_code,role,status,id_number\n"
        f"S001,王芳,B001,rm,active,{STAFF_ID}\nS002,李强,B001,rm,active,\n"
    ),
    "products": "product_code,name,category,risk_level,term_days,fee_rate\nDD01,活期储蓄,deposit_demand,,,\n",
    "customers": (
        "customer_no,name,id_type,id_number,gender,birth_date,phone,address,occupation,branch_code,"
        "rm_staff_no,onboard_date,status,marketing_consent\n"
        # the core wrote the check digit in lower case: still the staff member's record
        f"C900,王芳,ID_CARD,{STAFF_ID.lower()},,,,,,B001,S002,2020-01-01,active,\n"
        f"C901,王芳,ID_CARD,{STAFF_ID},,,,,,B001,S001,2020-01-01,active,\n"
        "C001,张三,PASSPORT,E1234567,,,,,,B001,S001,2020-01-01,active,\n"
        "C002,李四,PASSPORT,E7654321,,,,,,B001,S002,2020-01-01,active,\n"
    ),
    "accounts": (
        "account_no,customer_no,product_code,open_date,maturity_date,close_date,status,branch_code\n"
        "A900,C900,DD01,2020-01-01,,,active,B001\nA901,C901,DD01,2020-01-01,,,active,B001\n"
        "A001,C001,DD01,2020-01-01,,,active,B001\nA002,C002,DD01,2020-01-01,,,active,B001\n"
    ),
}
TXN_HEADER = "txn_id,account_no,txn_time,amount,direction,channel,customer_initiated,counterparty_account\n"


@pytest.fixture(autouse=True)
def isolated_home(settings, tmp_path):
    home = tmp_path / "home"
    home.mkdir()
    settings.BANKCRM_HOME = home
    settings.WAREHOUSE_DIR = home / "warehouse"
    settings.LOG_DIR = home / "logs"
    return home


def import_bank(tmp_path, transactions: dict[str, list[str]]):
    """Dimension files of 2026-09-01 and one transactions file per day (rows without the header)."""
    folder = tmp_path / "delivery"
    folder.mkdir()
    for table, text in FILES.items():
        (folder / f"{table}_20260901.csv").write_text(text, encoding="utf-8")
    for day, rows in transactions.items():
        (folder / f"transactions_{day}.csv").write_text(TXN_HEADER + "".join(r + "\n" for r in rows))
    call_command("import_delivery", str(folder))


def leg(txn_id, account, counterparty, amount, direction="D", time="2026-10-15 10:00:00"):
    return f"{txn_id},{account},{time},{amount},{direction},mobile,Y,{counterparty}"


def screen(quarter="2026Q4"):
    call_command("compliance", "screen", "--quarter", quarter)
    return {c.staff_id: c for c in ScreeningCase.objects.filter(rule="staff_customer_transfer", quarter=quarter)}


@pytest.mark.parametrize(
    ("amounts", "hit"),
    [
        (["49999.99"], False),  # just under the single-transfer line
        (["50000.00"], True),  # exactly on it
        (["49999.99", "49999.99", "49999.99", "49999.99"], False),  # 199,999.96 together
        (["49999.99", "49999.99", "49999.99", "50000.03"], True),  # one of 50,000.03
        (["40000.00", "40000.00", "40000.00", "39999.99"], False),  # 159,999.99 together
        (["40000.00"] * 5, True),  # exactly 200,000.00 together
    ],
)
def test_thresholds_on_transfers_to_and_from_a_managed_customer(tmp_path, amounts, hit):
    # alternate directions: from the staff member's own account to C001's, and back (C001's debit)
    rows = [
        leg(f"T{i}", "A900", "A001", amount) if i % 2 == 0 else leg(f"T{i}", "A001", "A900", amount)
        for i, amount in enumerate(amounts)
    ]
    import_bank(tmp_path, {"20261015": rows})
    assert ("S001" in screen()) is hit


def test_together_at_199_999_99_across_both_directions_is_no_hit(tmp_path):
    rows = [leg("T1", "A900", "A001", "49999.99"), leg("T2", "A001", "A900", "49999.99", direction="D")]
    rows += [leg("T3", "A900", "A001", "49999.99", direction="C"), leg("T4", "A001", "A900", "49999.99", "C")]
    rows += [leg("T5", "A900", "A001", "0.03")]  # 199,999.99 in all
    import_bank(tmp_path, {"20261015": rows})
    assert screen() == {}


def test_both_legs_of_one_transfer_count_once(tmp_path):
    # three transfers of 45,000.00, each delivered as the debit and the mirrored credit: 135,000.00
    rows = []
    for i in range(3):
        time = f"2026-10-1{i} 09:00:00"
        rows += [
            leg(f"D{i}", "A900", "A001", "45000.00", "D", time),
            leg(f"C{i}", "A001", "A900", "45000.00", "C", time),
        ]
    rows += [leg("D9", "A900", "A001", "65000.00", "D", "2026-10-20 09:00:00")]  # now 200,000.00 together
    import_bank(tmp_path, {"20261015": rows})
    case = screen()["S001"]
    assert case.detail == "4 transfers, largest 65000.00, total 200000.00"


def test_only_own_record_to_managed_customer_in_the_quarter_counts(tmp_path):
    import_bank(
        tmp_path,
        {
            "20260930": [leg("Q3", "A900", "A001", "90000.00", time="2026-09-30 10:00:00")],  # last quarter
            "20261015": [
                leg("T1", "A900", "A002", "90000.00"),  # to S002's customer: not S001's
                leg("T2", "A901", "A900", "90000.00"),  # between S001's own two records
                leg("T3", "A002", "A001", "90000.00"),  # between two customers
                leg("T4", "A001", "", "90000.00"),  # no counterparty in this bank
            ],
        },
    )
    assert screen() == {}
    assert set(screen("2026Q3")) == {"S001"}  # the September transfer is the third quarter's


def test_rerun_adds_nothing_twice_and_the_case_is_exported(tmp_path):
    import_bank(tmp_path, {"20261015": [leg("T1", "A001", "A900", "50000.00")]})
    screen()
    screen()
    case = ScreeningCase.objects.get(rule="staff_customer_transfer")
    assert (case.quarter, case.staff_id, case.status) == ("2026Q4", "S001", "open")
    assert case.detail == "1 transfers, largest 50000.00, total 50000.00"
    out = tmp_path / "cases.csv"
    call_command("export", "cases", "--quarter", "2026Q4", "--out", str(out))
    assert out.read_text(encoding="utf-8").splitlines()[1] == (
        '2026Q4,S001,staff_customer_transfer,"1 transfers, largest 50000.00, total 50000.00",open'
    )


def test_screen_no_longer_reports_the_rule_as_not_available(tmp_path, capsys):
    import_bank(tmp_path, {})
    call_command("compliance", "screen", "--quarter", "2026Q4")
    assert "not available" not in capsys.readouterr().err
