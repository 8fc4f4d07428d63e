"""The hand-made bank of the indicator tests; every expected figure in the tests is worked out from
these balances by hand (the arithmetic is written beside each expectation)."""

import datetime as dt

D = dt.date


def build(rbank):
    """C001 (B001, S001): deposit A1, loans A2 + A6; C004 (B001, no rm): time deposit A3;
    C002 (B002, S002): wealth A4; C003 (B001A, S003): nothing; C005 (B002, S002) onboarded 11-11."""
    rb = rbank
    rb.customer("C004", branch="B001", rm=None)
    rb.customer("C005", branch="B002", rm="S002", onboard=D(2026, 11, 11))
    rb.account("A1", "C001", "DD01")
    rb.account("A2", "C001", "LN01")
    rb.account("A6", "C001", "LN01")
    rb.account("A3", "C004", "TD01")
    rb.account("A4", "C002", "WM01")
    rb.balance("A1", D(2025, 12, 31), D(2025, 12, 31), 500_000)
    rb.balance("A1", D(2026, 11, 1), D(2026, 11, 10), 1_200_000)
    rb.balance("A1", D(2026, 11, 11), D(2026, 11, 11), 1_300_001)
    rb.balance("A1", D(2026, 11, 12), D(2026, 11, 12), 1_300_002)
    rb.balance("A2", D(2026, 11, 1), D(2026, 11, 12), 5_000_000)
    rb.balance("A6", D(2026, 11, 12), D(2026, 11, 12), 100)
    rb.balance("A3", D(2026, 11, 11), D(2026, 11, 11), 333_333)
    rb.balance("A3", D(2026, 11, 12), D(2026, 11, 12), 333_334)
    rb.balance("A4", D(2026, 10, 1), D(2026, 10, 31), 9_000_000)
    rb.balance("A4", D(2026, 11, 1), D(2026, 11, 12), 10_000_000)
    # sold by S002 at B002 to S001's customer: counts for S001 / B001 (the customer's unit)
    rb.sale("S1", "C001", "WM01", D(2026, 11, 11), "100000.00", "500.00", staff="S002", branch="B002")
    rb.sale("S2", "C002", "FD01", D(2026, 11, 5), "2000.50", "10.25", staff="S002", branch="B002")
    rb.sale("S3", "C004", "DD01", D(2026, 11, 12), "50.00", "0.00")
    return rb
