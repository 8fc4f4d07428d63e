"""Benchmark: the indicator reports' daily rollup and a year-to-date report (issue 10 "Tests and measures").

    PYTHONPATH=src python benchmarks/indicators_bench.py [--customers 1000000] [--days 365] [--keep DIR]

Generates N customers (~2.5 accounts each) and ``--days`` days of daily balances ending on D
(numpy → Parquet, ~3 % of account-days missing), builds the rollup once, then times:
  upkeep      one re-imported day: ``update_rollup()`` (signature check, mapping fingerprint, the
              day's rollup query, write, manifest)          vs  bare: a hand-written DuckDB aggregate
              of that day's partition to the same rows (join accounts and customers, group by
              branch × rm × category)                      goal ≤ 1.5×
  report      the year-to-date balance figures for every unit (bank, branches, rms: the five windows
              of a year report — D, S−1, 31 Dec, S … D, the previous year) through the one indicator
              query on the rollup                          vs  hand: a hand-written DuckDB query over
              the same rollup files                        goal ≤ 2×
                                                           vs  raw: a hand-written query rescanning
              the raw year of balances                     goal ≤ 1/20
The report's sums are asserted equal to both hand-written queries.
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
import pyarrow.parquet as pq

AS_OF = dt.date(2026, 11, 30)
CATEGORIES = np.array(["deposit_demand", "deposit_time", "wealth", "fund", "insurance", "loan", "credit_card"])
CAT_P = np.array([0.38, 0.17, 0.1, 0.08, 0.05, 0.12, 0.1])


def ids(prefix: str, n: int, width: int) -> pa.Array:
    import pyarrow.compute as pc

    nums = pc.cast(pa.array(np.arange(n, dtype=np.int64)), pa.string())
    return pc.binary_join_element_wise(pa.scalar(prefix), pc.utf8_lpad(nums, width, "0"), "")


def generate(n: int, days: int, seed: int = 7) -> None:
    from bankcrm.core.warehouse import BALANCES_SCHEMA, dimension_path, replace_partition, write_table_atomically

    rng = np.random.default_rng(seed)
    branches = max(n // 5000, 4)
    rms = max(n // 400, 8)
    # an rm serves the customers of one branch (rm r works at branch r % branches); 1 in 10 has no rm
    cust_rm = rng.integers(0, rms, n)
    cust_branch = np.where(cust_rm % 10 == 0, rng.integers(0, branches, n), cust_rm % branches)
    rm_col = pa.array([None if r % 10 == 0 else f"S{r:06d}" for r in cust_rm.tolist()], pa.string())
    customers = pa.table(
        {
            "customer_no": ids("C", n, 9),
            "branch_code": pa.array([f"B{b:04d}" for b in cust_branch.tolist()]),
            "rm_staff_no": rm_col,
            "onboard_date": pa.array([dt.date(2020, 1, 1)] * n, pa.date32()),
            "status": pa.array(["active"] * n),
        }
    )
    per = rng.integers(1, 5, n)
    owner = np.repeat(np.arange(n), per)
    m = len(owner)
    cats = CATEGORIES[rng.choice(len(CATEGORIES), m, p=CAT_P)]
    accounts = pa.table(
        {
            "account_no": ids("A", m, 10),
            "customer_no": ids("C", n, 9).take(pa.array(owner)),
            "product_code": pa.array(["P"] * m),
            "category": pa.array(cats),
            "risk_level": pa.array([""] * m),
            "open_date": pa.array([dt.date(2020, 1, 1)] * m, pa.date32()),
            "maturity_date": pa.nulls(m, pa.date32()),
            "close_date": pa.nulls(m, pa.date32()),
            "status": pa.array(["active"] * m),
        }
    )
    write_table_atomically(dimension_path("customers"), customers)
    write_table_atomically(dimension_path("accounts"), accounts)
    base = (rng.lognormal(11, 1.4, m)).astype(np.int64)
    balance_accounts = accounts.column("account_no")
    for k in range(days):
        day = AS_OF - dt.timedelta(days=days - 1 - k)
        keep = rng.random(m) > 0.03
        drift = rng.integers(-500, 600, m)
        cents = np.maximum(base + drift * k, 0)[keep]
        tbl = pa.table(
            {"account_no": balance_accounts.filter(pa.array(keep)), "balance_cents": pa.array(cents, pa.int64())},
            schema=BALANCES_SCHEMA,
        )
        replace_partition("balances", day, lambda folder, t=tbl: pq.write_table(t, folder / "part-0.parquet"))
    print(f"generated {n:,} customers, {m:,} accounts, {days} days ≈ {int(m * 0.97) * days:,} balance rows")


def hand_sql(source: str, windows: list, deposit, aum) -> str:
    """Per unit, every window × measure as FILTERed sums of one scan of ``source`` (rollup-shaped rows)."""
    dep, aum_in = "('" + "', '".join(deposit) + "')", "('" + "', '".join(aum) + "')"
    cols, outer = [], []
    for i, w in enumerate(windows):
        within = f"day BETWEEN DATE '{w.start}' AND DATE '{w.end}'"
        for m, cond, val in (
            ("deposit", f"category IN {dep}", "balance_cents"),
            ("aum", f"category IN {aum_in}", "balance_cents"),
            ("loan", "category = 'loan'", "balance_cents"),
            ("loan_customers", "category = 'loan'", "pos_customers"),
        ):
            cols.append(f"SUM({val}) FILTER (WHERE {cond} AND {within}) AS w{i}_{m}")
            outer.append(f"SUM(w{i}_{m})")
    o = ", ".join(outer)
    return f"""WITH g AS (SELECT branch_code, rm_staff_no, {", ".join(cols)} FROM {source} GROUP BY 1, 2)
        SELECT 'bank' AS unit, {o} FROM g
        UNION ALL SELECT 'branch:' || branch_code, {o} FROM g GROUP BY branch_code
        UNION ALL SELECT 'rm:' || rm_staff_no, {o} FROM g WHERE rm_staff_no <> '' GROUP BY rm_staff_no"""


def timed(fn, repeat: int = 3):
    best, result = None, None
    for _ in range(repeat):
        t0 = time.perf_counter()
        result = fn()
        elapsed = time.perf_counter() - t0
        best = elapsed if best is None else min(best, elapsed)
    return best, result


def duck():
    """A DuckDB connection configured like the engine's (threads, memory limit), for the hand-written queries."""
    from bankcrm.analytics.engines import DuckDBEngine

    return DuckDBEngine().con


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--customers", type=int, default=1_000_000)
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--keep", default="", help="reuse (or create) the generated bank in this folder")
    parser.add_argument("--skip-raw", action="store_true", help="skip the (slow) rescan of the raw year")
    args = parser.parse_args()
    home = Path(args.keep or tempfile.mkdtemp(prefix="bankcrm-ind-bench-"))
    os.environ["BANKCRM_HOME"] = str(home)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bankcrm.settings")
    import django

    django.setup()
    from bankcrm.core.warehouse import dimension_path, partition_dates, partition_dir
    from bankcrm.reports.figures import AUM, DEPOSIT, Window, compute_sums
    from bankcrm.reports.periods import ONE_DAY, period_of, year_base
    from bankcrm.reports.rollup import rollup_files, update_rollup

    if not partition_dates("balances"):
        t0 = time.perf_counter()
        generate(args.customers, args.days)
        print(f"generate: {time.perf_counter() - t0:.1f} s")
    t0 = time.perf_counter()
    first = update_rollup()
    print(f"rollup first build ({first['rebuilt']} days): {time.perf_counter() - t0:.1f} s")

    # -- daily upkeep: D re-imported (same rows, new file) -------------------------------------------
    day_file = partition_dir("balances", AS_OF) / "part-0.parquet"
    table = pq.read_table(day_file)

    def reimport_and_update():
        pq.write_table(table, day_file)
        return update_rollup()

    upkeep, res = timed(reimport_and_update)
    assert res["rebuilt"] == 1, res
    con = duck()
    acc, cus = str(dimension_path("accounts")), str(dimension_path("customers"))
    bare_sql = f"""
        WITH pc AS (SELECT a.customer_no, a.category, SUM(b.balance_cents) AS cents
                    FROM read_parquet('{day_file}') b JOIN read_parquet('{acc}') a USING (account_no)
                    GROUP BY 1, 2)
        SELECT c.branch_code, COALESCE(c.rm_staff_no, ''), pc.category, SUM(cents),
               SUM(CASE WHEN cents > 0 THEN 1 ELSE 0 END)
        FROM pc JOIN read_parquet('{cus}') c USING (customer_no) GROUP BY 1, 2, 3"""
    bare, _ = timed(lambda: con.execute(bare_sql).fetchall())

    def bare_fresh():  # the same query on a new connection, as a nightly job starts one
        fresh = duck()
        try:
            return fresh.execute(bare_sql).fetchall()
        finally:
            fresh.close()

    cold, _ = timed(bare_fresh)
    print(
        f"upkeep of one day: {upkeep:.3f} s; bare aggregate of that day: {bare:.3f} s"
        f" → {upkeep / bare:.2f}× (goal ≤ 1.5)"
    )
    print(
        f"  the same aggregate on a fresh connection (as a nightly job starts one): {cold:.3f} s → {upkeep / cold:.2f}×"
    )

    # -- year-to-date report for all units -----------------------------------------------------------
    p = period_of("year", AS_OF)
    prev = p.previous()
    windows = {
        Window("balance", AS_OF, AS_OF),
        Window("balance", p.start - ONE_DAY, p.start - ONE_DAY),
        Window("balance", year_base(AS_OF), year_base(AS_OF)),
        Window("balance", p.start, AS_OF),
        Window("balance", prev.start, prev.end),
    }
    from bankcrm.analytics.engines import get_engine

    def report():
        engine = get_engine("duckdb")
        try:
            return compute_sums(windows, engine)
        finally:
            engine.close()

    ours, sums = timed(report)
    files = rollup_files(prev.start, AS_OF)
    listing = ", ".join(f"'{f}'" for f in files)
    ordered = sorted(windows)
    rollup_src = f"read_parquet([{listing}], hive_partitioning = true, hive_types = {{'day': 'DATE'}})"
    hand, hand_rows = timed(lambda: con.execute(hand_sql(rollup_src, ordered, DEPOSIT, AUM)).fetchall())
    raw_files = ", ".join(
        f"'{f}'"
        for d in partition_dates("balances")
        if prev.start <= d <= AS_OF
        for f in partition_dir("balances", d).glob("*.parquet")
    )
    # the same per-day rollup rows, computed from the raw balances inside the query
    raw_src = f"""(
        WITH pc AS (SELECT b.as_of_date AS day, a.customer_no, a.category, SUM(b.balance_cents) AS cents
                    FROM read_parquet([{raw_files}], hive_partitioning = true, hive_types = {{'as_of_date': 'DATE'}}) b
                    JOIN read_parquet('{acc}') a USING (account_no) GROUP BY 1, 2, 3)
        SELECT pc.day, c.branch_code, COALESCE(c.rm_staff_no, '') AS rm_staff_no, pc.category,
               SUM(cents) AS balance_cents, SUM(CASE WHEN cents > 0 THEN 1 ELSE 0 END) AS pos_customers
        FROM pc JOIN read_parquet('{cus}') c USING (customer_no) GROUP BY 1, 2, 3, 4)"""
    if args.skip_raw:
        raw, raw_rows = None, []
    else:
        raw, raw_rows = timed(lambda: con.execute(hand_sql(raw_src, ordered, DEPOSIT, AUM)).fetchall(), repeat=1)
    measures = ("deposit", "aum", "loan", "loan_customers")
    for rows, label in ((hand_rows, "hand"), (raw_rows, "raw")):
        for unit, *values in rows:
            for i, w in enumerate(ordered):
                for j, m in enumerate(measures):
                    want = int(values[i * len(measures) + j] or 0)
                    assert sums.get((w.name, unit, m), 0) == want, (label, unit, w, m)
    units = len({u for _w, u, _m in sums})
    print(f"year-to-date report, {units:,} units, {len(files)} rollup days: {ours:.3f} s")
    print(f"  hand-written query over the rollup: {hand:.3f} s → {ours / hand:.2f}× (goal ≤ 2)")
    if raw is not None:
        print(f"  hand-written rescan of the raw year: {raw:.3f} s → 1/{raw / ours:.0f} (goal ≤ 1/20)")
    print(f"data in {home}")


if __name__ == "__main__":
    sys.exit(main())
