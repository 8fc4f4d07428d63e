"""Targets, weights, coefficients, bonus and red lines (spec/indicators.md), hand-computed from
tests/reports_data.py at D = 2026-11-12 (month: 12 of 30 days = 40.00 % time progress)."""

import csv
import datetime as dt
from decimal import Decimal

import pytest
from django.core.management import call_command

from reports_data import build

D = dt.date
AS_OF = D(2026, 11, 12)
pytestmark = pytest.mark.django_db

TARGETS = """period,unit,indicator,basis,target
2026-11,branch:B001,deposit_avg,balance,20000.00
2026,rm:S001,deposit_balance,increase,10000.00
2026-11,rm:S001,sales_amount,sum,250000
2026-11,rm:S001,sales_amount.wealth,sum,285714.29
2026-11,rm:S001,fee_income,sum,1428.98
2026-11,rm:S001,deposit_avg,balance,10000.00
2026-11X2,rm:S001,deposit_avg,balance,13000.02
2026W46,bank,new_customers,sum,4
2026Q4,bank,aum_balance,balance,200000.00
2026-11,branch:B002,fee_income,sum,100.00
2026-11,rm:S002,fee_income,sum,150.00
2026-13,bank,aum_avg,balance,100
2026-11,branch:ZZZ,aum_avg,balance,100
2026-11,bank,aum_foo,balance,100
2026-11,bank,aum_avg,increase,100
2026-11,bank,sales_amount,balance,100
2026-11,bank,aum_balance,balance,0
2026-11,bank,loan_balance,balance,-5
2026-11,rm:S999,aum_avg,balance,100
"""
WEIGHTS = """period,level,indicator,basis,weight,cap_pct
2026-11,rm,deposit_avg,balance,40,
2026-11,rm,sales_amount,sum,30,
2026-11,rm,fee_income,sum,30,150
2026-11,rm,deposit_balance,balance,10,
2026-11,branch,deposit_avg,balance,60,
2026-11,branch,aum_avg,balance,30,
"""
COEFFICIENTS = """period,level,min_score,coefficient
2026-11,rm,0,0
2026-11,rm,60,0.6
2026-11,rm,80,0.8
2026-11,rm,100,1.0
2026-11,rm,120,1.2
2026-11,rm,80,0.9
"""
BONUS = """period,unit,bonus_base
2026-11,rm:S001,10000.00
2026-11,rm:S002,8000
2026-11,rm:S003,5000
"""


def _folder(tmp_path, **sheets):
    folder = tmp_path / "targets"
    folder.mkdir(parents=True, exist_ok=True)
    for name, body in sheets.items():
        (folder / f"{name}.csv").write_text(body, encoding="utf-8")
    return folder


@pytest.fixture
def loaded(rbank, tmp_path, capsys):
    build(rbank).refresh()
    folder = _folder(tmp_path, targets=TARGETS, weights=WEIGHTS, coefficients=COEFFICIENTS, bonus=BONUS)
    call_command("targets", "import", str(folder))
    return capsys.readouterr()


def test_import_rejects_each_bad_row_with_sheet_line_column_and_reason(loaded):
    err = loaded.err
    expected = [
        ("targets", 13, "period", "bad_period"),
        ("targets", 14, "unit", "unknown_unit"),
        ("targets", 15, "indicator", "unknown_indicator"),
        ("targets", 16, "basis", "basis_mismatch"),  # an average cannot "increase"
        ("targets", 17, "basis", "basis_mismatch"),  # a flow is a sum
        ("targets", 18, "target", "target_not_positive"),
        ("targets", 19, "target", "target_not_positive"),
        ("targets", 20, "unit", "unknown_unit"),
        ("weights", 5, "indicator", "banned_kpi"),  # 存款时点 may not be weighted
        ("weights", 6, "weight", "weights_not_100"),  # branch weights 60 + 30
        ("weights", 7, "weight", "weights_not_100"),
        ("coefficients", 7, "min_score", "overlapping_coefficient"),
    ]
    for sheet, line, column, reason in expected:
        assert f"sheet {sheet} line {line} column {column}: {reason}" in err, (sheet, line, reason)
    assert err.count("rejected:") == len(expected)
    assert "loaded: targets 11, weights 3, coefficients 5, bonus 3; rejected 12 rows; 1 warnings" in loaded.out


def test_cascade_warning_loads_and_shows_beside_the_target(loaded):
    from bankcrm.reports.models import Target

    assert "层层加码" in loaded.err
    branch = Target.objects.get(period="2026-11", unit="branch:B002", indicator="fee_income")
    assert "150.00 > branch target 100.00" in branch.warning
    assert Target.objects.filter(unit="rm:S002", indicator="fee_income").exists()  # loaded anyway


def test_reload_replaces(loaded, tmp_path):
    from bankcrm.reports.models import Coefficient, Target

    folder = _folder(
        tmp_path / "again",
        targets="period,unit,indicator,basis,target\n2026-11,rm:S001,sales_amount,sum,300000\n",
        coefficients="period,level,min_score,coefficient\n2026-11,rm,0,0.5\n",
    )
    call_command("targets", "import", str(folder))
    t = Target.objects.get(period="2026-11", unit="rm:S001", indicator="sales_amount")
    assert t.target == Decimal("300000.00")
    assert Target.objects.filter(period="2026-11", unit="rm:S001").count() == 4  # replaced, not added
    assert list(Coefficient.objects.filter(period="2026-11", level="rm").values_list("coefficient", flat=True)) == [
        Decimal("0.500")
    ]


def _target_rows(tmp_path):
    out = tmp_path / "targets.csv"
    call_command("export", "targets", "--as-of", AS_OF.isoformat(), "--out", str(out))
    rows = list(csv.reader(out.open(encoding="utf-8")))
    assert rows[0] == [
        "as_of", "period", "period_start", "period_end", "unit", "indicator", "basis", "target", "actual",
        "completion_pct", "time_progress_pct", "gap_pct", "status",
    ]  # fmt: skip
    return {(r[1], r[4], r[5]): r for r in rows[1:]}


def test_completion_time_progress_gap_and_status(loaded, tmp_path):
    rows = _target_rows(tmp_path)

    def tail(period, unit, indicator):
        return rows[(period, unit, indicator)][7:]

    # B001 month deposit_avg: (14,600,003 + 666,667) ÷ 12 = 1,272,222.5 → 1,272,223; 12722.23 ÷ 20000 = 63.61 %
    assert tail("2026-11", "branch:B001", "deposit_avg") == [
        "20000.00", "12722.23", "63.61", "40.00", "23.61", "ahead",
    ]  # fmt: skip
    # increase over the year: 1,300,002 on D − 500,000 on 2025-12-31 = 8000.02; 316 of 365 days = 86.58 %
    assert tail("2026", "rm:S001", "deposit_balance") == [
        "10000.00", "8000.02", "80.00", "86.58", "-6.58", "at_risk",
    ]  # fmt: skip
    # the bands: gap exactly 0 is ahead, exactly −5 behind, −5.01 at risk
    assert tail("2026-11", "rm:S001", "sales_amount")[2:] == ["40.00", "40.00", "0.00", "ahead"]
    assert tail("2026-11", "rm:S001", "sales_amount.wealth")[2:] == ["35.00", "40.00", "-5.00", "behind"]
    assert tail("2026-11", "rm:S001", "fee_income")[2:] == ["34.99", "40.00", "-5.01", "at_risk"]
    # 旬: 11-11 … 11-12 of 10 days; average (1,300,001 + 1,300,002) ÷ 2 → 13000.02
    assert tail("2026-11X2", "rm:S001", "deposit_avg") == ["13000.02", "13000.02", "100.00", "20.00", "80.00", "ahead"]
    # ISO week 46 = 11-09 … 11-15: day 4 of 7 = 57.14 %; one new customer of 4
    assert tail("2026W46", "bank", "new_customers") == ["4", "1", "25.00", "57.14", "-32.14", "at_risk"]
    # Q4: day 43 of 92 = 46.74 %; 116333.36 ÷ 200000 = 58.17 %
    assert tail("2026Q4", "bank", "aum_balance")[1:] == ["116333.36", "58.17", "46.74", "11.43", "ahead"]
    assert ("2026-11", "bank", "aum_balance") not in rows  # rejected (target 0), never loaded


def test_scorecard_caps_coefficient_and_bonus(loaded, tmp_path):
    out = tmp_path / "score.csv"
    call_command("export", "scorecard", "--period", "2026-11", "--as-of", AS_OF.isoformat(), "--out", str(out))
    rows = list(csv.reader(out.open(encoding="utf-8")))
    assert rows[0] == ["period", "as_of", "unit", "score", "coefficient", "red_line", "bonus_base", "bonus"]
    by = {r[2]: r for r in rows[1:]}
    # S001: deposit_avg 12166.67 ÷ 10000 = 121.67 % capped at 120 → 40 × 120 ÷ 100 = 48;
    # sales 40 % → 12; fee 34.99 % (cap 150) → 10.497; score 70.497 → 70.50 → row 60 → 0.6 → 6000.00
    assert by["rm:S001"] == ["2026-11", "2026-11-12", "rm:S001", "70.50", "0.60", "N", "10000.00", "6000.00"]
    # S002: only fee 10.25 ÷ 150 = 6.83 % → 30 × 6.83 ÷ 100 = 2.049 → 2.05 → row 0 → 0
    assert by["rm:S002"] == ["2026-11", "2026-11-12", "rm:S002", "2.05", "0.00", "N", "8000.00", "0.00"]
    # S003: a bonus base, no target: every completion 0
    assert by["rm:S003"][3:] == ["0.00", "0.00", "N", "5000.00", "0.00"]
    assert not any(u.startswith("branch:") for u in by)  # the branch weights were rejected


def test_red_line_zeroes_coefficient_for_its_period_only(loaded, tmp_path, capsys):
    from bankcrm.core.models import ObjectChange
    from bankcrm.reports.services import scorecards

    call_command("redline", "add", "S001", "--code", "kickbacks", "--date", "2026-10-31", "--note", "before")
    card = scorecards("2026-11", AS_OF, units=["rm:S001"])[0]
    assert (card.red_line, card.coefficient) == (False, Decimal("0.6"))  # October is outside 2026-11
    call_command("redline", "add", "S001", "--code", "fabricated_data", "--date", "2026-11-05")
    card = scorecards("2026-11", AS_OF, units=["rm:S001"])[0]
    assert card.red_line and card.coefficient == 0 and card.bonus == Decimal("0.00")
    assert card.score == Decimal("70.50") and card.score_coefficient == Decimal("0.6")  # the why stays visible
    assert ObjectChange.objects.filter(content_type__model="redline", action="create").count() == 2


def test_red_line_for_unknown_staff_is_refused(loaded):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="unknown staff member 'S999'"):
        call_command("redline", "add", "S999", "--code", "bribery", "--date", "2026-11-05")


def test_coefficient_lookup_boundaries():
    from bankcrm.reports.services import coefficient_for

    table = [(Decimal(0), Decimal("0")), (Decimal(60), Decimal("0.6")), (Decimal(80), Decimal("0.8"))]
    assert coefficient_for(Decimal("80.00"), table) == Decimal("0.8")  # greatest min_score ≤ score
    assert coefficient_for(Decimal("79.99"), table) == Decimal("0.6")
    assert coefficient_for(Decimal("59.99"), table) == Decimal("0")
    assert coefficient_for(Decimal("-1"), table) == Decimal("0")  # below every row


def test_workbook_import(rbank, tmp_path, capsys):
    from openpyxl import Workbook

    from bankcrm.reports.models import Target, Weight

    wb = Workbook()
    ws = wb.active
    ws.title = "targets"
    ws.append(["period", "unit", "indicator", "basis", "target"])
    ws.append([2026, "branch:B001", "deposit_avg", "balance", 12345.6])
    ws.append(["2026-11", "bank", "fee_income", "balance", 10])
    wb.create_sheet("weights").append(["period", "level", "indicator", "basis", "weight"])
    wb["weights"].append(["2026", "rm", "deposit_balance", "balance", 100])
    path = tmp_path / "book.xlsx"
    wb.save(path)
    call_command("targets", "import", str(path))
    err = capsys.readouterr().err
    assert "book.xlsx: sheet targets line 3 column basis: basis_mismatch" in err
    assert "book.xlsx: sheet weights line 2 column indicator: banned_kpi" in err
    assert Target.objects.get(period="2026", unit="branch:B001").target == Decimal("12345.60")
    assert not Weight.objects.exists()


def test_one_transaction_nothing_half_loaded(rbank, tmp_path, monkeypatch):
    from bankcrm.reports.models import BonusBase, Target

    folder = _folder(tmp_path, targets=TARGETS, bonus=BONUS)

    def fail(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(BonusBase.objects, "update_or_create", fail)
    with pytest.raises(RuntimeError):
        call_command("targets", "import", str(folder))
    assert not Target.objects.exists()  # the targets written before the failure were rolled back


def test_single_csv_and_whole_number_counts(rbank, tmp_path, capsys):
    from bankcrm.reports.models import Target

    path = tmp_path / "targets.csv"
    path.write_text(
        "period,unit,indicator,basis,target\n2026-11,bank,new_customers,sum,4.5\n2026-11,bank,new_customers,sum,5\n",
        encoding="utf-8",
    )
    call_command("targets", "import", str(path))
    err = capsys.readouterr().err
    assert "targets.csv: sheet targets line 2 column target: bad_number" in err
    assert Target.objects.get(unit="bank", indicator="new_customers").target == 5


def test_targets_on_the_loan_stocks(rbank, tmp_path):
    """overdue_balance / npl_balance are stocks: `balance` and `increase` fit, `sum` is a rejected row."""
    from bankcrm.reports.models import Target
    from bankcrm.reports.services import target_results

    build(rbank).refresh()
    body = """period,unit,indicator,basis,target
2026-11,rm:S001,npl_balance,balance,4.00
2026-11X2,rm:S001,overdue_balance,increase,25000.00
2026-11,rm:S001,overdue_balance,sum,100.00
"""
    call_command("targets", "import", str(_folder(tmp_path, targets=body)))
    assert Target.objects.count() == 2  # the `sum` row is rejected
    got = {(r.period, r.indicator): (r.actual, r.completion_pct) for r in target_results(AS_OF)}
    # npl on 11-12: A6 1.00 → 1 ÷ 4 = 25 %; overdue on 11-12 50,000 − on 11-10 (S − 1 of 中旬) 50,000 = 0
    assert got[("2026-11", "npl_balance")] == (Decimal("1.00"), Decimal("25.00"))
    assert got[("2026-11X2", "overdue_balance")] == (Decimal("0.00"), Decimal("0.00"))
