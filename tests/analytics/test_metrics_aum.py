"""aum_avg, tiers, the denominator and rounding (spec/metrics.md "Period and the daily average", "Tiers")."""

import datetime as dt
from decimal import Decimal

D = dt.date


def test_full_month_average_and_tier(bank):
    bank.account("A1", "C001")
    bank.month_balance("A1", 2026, 10, 100_000_00)
    r = bank.run(D(2026, 10, 31))["C001"]
    assert (r.month, r.as_of, r.days) == ("2026-10", D(2026, 10, 31), 31)
    assert r.aum_avg == Decimal("100000.00") and r.aum_end == Decimal("100000.00")
    assert r.tier == "vip"


def test_49999_995_rounds_half_up_to_50000_and_is_vip(bank):
    # 31 days summing to 154,999,984.5 CNY would need half cents; use 2 days (as-of the 2nd):
    # day 1 = 49,999.99, day 2 = 50,000.00 -> 99,999.99 / 2 = 49,999.995 -> 50,000.00
    bank.account("A1", "C001")
    bank.balance("A1", D(2026, 10, 1), D(2026, 10, 1), 4_999_999)
    bank.balance("A1", D(2026, 10, 2), D(2026, 10, 2), 5_000_000)
    r = bank.run(D(2026, 10, 2))["C001"]
    assert r.days == 2
    assert r.aum_avg == Decimal("50000.00")
    assert r.tier == "vip"


def test_just_below_half_cent_rounds_down_to_mass(bank):
    # 3 days summing to 149,999.98 -> 49,999.99333 -> 49,999.99 -> mass (and edge: >= 40,000)
    bank.account("A1", "C001")
    bank.balance("A1", D(2026, 10, 1), D(2026, 10, 2), 5_000_000)
    bank.balance("A1", D(2026, 10, 3), D(2026, 10, 3), 4_999_998)
    r = bank.run(D(2026, 10, 3))["C001"]
    assert r.aum_avg == Decimal("49999.99")
    assert (r.tier, r.edge) == ("mass", True)


def test_half_cent_rounding_of_small_and_negative_sums(bank):
    # 1 cent over 2 days = 0.005 -> 0.01 ; -1 cent over 2 days = -0.005 -> -0.01 (half away from zero)
    bank.customer("C004")
    bank.account("A1", "C001")
    bank.account("A4", "C004")
    bank.balance("A1", D(2026, 10, 1), D(2026, 10, 1), 1)
    bank.balance("A4", D(2026, 10, 1), D(2026, 10, 1), -1)
    rows = bank.run(D(2026, 10, 2))
    assert rows["C001"].aum_avg == Decimal("0.01")
    assert rows["C004"].aum_avg == Decimal("-0.01")
    assert rows["C001"].aum_end == Decimal("0.00")  # no row on D counts 0


def test_mid_month_as_of_divides_by_days_so_far(bank):
    bank.account("A1", "C001")
    bank.month_balance("A1", 2026, 10, 60_000_00)  # rows after D exist but must be ignored
    bank.balance("A1", D(2026, 10, 16), D(2026, 10, 31), 999_999_999_00)
    r = bank.run(D(2026, 10, 15))["C001"]
    assert r.days == 15
    assert r.aum_avg == Decimal("60000.00") and r.aum_end == Decimal("60000.00")


def test_account_opened_late_in_month_and_missing_day(bank):
    bank.account("A1", "C001", opened=D(2026, 10, 21))
    bank.balance("A1", D(2026, 10, 21), D(2026, 10, 31), 31_000_00)  # 11 days
    bank.balance("A1", D(2026, 10, 25), D(2026, 10, 25), 0)
    del bank.balances[D(2026, 10, 26)]["A1"]  # a day missing from the file counts 0
    r = bank.run(D(2026, 10, 31))["C001"]
    # 9 days x 31,000 = 279,000 / 31 = 9,000.00
    assert r.aum_avg == Decimal("9000.00")


def test_loans_and_credit_cards_are_not_aum_deposit_avg_and_loan_end(bank):
    bank.account("A1", "C001")  # deposit_demand
    bank.account("A2", "C001", "TD01")
    bank.account("A3", "C001", "WM01")
    bank.account("L1", "C001", "LN01")
    bank.account("K1", "C001", "CC01")
    for acct, cents in [("A1", 10_000_00), ("A2", 20_000_00), ("A3", 30_000_00), ("L1", 500_000_00), ("K1", 7_00)]:
        bank.month_balance(acct, 2026, 10, cents)
    r = bank.run(D(2026, 10, 31))["C001"]
    assert r.aum_avg == Decimal("60000.00")
    assert r.deposit_avg == Decimal("30000.00")
    assert r.loan_end == Decimal("500000.00")
    assert r.tier == "vip"


def test_tier_boundaries(bank):
    for no, cents in [("C004", 499_999_99), ("C005", 500_000_00), ("C006", 5_999_999_99), ("C007", 6_000_000_00)]:
        bank.customer(no)
        bank.account(f"A{no}", no)
        bank.month_balance(f"A{no}", 2026, 10, cents)
    rows = bank.run(D(2026, 10, 31))
    assert [rows[c].tier for c in ("C004", "C005", "C006", "C007")] == ["vip", "wealth", "wealth", "private"]
    assert rows["C001"].tier == "mass"
    # edge: >= 0.8 x next lower bound; private never
    assert [rows[c].edge for c in ("C004", "C005", "C006", "C007")] == [True, False, True, False]


def test_snapshot_membership(bank):
    bank.customer("C004", onboard=D(2026, 11, 5))  # onboarded after D, no balance: out
    bank.customer("C005", onboard=D(2026, 11, 5))  # onboarded after D but has a balance row in M: in
    bank.customer("C006", status="closed")  # closed, no balance: out
    bank.customer("C007", status="closed")  # closed but with a balance row in M up to D: in
    bank.account("A5", "C005")
    bank.account("A7", "C007", closed=D(2026, 10, 10))
    bank.balance("A5", D(2026, 10, 30), D(2026, 10, 30), 1_00)
    bank.balance("A7", D(2026, 10, 1), D(2026, 10, 9), 1_00)
    rows = bank.run(D(2026, 10, 31))
    assert set(rows) == {"C001", "C002", "C003", "C005", "C007"}
    assert (rows["C002"].branch_code, rows["C002"].rm_staff_no) == ("B002", "S002")


def test_thresholds_are_read_at_call_time(bank, settings):
    settings.BANKCRM_METRICS = {
        **settings.BANKCRM_METRICS,
        "tier_bounds": {"vip": "1000", "wealth": "2000", "private": "3000"},
    }
    bank.account("A1", "C001")
    bank.month_balance("A1", 2026, 10, 2_500_00)
    assert bank.run(D(2026, 10, 31))["C001"].tier == "wealth"
