"""Staff screening from spec/compliance.md alone: thresholds, one case per staff × rule × quarter."""

from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from bankcrm.compliance.models import ScreeningCase
from bankcrm.compliance.services import BadInput, move_case, transfer_hits
from bankcrm.core.accesslog import record_access

pytestmark = pytest.mark.django_db


def this_quarter():
    today = timezone.now().date()
    return f"{today.year}Q{(today.month - 1) // 3 + 1}"


@pytest.mark.parametrize(
    ("amounts", "hit"),
    [
        (["49999.99"], False),
        (["50000.00"], True),
        (["49999.99", "49999.99", "49999.99", "50000.02"], True),  # one of 50,000.02
        (["49999.99", "49999.99", "49999.99", "49999.99"], False),  # 199,999.96 in the quarter
        (["40000.00"] * 5, True),  # together exactly 200,000.00
        (["40000.00", "-40000.00", "40000.00", "-40000.00", "39999.99"], False),  # both directions: 199,999.99
    ],
)
def test_transfer_thresholds(amounts, hit):
    assert ("S001" in transfer_hits([("S001", Decimal(a)) for a in amounts])) is hit


def test_browsing_five_unjustified_views_open_one_case(small_bank, make_login):
    rm = make_login("rm1", "rm", staff_no="S001")
    for _ in range(4):
        record_access("view", customer_no="C002", user=rm)  # C002 is S002's customer
    call_command("compliance", "screen", "--quarter", this_quarter())
    assert not ScreeningCase.objects.filter(rule="browsing").exists()  # 4 is not enough
    record_access("view", customer_no="C002", user=rm)
    call_command("compliance", "screen", "--quarter", this_quarter())
    call_command("compliance", "screen", "--quarter", this_quarter())  # second run adds nothing
    case = ScreeningCase.objects.get(rule="browsing")
    assert (case.staff_id, case.quarter, case.status) == ("S001", this_quarter(), "open")


def test_exit_audit_lists_the_leavers_customers_once(small_bank, tmp_path, settings):
    settings.WAREHOUSE_DIR = tmp_path / "warehouse"  # no loans file imported
    small_bank["staff"]["S002"].status = "left"
    small_bank["staff"]["S002"].save()
    call_command("compliance", "screen", "--quarter", "2026Q3")
    call_command("compliance", "screen", "--quarter", "2026Q3")
    call_command("compliance", "screen", "--quarter", "2026Q4")  # not again in a later quarter
    case = ScreeningCase.objects.get()
    assert (case.staff_id, case.rule, case.quarter) == ("S002", "exit_audit", "2026Q3")
    assert "C002" in case.detail and "customers' overdue loans: no loans file imported" in case.detail
    out = tmp_path / "cases.csv"
    call_command("export", "cases", "--quarter", "2026Q3", "--out", str(out))
    lines = out.read_text(encoding="utf-8").splitlines()
    assert lines[0] == "quarter,staff_no,rule,detail,status"
    assert lines[1].startswith("2026Q3,S002,exit_audit,") and lines[1].endswith(",open")


def test_case_workflow_closing_needs_a_note(small_bank):
    case = ScreeningCase.objects.create(quarter="2026Q3", staff_id="S001", rule="browsing", detail="5 views")
    case = move_case(case, "explained", "comp1", "客户委托查询")
    with pytest.raises(BadInput, match="note"):
        move_case(case, "closed", "comp1", "")
    case = move_case(case, "closed", "comp1", "核实无误")
    with pytest.raises(BadInput):
        move_case(case, "open", "comp1", "x")


@pytest.mark.parametrize("quarter", ["2026Q0", "2026-3", "Q3", ""])
def test_bad_quarter(db, quarter):
    with pytest.raises(CommandError, match="not a quarter"):
        call_command("compliance", "screen", "--quarter", quarter)
