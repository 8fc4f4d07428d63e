"""Migration, previous month computed first, lists (名单) and recomputation."""

import csv
import datetime as dt
from decimal import Decimal

import pytest

D = dt.date
AS_OF = D(2026, 10, 31)


def test_previous_month_is_computed_first_and_migration(bank):
    from bankcrm.customers.models import CustomerMonth

    bank.customer("C004")
    bank.account("A1", "C001")
    bank.account("A2", "C002")
    bank.account("A3", "C003")
    bank.month_balance("A1", 2026, 9, 600_000_00)  # wealth -> vip: down
    bank.month_balance("A1", 2026, 10, 60_000_00)
    bank.month_balance("A2", 2026, 9, 60_000_00)  # vip -> wealth: up
    bank.month_balance("A2", 2026, 10, 600_000_00)
    bank.month_balance("A3", 2026, 9, 60_000_00)  # vip -> vip: same
    bank.month_balance("A3", 2026, 10, 60_000_00)
    bank.customer("C005", onboard=D(2026, 10, 5))  # not in September's snapshot: new
    rows = bank.run(D(2026, 10, 15))
    sept = {r.customer_id: r for r in CustomerMonth.objects.filter(month="2026-09")}
    assert sept["C001"].as_of == D(2026, 9, 30) and sept["C001"].tier == "wealth"
    assert "C005" not in sept
    got = {c: (rows[c].prev_tier, rows[c].migration, rows[c].downgraded) for c in ("C001", "C002", "C003", "C005")}
    assert got == {
        "C001": ("wealth", "down", True),
        "C002": ("vip", "up", False),
        "C003": ("vip", "same", False),
        "C005": ("", "new", False),
    }


def test_missing_months_are_computed_back_to_the_first_stored_or_balance_less_month(bank):
    from bankcrm.customers.models import CustomerMonth

    bank.account("A1", "C001")
    bank.month_balance("A1", 2026, 6, 900_000_00)  # June: no snapshot computed before, wealth
    bank.month_balance("A1", 2026, 8, 60_000_00)  # July has no balances at all: the walk stops there
    bank.month_balance("A1", 2026, 9, 60_000_00)
    bank.month_balance("A1", 2026, 10, 60_000_00)
    bank.run(AS_OF)
    months = dict(CustomerMonth.objects.filter(customer_id="C001").values_list("month", "migration"))
    assert months == {"2026-08": "new", "2026-09": "same", "2026-10": "same"}


def test_no_previous_balances_means_everyone_new(bank):
    from bankcrm.customers.models import CustomerMonth

    rows = bank.run(AS_OF)
    assert {r.migration for r in rows.values()} == {"new"}
    assert not CustomerMonth.objects.filter(month="2026-09").exists()


def test_mid_month_previous_snapshot_is_recomputed_as_of_month_end(bank):
    from bankcrm.customers.models import CustomerMonth

    bank.account("A1", "C001")
    bank.month_balance("A1", 2026, 9, 100_00, upto=D(2026, 9, 10))
    bank.balance("A1", D(2026, 9, 11), D(2026, 9, 30), 600_000_00)
    bank.run(D(2026, 9, 10))  # stored as of the 10th: mass
    assert CustomerMonth.objects.get(month="2026-09", customer_id="C001").tier == "mass"
    rows = bank.run(AS_OF)
    sept = CustomerMonth.objects.get(month="2026-09", customer_id="C001")
    assert sept.as_of == D(2026, 9, 30) and sept.tier == "vip"  # 20/30 x 600k = 400k -> vip
    assert rows["C001"].prev_tier == "vip"


def _list(kind, as_of=AS_OF):
    from bankcrm.campaigns.models import ListItem

    return [(i.rank, i.customer_id, i.assignee) for i in ListItem.objects.filter(kind=kind, as_of=as_of)]


def test_lists_order_and_assignment_rm_or_branch_queue(bank):
    from bankcrm.org.models import Staff

    Staff.objects.filter(staff_no="S002").update(status="left")
    bank.customer("C004", rm="S002", branch="B002")
    bank.customer("C005", rm=None, branch="B001")
    for c, cents in [("C001", 45_000_00), ("C002", 42_000_00), ("C004", 48_000_00), ("C005", 40_000_00)]:
        bank.account(f"A{c}", c)
        bank.month_balance(f"A{c}", 2026, 10, cents)
    bank.run(AS_OF)
    assert _list("edge") == [
        (1, "C004", "branch:B002"),
        (2, "C001", "S001"),
        (3, "C002", "branch:B002"),
        (4, "C005", "branch:B001"),
    ]
    assert _list("unassigned") == [(1, "C004", "branch:B002"), (2, "C002", "branch:B002"), (3, "C005", "branch:B001")]


def test_maturing_list_nearest_first(bank):
    bank.customer("C004")
    bank.account("W1", "C001", "WM01", maturity=D(2026, 11, 20))
    bank.account("W2", "C001", "TD01", maturity=D(2026, 11, 3))
    bank.account("W3", "C004", "TR01", maturity=D(2026, 11, 10))
    bank.run(AS_OF)
    assert [c for _, c, _ in _list("maturing")] == ["C001", "C004"]
    from bankcrm.campaigns.models import ListItem

    assert ListItem.objects.get(kind="maturing", customer_id="C001").detail == "matures 2026-11-03"


def test_recompute_replaces_rows_and_keeps_work_status(bank, make_login):
    from bankcrm.campaigns.models import ListItem
    from bankcrm.campaigns.services import set_list_item_status
    from bankcrm.customers.models import CustomerMonth

    bank.customer("C004")
    for c, cents in [("C001", 45_000_00), ("C004", 41_000_00)]:
        bank.account(f"A{c}", c)
        bank.month_balance(f"A{c}", 2026, 10, cents)
    bank.run(AS_OF)
    admin = make_login("boss", "admin")
    item = ListItem.objects.get(kind="edge", customer_id="C004")
    set_list_item_status(item, "contacted", admin)
    # new data: C001 drops below the edge, C004 rises, C002 appears
    bank.month_balance("AC001", 2026, 10, 10_000_00)
    bank.month_balance("AC004", 2026, 10, 46_000_00)
    bank.account("AC002", "C002")
    bank.month_balance("AC002", 2026, 10, 44_000_00)
    rows = bank.run(AS_OF)
    assert CustomerMonth.objects.filter(month="2026-10").count() == len(rows) == 4
    assert rows["C001"].aum_avg == Decimal("10000.00")
    assert [(r, c) for r, c, _ in _list("edge")] == [(1, "C004"), (2, "C002")]
    kept = ListItem.objects.get(kind="edge", customer_id="C004")
    assert kept.pk == item.pk and kept.status == "contacted" and kept.aum_avg == Decimal("46000.00")


def test_recompute_keeps_a_worked_items_assignee_while_active(bank, make_login):
    from bankcrm.campaigns.models import ListItem
    from bankcrm.campaigns.services import reassign_list_item, set_list_item_status
    from bankcrm.org.models import Staff

    bank.customer("C004")
    bank.customer("C005")
    for c in ("C004", "C005"):
        bank.account(f"A{c}", c)
        bank.month_balance(f"A{c}", 2026, 10, 45_000_00)
    bank.run(AS_OF)
    admin = make_login("boss", "admin")
    for c, to in (("C004", "S003"), ("C005", "S002")):
        item = ListItem.objects.get(kind="edge", customer_id=c)
        reassign_list_item(item, to, admin)
        set_list_item_status(ListItem.objects.get(pk=item.pk), "contacted", admin)
    Staff.objects.filter(staff_no="S002").update(status="left")
    bank.run(AS_OF)
    got = dict(ListItem.objects.filter(kind="edge").values_list("customer_id", "assignee"))
    assert got == {"C004": "S003", "C005": "S001"}  # S002 left: back to the rule (C005's rm S001)
    assert set(ListItem.objects.filter(kind="edge").values_list("status", flat=True)) == {"contacted"}


def test_exports_customer_month_and_list(bank, tmp_path):
    from bankcrm.analytics.exports import export_customer_month, export_list

    bank.account("A1", "C002")
    bank.balance("A1", D(2026, 10, 1), D(2026, 10, 1), 1)  # 0.01 / 31 -> 0.00
    bank.account("A2", "C001")
    bank.month_balance("A2", 2026, 10, 41_234_56)
    bank.run(AS_OF)
    out = tmp_path / "cm.csv"
    assert export_customer_month("2026-10", out) == 3
    rows = list(csv.reader(out.open(encoding="utf-8")))
    assert rows[0] == [
        "month", "as_of", "customer_no", "branch_code", "rm_staff_no", "days", "aum_avg", "aum_end",
        "deposit_avg", "loan_end", "tier", "prev_tier", "migration", "categories_held",
        "cross_sell_qualified", "dormant", "dormant_potential", "edge", "downgraded", "maturing", "kyc_expiring",
    ]  # fmt: skip
    assert [r[2] for r in rows[1:]] == ["C001", "C002", "C003"]
    assert rows[1][:14] == [
        "2026-10", "2026-10-31", "C001", "B001", "S001", "31", "41234.56", "41234.56",
        "41234.56", "0.00", "mass", "", "new", "1",
    ]  # fmt: skip
    assert rows[1][14:] == ["N", "Y", "N", "Y", "N", "N", "N"]
    assert rows[2][6:8] == ["0.00", "0.00"]
    out = tmp_path / "edge.csv"
    assert export_list("edge", AS_OF, out) == 1
    assert list(csv.reader(out.open(encoding="utf-8"))) == [
        ["kind", "as_of", "rank", "customer_no", "branch_code", "assignee", "aum_avg", "tier", "detail"],
        ["edge", "2026-10-31", "1", "C001", "B001", "S001", "41234.56", "mass", "mass→vip: gap 8765.44"],
    ]


def test_export_list_unknown_kind(bank, tmp_path):
    from django.core.management.base import CommandError

    from bankcrm.analytics.exports import export_list

    with pytest.raises(CommandError, match="unknown list kind 'vip'"):
        export_list("vip", AS_OF, tmp_path / "x.csv")


def test_tier_summary_net_increase_against_december(bank, tmp_path):
    from bankcrm.analytics.exports import export_tier_summary
    from bankcrm.analytics.summary import tier_summary_rows

    bank.account("A1", "C001")
    bank.account("A2", "C002")
    bank.month_balance("A1", 2025, 12, 60_000_00)  # vip in December
    bank.month_balance("A2", 2025, 12, 10_00)
    bank.month_balance("A1", 2026, 10, 60_000_00)
    bank.month_balance("A2", 2026, 10, 70_000_00)  # became vip this year
    bank.run(AS_OF)
    rows = tier_summary_rows(AS_OF)  # computes December 2025 first
    bank_rows = {r["tier"]: r for r in rows if r["level"] == "bank"}
    assert bank_rows["vip"]["customers"] == 2 and bank_rows["vip"]["net_increase_ytd"] == 1
    assert bank_rows["vip"]["aum_avg_sum"] == Decimal("130000.00")
    assert bank_rows["mass"]["net_increase_ytd"] == -1  # C002 left mass; C003 mass both times
    b2 = [r for r in rows if r["level"] == "branch" and r["branch_code"] == "B002"]
    assert [(r["tier"], r["customers"], r["net_increase_ytd"]) for r in b2] == [("mass", 0, -1), ("vip", 1, 1)]
    assert export_tier_summary(AS_OF, tmp_path / "t.csv") == len(rows)
    assert export_tier_summary(AS_OF, tmp_path / "t.xlsx") == len(rows)
    from openpyxl import load_workbook

    ws = load_workbook(tmp_path / "t.xlsx").active
    assert ws.cell(1, 1).value == "level" and ws.max_row == len(rows) + 1


def test_metrics_command(bank, capsys):
    from django.core.management import call_command

    bank.account("A1", "C001")
    bank.month_balance("A1", 2026, 10, 45_000_00)
    bank.flush()
    call_command("metrics", "--as-of", "2026-10-31")
    out = capsys.readouterr().out
    assert "snapshot as of 2026-10-31: 3 customers" in out and "edge 1" in out
