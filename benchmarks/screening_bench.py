"""Benchmark: the ``staff_customer_transfer`` screening query vs a bare DuckDB scan of the quarter.

    PYTHONPATH=src python benchmarks/screening_bench.py [--customers 1000000] [--runs 3] [--keep DIR]

Generates with numpy, as the warehouse holds them: N customers (50 branches, one rm per 300
customers) with ~2.5 accounts each, and a quarter (91 daily partitions) of transactions, ~0.11 per
customer and day as the metrics benchmark (43 M over 400 days at 1 M customers), 10 % of them
transfers with a counterparty account in the bank. Every rm is linked to an own customer record
(the staff file's id_number), and a few hundred planted transfers between an rm's own record and
their customers hit the rule. Then times, on DuckDB with the same settings as ``bankcrm metrics``:

  screening  ``compliance.screening.transfer_sql`` over those views (what ``compliance screen`` runs
             after the dimension dump and the staff link query)
  floor      a bare scan of the quarter's transactions that reads every value of the columns the
             rule needs (one account's transfers: FLOOR_SQL); a count-only scan is printed too

Goal (issue 13): screening ≤ 2 × floor. Prints both, the ratio, and the hits found (checked
against the planted ones).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

START, END = dt.date(2026, 7, 1), dt.date(2026, 9, 30)
TXN_PER_CUSTOMER_DAY = 0.11
TRANSFER_SHARE = 0.10


def ids(prefix: str, numbers: np.ndarray, width: int) -> pa.Array:
    nums = pc.utf8_lpad(pc.cast(pa.array(numbers), pa.string()), width, "0")
    return pc.binary_join_element_wise(prefix, nums, "")


def generate(home: Path, n: int, seed: int = 1) -> tuple[pa.Table, int]:
    """Dims + a quarter of transactions under home/warehouse; returns (staff_own, planted hits)."""
    rng = np.random.default_rng(seed)
    wh = home / "warehouse"
    (wh / "dim").mkdir(parents=True, exist_ok=True)
    n_staff = max(n // 300, 1)
    rm_of = rng.integers(0, n_staff, n)
    # the staff members' own records: the first n_staff customers, each managed by another rm
    rm_of[:n_staff] = (np.arange(n_staff) + 1) % n_staff
    pq.write_table(
        pa.table(
            {
                "customer_no": ids("C", np.arange(n), 9),
                "branch_code": ids("B", rng.integers(0, 50, n), 3),
                "rm_staff_no": ids("S", rm_of, 5),
                "status": pa.array(["active"] * n),
            }
        ),
        wh / "dim" / "customers.parquet",
    )
    per = rng.integers(1, 5, n)  # 1–4 accounts, ~2.5 on average
    owner = np.repeat(np.arange(n), per)
    n_acc = len(owner)
    pq.write_table(
        pa.table({"account_no": ids("A", np.arange(n_acc), 10), "customer_no": ids("C", owner, 9)}),
        wh / "dim" / "accounts.parquet",
    )
    first_account = np.concatenate([[0], np.cumsum(per)[:-1]])
    staff_own = pa.table({"staff_no": ids("S", np.arange(n_staff), 5), "customer_no": ids("C", np.arange(n_staff), 9)})
    # planted: every 10th rm sends 60,000.00 from their own record's first account to a customer of theirs
    planted = np.arange(0, n_staff, 10)
    managed_customer = np.array([np.flatnonzero(rm_of == s)[-1] for s in planted])
    per_day = int(n * TXN_PER_CUSTOMER_DAY)
    day = START
    index = 0
    while day <= END:
        acct = rng.integers(0, n_acc, per_day)
        transfer = rng.random(per_day) < TRANSFER_SHARE
        counterparty = np.where(transfer, rng.integers(0, n_acc, per_day), -1)
        cents = rng.integers(100, 5_000_000, per_day)
        if day == dt.date(2026, 8, 15):
            k = len(planted)
            acct[:k] = first_account[planted]
            counterparty[:k] = first_account[managed_customer]
            cents[:k] = 6_000_000
        folder = wh / "transactions" / f"business_date={day.isoformat()}"
        folder.mkdir(parents=True, exist_ok=True)
        seconds = np.sort(rng.integers(0, 86400, per_day))
        cp = ids("A", np.maximum(counterparty, 0), 10)
        cp = pc.if_else(pa.array(counterparty < 0), pa.scalar(None, pa.string()), cp)
        table = pa.table(
            {
                "txn_id": ids("T", np.arange(index, index + per_day), 12),
                "account_no": ids("A", acct, 10),
                "txn_time": pa.array(np.datetime64(day.isoformat(), "s") + seconds.astype("timedelta64[s]")),
                "amount_cents": pa.array(cents, pa.int64()),
                "direction": np.where(rng.random(per_day) < 0.5, "D", "C"),
                "channel": np.where(rng.random(per_day) < 0.5, "mobile", "counter"),
                "customer_initiated": pa.array(rng.random(per_day) < 0.8),
                "counterparty_account": cp,
            }
        )
        pq.write_table(table, folder / "part-0.parquet")
        index += per_day
        day += dt.timedelta(days=1)
    return staff_own, len(planted)


# The floor: the cheapest query that has to look at every account_no and counterparty_account of the
# quarter (one account's transfers, either side), summing the amounts. A count(column) scan is shown
# too: it reads only the null masks of the strings, not their values, so it is cheaper than any
# query that compares an account number.
FLOOR_SQL = """SELECT count(*), sum(amount_cents), max(txn_time) FROM txn
    WHERE business_date BETWEEN DATE '{start}' AND DATE '{end}' AND direction IS NOT NULL
      AND (account_no = 'A0000000001' OR counterparty_account = 'A0000000001')"""
COUNT_SQL = """SELECT count(account_no), count(counterparty_account), sum(amount_cents), count(direction),
    max(txn_time) FROM txn WHERE business_date BETWEEN DATE '{start}' AND DATE '{end}'"""


def best_of(runs: int, fn) -> tuple[float, float, object]:
    """(best wall seconds, its CPU seconds incl. DuckDB threads, the result)."""
    best = None
    for _ in range(runs):
        wall, cpu = time.perf_counter(), time.process_time()
        result = fn()
        timing = (time.perf_counter() - wall, time.process_time() - cpu, result)
        if best is None or timing[0] < best[0]:
            best = timing
    return best


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--customers", type=int, default=1_000_000)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--keep", type=Path, help="use this BANKCRM_HOME and keep it (reused when it holds data)")
    args = ap.parse_args()
    home = args.keep or Path(tempfile.mkdtemp(prefix="bankcrm-screening-bench-"))
    home.mkdir(parents=True, exist_ok=True)
    os.environ["BANKCRM_HOME"] = str(home)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bankcrm.settings")
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
    import django

    django.setup()
    from bankcrm.analytics.engines import DuckDBEngine
    from bankcrm.compliance.screening import register_transfer_inputs, transfer_sql

    started = time.perf_counter()
    marker = home / f"generated-{args.customers}"
    if marker.exists():
        staff_own, planted = pq.read_table(home / "staff_own.parquet"), int(marker.read_text())
        print(f"reusing the generated bank under {home}")
    else:
        staff_own, planted = generate(home, args.customers)
        pq.write_table(staff_own, home / "staff_own.parquet")
        marker.write_text(str(planted))
        print(
            f"generated {args.customers:,} customers, a quarter of transactions in "
            f"{time.perf_counter() - started:.1f} s"
        )
    from django.conf import settings

    settings.WAREHOUSE_DIR = home / "warehouse"
    engine = DuckDBEngine()
    try:
        assert register_transfer_inputs(engine, START, END, staff_own)
        rows = engine.query("SELECT count(*) AS n, count(counterparty_account) AS t FROM txn").to_pylist()[0]
        print(
            f"transactions in the quarter: {rows['n']:,} ({rows['t']:,} transfers), "
            f"staff linked: {staff_own.num_rows:,}"
        )
        sql = transfer_sql(START, END, 5_000_000, 20_000_000)
        counts = best_of(args.runs, lambda: engine.query(COUNT_SQL.format(start=START, end=END)))
        floor = best_of(args.runs, lambda: engine.query(FLOOR_SQL.format(start=START, end=END)))
        screen = best_of(args.runs, lambda: engine.query(sql).to_pylist())
    finally:
        engine.close()
    hits = screen[2]
    print(f"count-only scan:          {counts[0]:.2f} s wall, {counts[1]:.2f} s cpu")
    print(f"floor (scan reading all): {floor[0]:.2f} s wall, {floor[1]:.2f} s cpu")
    print(
        f"screening (the rule):     {screen[0]:.2f} s wall, {screen[1]:.2f} s cpu — "
        f"{len(hits)} hits ({planted} planted)"
    )
    print(f"ratio screening / floor: {screen[0] / floor[0]:.2f}× wall, {screen[1] / max(floor[1], 1e-9):.2f}× cpu")
    print(
        f"ratio screening / count-only scan: {screen[0] / counts[0]:.2f}× wall, "
        f"{screen[1] / max(counts[1], 1e-9):.2f}× cpu"
    )
    if not args.keep:
        import shutil

        shutil.rmtree(home, ignore_errors=True)
    if len(hits) < planted:
        sys.exit("fewer hits than planted transfers")


if __name__ == "__main__":
    main()
