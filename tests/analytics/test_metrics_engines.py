"""Both engines, one definition: identical snapshots and lists on the same generated bank."""

import datetime as dt
import random

import pytest

D = dt.date

pytestmark = [pytest.mark.spark, pytest.mark.xdist_group("spark")]  # one Spark session per worker

PRODUCTS = ["DD01", "TD01", "WM01", "WM02", "FD01", "IN01", "PM01", "TR01", "LN01", "CC01", "MB01", "PY01"]


@pytest.fixture(scope="session")
def spark_engine():
    from bankcrm.analytics.engines import SparkEngine

    return SparkEngine()


def _generate(bank, seed=7, customers=60):
    from bankcrm.org.models import Staff

    rng = random.Random(seed)
    Staff.objects.filter(staff_no="S003").update(status="left")
    for i in range(4, customers):
        bank.customer(
            f"C{i:03d}",
            branch=rng.choice(["B001", "B002", "B001A"]),
            rm=rng.choice(["S001", "S002", "S003", None]),
            onboard=D(2024, 1, 1) + dt.timedelta(days=rng.randrange(0, 1100)),
            status=rng.choice(["active"] * 9 + ["closed"]),
        )
    accounts = []
    for i in range(1, customers):
        c = f"C{i:03d}"
        for k in range(rng.randrange(0, 8)):
            no = f"{c}-{k}"
            opened = D(2024, 6, 1) + dt.timedelta(days=rng.randrange(0, 900))
            closed = opened + dt.timedelta(days=rng.randrange(10, 400)) if rng.random() < 0.15 else None
            maturity = D(2026, 10, 15) + dt.timedelta(days=rng.randrange(0, 60)) if rng.random() < 0.4 else None
            bank.account(no, c, rng.choice(PRODUCTS), opened=opened, closed=closed, maturity=maturity)
            accounts.append(no)
        if rng.random() < 0.7:
            assessed = D(2025, 1, 1) + dt.timedelta(days=rng.randrange(0, 700))
            bank.kyc(c, assessed, assessed + dt.timedelta(days=rng.choice([300, 365, 700])))
    scale = {
        no: rng.choice([10_00, 1_000_00, 43_000_00, 60_000_00, 450_000_00, 700_000_00, 9_000_000_00, 40_000_000_00])
        for no in accounts
    }
    fallen = {no for no in accounts if rng.random() < 0.25}  # lower balances in October: downgrades
    day = D(2026, 9, 1)
    while day <= D(2026, 10, 31):
        for no in accounts:
            if rng.random() < 0.9:  # some days missing
                cents = rng.randrange(-5_00, scale[no]) if rng.random() < 0.1 else scale[no]
                bank.balances[day][no] = cents // 20 if day.month == 10 and no in fallen else cents
        day += dt.timedelta(days=1)
    for no in accounts:
        for _ in range(rng.randrange(0, 3)):
            when = dt.datetime(2025, 10, 1) + dt.timedelta(minutes=rng.randrange(0, 60 * 24 * 400))
            bank.txn(no, when, customer_initiated=rng.random() < 0.6)
    bank.flush()


def test_engines_identical_rows_and_lists(bank, spark_engine):
    from bankcrm.analytics.dimensions import dump_dimensions
    from bankcrm.analytics.engines import DuckDBEngine
    from bankcrm.analytics.lists import build_lists
    from bankcrm.analytics.snapshots import compute_snapshot, list_candidates, snapshot_rows, write_warehouse_snapshot

    _generate(bank)
    dump_dimensions()
    duck = DuckDBEngine()
    # September first (stored), so October has prev_tier and history for both engines
    write_warehouse_snapshot(compute_snapshot(D(2026, 9, 30), duck), D(2026, 9, 30))
    for as_of in (D(2026, 10, 17), D(2026, 10, 31)):
        ta = compute_snapshot(as_of, duck)
        a = snapshot_rows(ta)
        assert build_lists(list_candidates(ta), as_of) == build_lists(a, as_of)  # the pre-filter drops no one
        b = snapshot_rows(compute_snapshot(as_of, spark_engine))
        assert len(a) > 40
        assert a == b  # every column, every row, same order
        assert build_lists(a, as_of) == build_lists(b, as_of)
    # the data exercises the rules (a comparison of empty flags proves nothing)
    for flag in ("edge", "dormant", "maturing", "kyc_expiring", "cross_sell_qualified", "downgraded"):
        assert {r[flag] for r in a} == {"Y", "N"}, flag
    assert {r["tier"] for r in a} >= {"mass", "vip", "wealth", "private"}
    duck.close()


def test_metrics_command_with_spark(bank, spark_engine):
    from django.core.management import call_command

    from bankcrm.customers.models import CustomerMonth

    bank.account("A1", "C001")
    bank.month_balance("A1", 2026, 10, 45_000_00)
    bank.flush()
    call_command("metrics", "--as-of", "2026-10-31", "--engine", "spark")
    assert CustomerMonth.objects.get(month="2026-10", customer_id="C001").edge is True
