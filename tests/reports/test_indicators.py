"""Figures of spec/indicators.md per unit, hand-computed from tests/reports_data.py."""

import datetime as dt
from decimal import Decimal

import pytest

from bankcrm.reports.services import indicator_rows
from reports_data import build

D = dt.date
pytestmark = pytest.mark.django_db


AS_OF = D(2026, 11, 12)


def _figures(period, as_of=AS_OF, units=None):
    return {
        (r.unit, r.indicator): (r.value, r.prev_value, r.change_ytd) for r in indicator_rows(as_of, period, units=units)
    }


@pytest.fixture
def scenario(rbank):
    build(rbank).refresh()
    return rbank


def test_xun_report_stocks_averages_and_comparisons(scenario):
    f = _figures("xun")  # D = 11-12: 中旬 S = 11-11, days = 2; previous 旬 11-01 … 11-10; S−1 = 11-10
    # deposit on D 1,300,002; on 11-10 1,200,000; on 2025-12-31 500,000 → 较年初 800,002 cents
    assert f[("rm:S001", "deposit_balance")] == (Decimal("13000.02"), Decimal("12000.00"), Decimal("8000.02"))
    # (1,300,001 + 1,300,002) ÷ 2 = 1,300,001.5 → half-up 1,300,002; previous 旬 10 × 1,200,000 ÷ 10
    assert f[("rm:S001", "deposit_avg")] == (Decimal("13000.02"), Decimal("12000.00"), None)
    # two loan accounts, one customer: 5,000,000 + 100
    assert f[("rm:S001", "loan_balance")] == (Decimal("50001.00"), Decimal("50000.00"), Decimal("50001.00"))
    assert f[("rm:S001", "loan_customers")] == (1, 1, 1)
    # branch B001 = C001 + C004 (no rm): unit-level rounding (2,600,003 + 666,667) ÷ 2 = 1,633,335 exactly,
    # where summing customers' rounded averages would give 1,300,002 + 333,334 = 1,633,336
    assert f[("branch:B001", "deposit_avg")] == (Decimal("16333.35"), Decimal("12000.00"), None)
    assert f[("branch:B001", "deposit_balance")][0] == Decimal("16333.36")
    # the branch itself only: B001A's customer is not in B001, H001 has none
    assert f[("branch:B001A", "deposit_balance")][0] == Decimal("0.00")
    assert f[("branch:H001", "deposit_balance")][0] == Decimal("0.00")
    # bank AUM: deposits 1,633,336 + wealth 10,000,000; loans are not AUM
    assert f[("bank", "aum_balance")][0] == Decimal("116333.36")
    # (2,600,003 + 666,667 + 2 × 10,000,000) ÷ 2 = 11,633,335; previous: (12,000,000 + 100,000,000) ÷ 10
    assert f[("bank", "aum_avg")] == (Decimal("116333.35"), Decimal("112000.00"), None)
    assert ("bank", "deposit_deviation_pct") not in f  # months only


def test_overdue_and_npl_balances_are_stocks_of_the_loans_file(scenario):
    xun, month = _figures("xun"), _figures("month")
    # 11-12: A2 (45 days) is overdue with its whole principal 50,000.00; A6 (1.00, substandard) is the NPL.
    # prev = 11-10 (A2 15 days overdue, classed normal: overdue, not NPL); 2025-12-31 has no loans file: 0
    assert xun[("rm:S001", "overdue_balance")] == (Decimal("50000.00"), Decimal("50000.00"), Decimal("50000.00"))
    assert xun[("rm:S001", "npl_balance")] == (Decimal("1.00"), Decimal("0.00"), Decimal("1.00"))
    # month: prev = 10-31, when A2 was current
    assert month[("rm:S001", "overdue_balance")] == (Decimal("50000.00"), Decimal("0.00"), Decimal("50000.00"))
    # the loans are C001's: its branch and the bank have them, B002 (no loans) has zeros
    assert xun[("branch:B001", "npl_balance")][0] == xun[("bank", "npl_balance")][0] == Decimal("1.00")
    assert xun[("branch:B002", "overdue_balance")] == (Decimal("0.00"), Decimal("0.00"), Decimal("0.00"))
    # 11-11 has no loans file: the stock is 0 that day (as a day without balances)
    day = _figures("day", as_of=D(2026, 11, 11))
    assert day[("rm:S001", "overdue_balance")] == (Decimal("0.00"), Decimal("50000.00"), Decimal("0.00"))


def test_flows_count_for_the_customers_unit(scenario):
    f = _figures("xun")
    # S1 was sold by S002 at B002 to S001's customer: it is S001's and B001's
    assert f[("rm:S001", "sales_amount")] == (Decimal("100000.00"), Decimal("0.00"), None)
    assert f[("rm:S001", "sales_amount.wealth")][0] == Decimal("100000.00")
    assert f[("rm:S001", "fee_income")][0] == Decimal("500.00")
    assert f[("rm:S002", "sales_amount")] == (Decimal("0.00"), Decimal("2000.50"), None)
    assert f[("rm:S002", "fee_income.fund")] == (Decimal("0.00"), Decimal("10.25"), None)
    # a deposit sale counts in the total, in no product category
    assert f[("branch:B001", "sales_amount")][0] == Decimal("100050.00")
    assert f[("branch:B001", "sales_amount.wealth")][0] == Decimal("100000.00")
    assert f[("rm:S002", "new_customers")] == (1, 0, None)
    assert f[("bank", "new_customers")] == (1, 0, None)


def test_month_report_and_deposit_deviation(scenario):
    f = _figures("month")  # S = 11-01, days 12; previous month October (31 days)
    # Nov deposits of C001: 10 × 1,200,000 + 1,300,001 + 1,300,002 = 14,600,003 ÷ 12 = 1,216,666.92 → 1,216,667
    assert f[("rm:S001", "deposit_avg")][0] == Decimal("12166.67")
    # (1,300,002 − 1,216,667) ÷ 1,216,667 × 100 = 6.8494… → 6.85; October had no deposits: empty
    assert f[("rm:S001", "deposit_deviation_pct")] == (Decimal("6.85"), None, None)
    # wealth 12 × 10,000,000 ÷ 12; October 31 × 9,000,000 ÷ 31
    assert f[("rm:S002", "aum_avg")] == (Decimal("100000.00"), Decimal("90000.00"), None)
    # stock's prev_value is the value on S − 1 = 10-31
    assert f[("rm:S002", "aum_balance")] == (Decimal("100000.00"), Decimal("90000.00"), Decimal("100000.00"))
    assert f[("rm:S002", "sales_amount")] == (Decimal("2000.50"), Decimal("0.00"), None)


def test_tier_counts_from_a_snapshot_computed_for_the_report_and_not_stored(scenario):
    from bankcrm.analytics.snapshots import run_metrics, stored_as_of
    from bankcrm.customers.models import CustomerMonth

    run_metrics(D(2026, 11, 10))  # the month's stored snapshot is as of 11-10
    stored = CustomerMonth.objects.filter(month="2026-11").count()
    f = _figures("xun")
    # C002's AUM month-to-date average 100,000.00 → vip; on 11-10 too; on 2025-12-31 nobody had AUM ≥ 50,000
    assert f[("rm:S002", "vip_customers")] == (1, 1, 1)
    assert f[("branch:B002", "vip_customers")] == (1, 1, 1)
    assert f[("bank", "vip_customers")] == (1, 1, 1)
    assert f[("bank", "wealth_customers")] == (0, 0, 0)
    assert f[("bank", "qualified_customers")] == (0, 0, 0)  # C002 holds one category, vip needs 3
    # the report computed 11-12's snapshot for itself: the stored one is still as of 11-10
    assert stored_as_of("2026-11") == D(2026, 11, 10)
    assert CustomerMonth.objects.filter(month="2026-11").count() == stored
    assert set(CustomerMonth.objects.filter(month="2026-11").values_list("as_of", flat=True)) == {D(2026, 11, 10)}


def test_rollup_rebuilds_only_a_reimported_day(scenario):
    from bankcrm.reports.rollup import update_rollup

    assert update_rollup()["rebuilt"] == 0  # nothing changed since the fixture's refresh
    scenario.balances.clear()
    scenario.balance("A1", D(2026, 11, 12), D(2026, 11, 12), 2_000_000)  # 11-12 re-imported
    scenario.balance("A3", D(2026, 11, 12), D(2026, 11, 12), 333_334)
    scenario.flush()
    assert update_rollup()["rebuilt"] == 1
    f = _figures("day", units=["rm:S001"])
    assert f[("rm:S001", "deposit_balance")][0] == Decimal("20000.00")


def test_reassigned_customer_moves_with_its_history(scenario):
    from bankcrm.customers.models import Customer
    from bankcrm.reports.rollup import refresh_inputs

    Customer.objects.filter(pk="C004").update(rm_id="S001")
    assert refresh_inputs()["full"]  # the assignment changed: every day is rebuilt
    f = _figures("xun", units=["rm:S001"])
    assert f[("rm:S001", "deposit_avg")][0] == Decimal("16333.35")


def test_export_indicators_columns_and_order(scenario, tmp_path):
    import csv

    from django.core.management import call_command

    out = tmp_path / "ind.csv"
    call_command(
        "export", "indicators", "--as-of", "2026-11-12", "--period", "month", "--unit", "rm:S001", "--out", str(out)
    )
    rows = list(csv.reader(out.open(encoding="utf-8")))
    assert rows[0] == [
        "as_of",
        "period",
        "period_start",
        "period_end",
        "unit",
        "indicator",
        "value",
        "prev_value",
        "change_ytd",
    ]
    body = rows[1:]
    assert [r[5] for r in body] == sorted(r[5] for r in body)
    by = {r[5]: r for r in body}
    assert by["deposit_balance"] == [
        "2026-11-12",
        "month",
        "2026-11-01",
        "2026-11-30",
        "rm:S001",
        "deposit_balance",
        "13000.02",
        "0.00",
        "8000.02",
    ]
    assert by["deposit_avg"][6:] == ["12166.67", "0.00", ""]
    assert by["loan_customers"][6:] == ["1", "0", "1"]
    assert by["deposit_deviation_pct"][6:] == ["6.85", "", ""]
    out_x = tmp_path / "ind.xlsx"
    call_command("export", "indicators", "--as-of", "2026-11-12", "--period", "month", "--out", str(out_x))
    from openpyxl import load_workbook

    ws = load_workbook(out_x).active
    header = [c.value for c in next(ws.iter_rows(max_row=1))]
    assert header[:3] == ["as_of", "period", "period_start"]
    units = [r[4] for r in ws.iter_rows(min_row=2, values_only=True)]
    assert units == sorted(units) and units[0] == "bank"
    assert "branch:H001" in units and "rm:S003" in units  # every branch; every rm with customers


def test_metrics_run_keeps_the_rollup_up_to_date(rbank):
    from django.core.management import call_command

    from bankcrm.reports.rollup import load_manifest, rollup_days

    build(rbank).flush()
    assert rollup_days() == []
    call_command("metrics", "--as-of", "2026-11-12")
    assert D(2026, 11, 12) in rollup_days() and load_manifest()["days"]
    f = _figures("day", units=["rm:S001"])
    assert f[("rm:S001", "deposit_balance")][0] == Decimal("13000.02")
