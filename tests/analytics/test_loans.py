"""Loan figures and the classification check (spec/loans.md), expectations computed by hand.

The tiny bank of tests/conftest.py (branches H001 > B001 > B001A, B002; rms S001 at B001, S002 at
B002, S003 at B001A) gets borrowers X1 (B001/S001), X2 (B002/S002), X3 (B002, no rm) and X4
(B001A/S003); the loans partition is written as the import writes it.
"""

import csv
import datetime as dt

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from django.core.management import CommandError, call_command

from bankcrm.core import warehouse

D = dt.date(2026, 10, 31)

# account, customer, principal (yuan), overdue_days, five_class[, overdue interest (yuan)]
BOOK = [
    ("LA", "X1", "100000.00", 0, "normal"),  # M0
    ("LB", "X1", "20000.00", 1, "special_mention"),  # M1 low edge
    ("LC", "X1", "30000.00", 30, "special_mention"),  # M1 high edge
    ("LD", "X2", "40000.00", 31, "special_mention"),  # M2 low edge
    ("LE", "X2", "50000.00", 60, "special_mention"),  # M2 high edge
    ("LF", "X2", "60000.00", 61, "substandard"),  # M3 low edge, NPL
    ("LG", "X3", "70000.00", 90, "special_mention"),  # M3 high edge
    ("LH", "X3", "80000.00", 91, "substandard"),  # M4+ low edge, NPL
    ("LI", "X4", "7.99", 0, "normal"),
    ("LJ", "X4", "0.01", 0, "loss"),  # NPL: 0.01 / 8.00 = 0.125 % -> half-up 0.13
]


def cents(yuan: str) -> int:
    whole, _, frac = yuan.partition(".")
    return int(whole) * 100 + int(frac.ljust(2, "0"))


def make_book(bank, rows, day=D):
    from bankcrm.customers.models import Customer

    people = {"X1": ("B001", "S001"), "X2": ("B002", "S002"), "X3": ("B002", None), "X4": ("B001A", "S003")}
    for no, (branch, rm) in people.items():
        if not Customer.objects.filter(customer_no=no).exists():
            bank.customer(no, branch=branch, rm=rm)
    for account, customer, *_ in rows:
        from bankcrm.customers.models import Account

        if not Account.objects.filter(account_no=account).exists():
            bank.account(account, customer, product="LN01")
    table = pa.table(
        {
            "account_no": [r[0] for r in rows],
            "principal_cents": [cents(r[2]) for r in rows],
            "overdue_principal_cents": [cents(r[2]) if r[3] else 0 for r in rows],
            "overdue_interest_cents": [cents(r[5]) if len(r) > 5 else 0 for r in rows],
            "overdue_days": [r[3] for r in rows],
            "five_class": [r[4] for r in rows],
        },
        schema=warehouse.LOANS_SCHEMA,
    )
    warehouse.replace_partition("loans", day, lambda folder: pq.write_table(table, folder / "part-0.parquet"))


def read_csv(path):
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def figures_by_unit(path):
    return {r["unit"]: r for r in read_csv(path)}


ZERO = {f"m{n}_{k}": ("0" if k == "count" else "0.00") for n in (1, 2, 3, 4) for k in ("count", "balance")}


def expect(loan, overdue, npl, ratio, **buckets):
    return {
        "as_of": "2026-10-31",
        "loan_balance": loan,
        "overdue_balance": overdue,
        "npl_balance": npl,
        "npl_ratio_pct": ratio,
        **ZERO,
        **buckets,
    }


@pytest.mark.django_db
def test_export_loans_per_unit_by_hand(bank, tmp_path):
    make_book(bank, BOOK)
    out = tmp_path / "loans.csv"
    call_command("export", "loans", "--as-of", "2026-10-31", "--out", str(out))
    header = out.read_text(encoding="utf-8").splitlines()[0]
    assert header == (
        "as_of,unit,loan_balance,overdue_balance,npl_balance,npl_ratio_pct,m1_count,m1_balance,"
        "m2_count,m2_balance,m3_count,m3_balance,m4_count,m4_balance"
    )
    got = figures_by_unit(out)
    for unit in got:
        del got[unit]["unit"]
    # bank: 450008.00 in all; overdue = all but LA, LI, LJ; NPL = LF + LH + LJ = 140000.01
    # ratio 140000.01 / 450008.00 = 31.1107 % -> 31.11
    assert got["bank"] == expect(
        "450008.00",
        "350000.00",
        "140000.01",
        "31.11",
        m1_count="2",
        m1_balance="50000.00",
        m2_count="2",
        m2_balance="90000.00",
        m3_count="2",
        m3_balance="130000.00",
        m4_count="1",
        m4_balance="80000.00",
    )
    b001 = expect("150000.00", "50000.00", "0.00", "0.00", m1_count="2", m1_balance="50000.00")
    assert got["branch:B001"] == b001  # X1 only: B001A's X4 is not counted in B001
    assert got["rm:S001"] == b001
    # B002: X2 + X3 = 300000.00, all overdue; NPL 140000.00 -> 46.666 % -> 46.67
    assert got["branch:B002"] == expect(
        "300000.00",
        "300000.00",
        "140000.00",
        "46.67",
        m2_count="2",
        m2_balance="90000.00",
        m3_count="2",
        m3_balance="130000.00",
        m4_count="1",
        m4_balance="80000.00",
    )
    # S002 has X2 only (X3 has no rm): 150000.00, NPL LF 60000.00 -> 40.00
    assert got["rm:S002"] == expect(
        "150000.00",
        "150000.00",
        "60000.00",
        "40.00",
        m2_count="2",
        m2_balance="90000.00",
        m3_count="1",
        m3_balance="60000.00",
    )
    # 0.01 / 8.00 = 0.125 %: half-up gives 0.13 (half-even would give 0.12)
    assert got["branch:B001A"]["npl_ratio_pct"] == "0.13"
    assert got["rm:S003"]["npl_ratio_pct"] == "0.13"
    # the head office has no customers of its own: no loans -> the ratio is empty, not 0
    assert got["branch:H001"] == expect("0.00", "0.00", "0.00", "")
    assert list(figures_by_unit(out)) == sorted(figures_by_unit(out))


FINDINGS_BOOK = [
    ("F01", "X1", "100.00", 0, "normal"),  # no floor
    ("F02", "X1", "100.00", 1, "normal"),  # > 0 -> special_mention: finding
    ("F03", "X1", "100.00", 90, "special_mention"),  # 90 is not > 90: fine
    ("F04", "X1", "100.00", 91, "special_mention"),  # > 90 -> substandard: finding
    ("F05", "X2", "100.00", 270, "substandard"),  # fine
    ("F06", "X2", "100.00", 271, "substandard"),  # > 270 -> doubtful: finding
    ("F07", "X2", "100.00", 360, "doubtful"),  # fine
    ("F08", "X2", "100.00", 361, "doubtful"),  # > 360 -> loss: finding
    ("F09", "X3", "100.00", 361, "loss"),  # fine
    ("F10", "X3", "100.00", 400, "normal"),  # finding: loss
    ("F11", "X3", "100.00", 10, "loss"),  # stricter than the floor: fine
]


@pytest.mark.django_db
def test_export_loan_findings_every_floor_edge(bank, tmp_path):
    make_book(bank, FINDINGS_BOOK)
    out = tmp_path / "findings.csv"
    call_command("export", "loan-findings", "--as-of", "2026-10-31", "--out", str(out))
    assert out.read_text(encoding="utf-8").splitlines()[0] == (
        "account_no,customer_no,as_of_date,overdue_days,five_class,minimum_class"
    )
    from bankcrm.core.models import AccessLog

    assert AccessLog.objects.filter(action="export", detail__contains="loan-findings").exists()  # figures leave logged
    assert [tuple(r.values()) for r in read_csv(out)] == [
        ("F02", "X1", "2026-10-31", "1", "normal", "special_mention"),
        ("F04", "X1", "2026-10-31", "91", "special_mention", "substandard"),
        ("F06", "X2", "2026-10-31", "271", "substandard", "doubtful"),
        ("F08", "X2", "2026-10-31", "361", "doubtful", "loss"),
        ("F10", "X3", "2026-10-31", "400", "normal", "loss"),
    ]


@pytest.mark.django_db
def test_export_loans_without_a_loans_file_says_so(bank, tmp_path):
    with pytest.raises(CommandError, match="no loans file imported for 2026-10-31"):
        call_command("export", "loans", "--as-of", "2026-10-31", "--out", str(tmp_path / "x.csv"))


LIST_BOOK = [
    ("LB", "X1", "20000.00", 1, "special_mention", "100.00"),  # X1: 20100.00
    ("LA", "X2", "100000.00", 0, "normal"),  # not overdue: not counted
    ("LF", "X2", "60000.00", 61, "substandard"),  # X2: 60000.00
    ("LG", "X3", "59000.00", 90, "special_mention", "1000.01"),  # X3: 60000.01 + 1.00 = 60001.01
    ("LH", "X3", "1.00", 5, "special_mention"),
    ("LI", "X4", "7.99", 0, "normal"),  # X4: nothing overdue, not on the list
]


@pytest.mark.django_db
def test_overdue_list_computed_by_the_metrics_run(bank, tmp_path):
    from bankcrm.campaigns.models import ListItem

    make_book(bank, LIST_BOOK)
    bank.run(D)
    items = ListItem.objects.filter(kind="overdue", as_of=D).order_by("rank")
    assert [(i.rank, i.customer_id, i.assignee, i.detail) for i in items] == [
        (1, "X3", "branch:B002", "worst loan LG: 90 days overdue (M3); overdue principal + interest 60001.01"),
        (2, "X2", "S002", "worst loan LF: 61 days overdue (M3); overdue principal + interest 60000.00"),
        (3, "X1", "S001", "worst loan LB: 1 days overdue (M1); overdue principal + interest 20100.00"),
    ]
    # work done on an item survives a rerun of the metrics for the same date
    ListItem.objects.filter(kind="overdue", customer_id="X2").update(status="contacted")
    pk = ListItem.objects.get(kind="overdue", customer_id="X2").pk
    bank.run(D)
    again = ListItem.objects.get(kind="overdue", customer_id="X2")
    assert (again.pk, again.status) == (pk, "contacted")
    out = tmp_path / "overdue.csv"
    call_command("export", "list", "--kind", "overdue", "--as-of", "2026-10-31", "--out", str(out))
    assert [(r["rank"], r["customer_no"], r["assignee"]) for r in read_csv(out)] == [
        ("1", "X3", "branch:B002"),
        ("2", "X2", "S002"),
        ("3", "X1", "S001"),
    ]


@pytest.mark.django_db
def test_no_loans_file_no_overdue_list(bank):
    from bankcrm.campaigns.models import ListItem

    bank.customer("X1")
    bank.run(D)
    assert not ListItem.objects.filter(kind="overdue").exists()


PREV = dt.date(2026, 9, 30)
ROLL_BEFORE = [
    ("R1", "X1", "1000.00", 0, "normal"),  # M0 -> M1 on D: rolled (990.00 left on D)
    ("R2", "X1", "2000.00", 0, "normal"),  # M0 -> M0: not rolled
    ("R3", "X1", "3000.00", 0, "normal"),  # repaid before D (absent on D): not rolled
    ("R4", "X2", "4000.00", 10, "special_mention"),  # M1 -> M2: rolled
    ("R5", "X2", "1000.00", 20, "special_mention"),  # M1 -> M0 (cured): not rolled
]
ROLL_AFTER = [
    ("R1", "X1", "990.00", 5, "special_mention"),
    ("R2", "X1", "1990.00", 0, "normal"),
    ("R4", "X2", "4000.00", 40, "special_mention"),
    ("R5", "X2", "995.00", 0, "normal"),
    ("R6", "X2", "500.00", 45, "special_mention"),  # new since the month-end: not in any base
]


@pytest.mark.django_db
def test_roll_rates_with_a_repaid_loan(bank, tmp_path):
    make_book(bank, ROLL_BEFORE, day=PREV)
    make_book(bank, ROLL_AFTER, day=D)
    out = tmp_path / "rolls.csv"
    call_command("export", "loan-rolls", "--as-of", "2026-10-31", "--out", str(out))
    got = {
        (r["unit"], r["from_bucket"]): (r["base_balance"], r["rolled_balance"], r["roll_rate_pct"])
        for r in read_csv(out)
    }
    # bank M0: base 1000 + 2000 + 3000 = 6000.00, rolled R1's 990.00 -> 16.50 %
    assert got[("bank", "M0")] == ("6000.00", "990.00", "16.50")
    # bank M1: base 4000 + 1000 = 5000.00, rolled R4's 4000.00 -> 80.00 %
    assert got[("bank", "M1")] == ("5000.00", "4000.00", "80.00")
    assert got[("bank", "M2")] == ("0.00", "0.00", "")  # nothing in M2 at the month-end: no rate
    assert got[("branch:B001", "M0")] == got[("rm:S001", "M0")] == ("6000.00", "990.00", "16.50")
    assert got[("branch:B002", "M1")] == got[("rm:S002", "M1")] == ("5000.00", "4000.00", "80.00")
    assert ("branch:B001A", "M0") not in got  # no loans at the previous month-end
    with pytest.raises(CommandError, match="2026-11-30 \\(the previous month-end\\)"):
        call_command("export", "loan-rolls", "--as-of", "2026-12-15", "--out", str(tmp_path / "x.csv"))


@pytest.mark.django_db
def test_customer_360_shows_each_loan_with_bucket_class_and_finding(bank, make_login):
    from django.urls import reverse

    from webapi_data import page_client

    make_book(bank, [("LB", "X1", "20000.00", 1, "normal", "100.00"), ("LC", "X1", "30000.00", 0, "normal")])
    admin = make_login("boss", "admin")
    page = page_client(admin).get(reverse("customers:detail", args=["X1"]), HTTP_ACCEPT_LANGUAGE="en")
    html = page.content.decode()
    assert page.status_code == 200
    assert 'data-account="LB" data-bucket="M1" data-class="normal"' in html
    assert 'data-account="LC" data-bucket="M0" data-class="normal"' in html
    assert html.count('data-finding="class_too_lenient"') == 1  # LB: 1 day overdue, classed normal
    assert "20,100.00" in html.replace("\u00a0", "")  # overdue principal + interest of LB
    zh = page_client(admin).get(reverse("customers:detail", args=["X1"]))
    assert "分类偏松：至少应为关注" in zh.content.decode()  # Chinese by default
