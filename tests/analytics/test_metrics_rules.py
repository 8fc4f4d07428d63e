"""Products held, cross-sell, lifecycle flags (spec/metrics.md "Products held", "Lifecycle flags")."""

import datetime as dt
from decimal import Decimal

D = dt.date
AS_OF = D(2026, 10, 31)


def _vip(bank, customer="C001", account="V1"):
    bank.account(account, customer)  # deposit_demand
    bank.month_balance(account, 2026, 10, 100_000_00)


def test_categories_held_deposit_counts_once_and_open_only_categories(bank):
    _vip(bank)
    bank.account("T1", "C001", "TD01")
    bank.month_balance("T1", 2026, 10, 1_00)  # deposit_time: same category "deposit"
    bank.account("M1", "C001", "MB01")  # mobile banking: counts when open
    bank.account("K1", "C001", "CC01")  # credit card: counts when open, no balance needed
    bank.account("P1", "C001", "PY01", closed=D(2026, 10, 31))  # closed on D: not held
    bank.account("F1", "C001", "FD01")
    bank.month_balance("F1", 2026, 10, 5_00, upto=D(2026, 10, 30))  # no balance on D: not held
    bank.account("L1", "C001", "LN01")
    bank.balance("L1", AS_OF, AS_OF, 0)  # loan with zero balance: not held
    r = bank.run(AS_OF)["C001"]
    assert r.categories_held == 3  # deposit, mobile_banking, credit_card
    assert r.cross_sell_qualified is True  # vip needs 3


def test_status_closed_without_close_date_is_not_held(bank):
    _vip(bank)
    bank.account("M1", "C001", "MB01", status="closed")
    bank.account("K1", "C001", "CC01", closed=D(2026, 11, 15), status="active")  # closes after D: held
    r = bank.run(AS_OF)["C001"]
    assert r.categories_held == 2
    assert r.cross_sell_qualified is False


def test_cross_sell_thresholds_per_tier_and_mass_never(bank):
    bank.customer("C004")
    # C001: mass with 5 categories -> never qualified
    for i, (prod, cents) in enumerate([("DD01", 1_00), ("WM01", 1_00), ("FD01", 1_00), ("IN01", 1_00)]):
        bank.account(f"X{i}", "C001", prod)
        bank.month_balance(f"X{i}", 2026, 10, cents)
    bank.account("XM", "C001", "MB01")
    # C004: wealth with exactly 4 categories
    for i, (prod, cents) in enumerate([("DD01", 600_000_00), ("WM01", 1_00), ("PM01", 1_00)]):
        bank.account(f"Y{i}", "C004", prod)
        bank.month_balance(f"Y{i}", 2026, 10, cents)
    bank.account("YP", "C004", "PY01")
    rows = bank.run(AS_OF)
    assert (rows["C001"].tier, rows["C001"].categories_held, rows["C001"].cross_sell_qualified) == ("mass", 5, False)
    assert (rows["C004"].tier, rows["C004"].categories_held, rows["C004"].cross_sell_qualified) == ("wealth", 4, True)


def test_dormancy_window_edges(bank):
    # D - 364 is inside the window, D - 365 is not
    for no in ("C004", "C005", "C006"):
        bank.customer(no)
    for no in ("C001", "C004", "C005", "C006"):
        bank.account(f"A{no}", no, opened=D(2024, 1, 1))
    bank.txn("AC004", dt.datetime(2025, 11, 1, 9, 30))  # D-364: active
    bank.txn("AC005", dt.datetime(2025, 10, 31, 23, 59))  # D-365: dormant
    bank.txn("AC006", dt.datetime(2026, 10, 20, 10, 0), customer_initiated=False)  # interest: dormant
    # txn_time decides, not the partition: booked into a later business date
    bank.customer("C007")
    bank.account("AC007", "C007", opened=D(2024, 1, 1))
    bank.txn("AC007", dt.datetime(2025, 11, 1, 23, 50), business_date=D(2025, 11, 3))
    rows = bank.run(AS_OF)
    assert rows["C001"].dormant is True  # no transaction at all
    assert rows["C004"].dormant is False
    assert rows["C005"].dormant is True
    assert rows["C006"].dormant is True
    assert rows["C007"].dormant is False


def test_dormant_needs_an_old_account_not_closed(bank):
    bank.customer("C004")
    bank.account("A1", "C001", opened=D(2025, 10, 31))  # D-365: old enough
    bank.account("A4", "C004", opened=D(2025, 11, 1))  # D-364: too young
    bank.account("A5", "C002", opened=D(2020, 1, 1), closed=D(2026, 1, 1))  # old but closed
    rows = bank.run(AS_OF)
    assert rows["C001"].dormant is True
    assert rows["C004"].dormant is False
    assert rows["C002"].dormant is False


def test_dormant_potential_uses_24_months_of_stored_snapshots(bank):
    bank.account("A1", "C001", opened=D(2020, 1, 1))
    bank.month_balance("A1", 2025, 1, 80_000_00)  # 22 months before M: within 24 months ending with M
    bank.run(D(2025, 1, 31))
    bank.account("A2", "C002", opened=D(2020, 1, 1))
    bank.month_balance("A2", 2024, 10, 80_000_00)  # 25 months before: outside
    bank.run(D(2024, 10, 31))
    bank.month_balance("A1", 2026, 10, 10_00)
    bank.month_balance("A2", 2026, 10, 10_00)
    rows = bank.run(AS_OF)
    assert rows["C001"].dormant and rows["C001"].dormant_potential
    assert rows["C002"].dormant and not rows["C002"].dormant_potential


def test_dormant_potential_with_current_month_high(bank):
    bank.account("A1", "C001")
    bank.month_balance("A1", 2026, 10, 50_000_00)
    r = bank.run(AS_OF)["C001"]
    assert r.dormant and r.dormant_potential


def test_maturing_window_edges(bank):
    for no in ("C004", "C005", "C006", "C007"):
        bank.customer(no)
    bank.account("W1", "C001", "WM01", maturity=D(2026, 11, 30))  # D+30: in
    bank.account("W4", "C004", "WM01", maturity=D(2026, 12, 1))  # D+31: out
    bank.account("W5", "C005", "TD01", maturity=D(2026, 10, 31))  # D itself: out
    bank.account("W6", "C006", "TR01", maturity=D(2026, 11, 1), closed=D(2026, 10, 30))  # closed: out
    bank.account("W7", "C007", "FD01", maturity=D(2026, 11, 10))  # fund is not a maturing category
    rows = bank.run(AS_OF)
    assert [rows[c].maturing for c in ("C001", "C004", "C005", "C006", "C007")] == [True, False, False, False, False]


def test_kyc_expiring_edges_and_needs_r3_product(bank):
    for no in ("C004", "C005", "C006", "C007", "C008"):
        bank.customer(no)
    for no in ("C001", "C004", "C005", "C006", "C007"):
        bank.account(f"W{no}", no, "WM01")  # R3, held: balance > 0 on D
        bank.balance(f"W{no}", AS_OF, AS_OF, 1_00)
    bank.kyc("C001", D(2025, 11, 30), D(2026, 11, 30))  # expires D+30: expiring
    bank.kyc("C004", D(2025, 12, 1), D(2026, 12, 1))  # D+31: not
    bank.kyc("C005", D(2024, 1, 1), D(2025, 1, 1))  # long expired: expiring
    # C006: no KYC at all -> expiring
    bank.kyc("C007", D(2025, 1, 1), D(2026, 11, 2))  # old one expiring ...
    bank.kyc("C007", D(2026, 10, 1), D(2027, 10, 1))  # ... but the newest is in force
    bank.kyc("C001", D(2026, 11, 15), D(2027, 11, 15))  # assessed after D: not in force yet
    bank.account("WC008", "C008", "WM02")  # R2 only: never kyc_expiring
    bank.balance("WC008", AS_OF, AS_OF, 1_00)
    rows = bank.run(AS_OF)
    got = {c: rows[c].kyc_expiring for c in ("C001", "C004", "C005", "C006", "C007", "C008")}
    assert got == {"C001": True, "C004": False, "C005": True, "C006": True, "C007": False, "C008": False}


def test_kyc_r3_product_must_be_held(bank):
    bank.account("W1", "C001", "WM01")  # R3 wealth but no balance on D: not held
    bank.balance("W1", D(2026, 10, 1), D(2026, 10, 30), 1_00)
    assert bank.run(AS_OF)["C001"].kyc_expiring is False


def test_money_is_exact_for_large_sums(bank):
    bank.account("A1", "C001")
    bank.month_balance("A1", 2026, 10, 123_456_789_012_34)  # 1.2 trillion CNY
    r = bank.run(AS_OF)["C001"]
    assert r.aum_avg == Decimal("123456789012.34")


def test_open_on_d_is_decided_by_close_date_not_todays_status(bank):
    """spec "open on D": close_date empty or later than D; status closed decides only without a date (8.13)."""
    _vip(bank)
    bank.account("K1", "C001", "CC01", closed=D(2026, 11, 15))  # status closed today, closed after D: held
    bank.account("M1", "C001", "MB01", closed=AS_OF, status="active")  # closed on D: not held, whatever status
    bank.account("P1", "C001", "PY01", opened=D(2026, 11, 1))  # opened after D: not held
    bank.account("T1", "C001", "TD01", closed=D(2026, 11, 2), maturity=D(2026, 11, 1))  # matures D+1, held
    r = bank.run(AS_OF)["C001"]
    assert r.categories_held == 2  # deposit (DD + TD count once), credit_card
    assert r.maturing is True
