"""The loan book's engine work at scale against a hand-written DuckDB floor over the same Parquet.

    PYTHONPATH=src python benchmarks/loanbook_bench.py [--loans 1000000] [--months 12] [--keep DIR]

Set-up (not timed): ``--months`` month-end loans partitions of N loans each (numpy: 92 % current,
a tail overdue, classes at their floor) and the account / customer dimensions (N customers, 50
branches, 2,000 rms) written where the warehouse expects them. Timed, best of 3:

* ``loan_trend`` of the bank and of one branch: the unit's FIGURES_SQL (``unit_figures_sql``) over all
  month ends in one query — what the page runs for its stacked chart and NPL trend — against the
  floor: one DuckDB GROUP BY as_of_date summing principal and NPL principal over the same files
  joined to the same dimensions (the least a month-end figure of a unit costs);
* ``roll_matrix``: the previous month-end → D matrix (ROLL_MATRIX_SQL) against a floor join of the two
  partitions grouped by (branch, from bucket, to bucket).
"""

import argparse
import datetime as dt
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

import numpy as np


def month_ends(last: dt.date, count: int) -> list[dt.date]:
    ends, day = [], last
    for _ in range(count):
        ends.append(day)
        day = day.replace(day=1) - dt.timedelta(days=1)
    return ends[::-1]


def best_of(fn, runs: int = 3) -> float:
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--loans", type=int, default=1_000_000)
    parser.add_argument("--months", type=int, default=12)
    parser.add_argument("--keep", type=Path)
    args = parser.parse_args()
    home = args.keep or Path(tempfile.mkdtemp(prefix="bankcrm-loanbook-bench-"))
    os.environ["BANKCRM_HOME"] = str(home)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bankcrm.settings")
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
    import django

    django.setup()
    import duckdb
    import pyarrow as pa
    import pyarrow.parquet as pq

    from bankcrm.analytics.engines import get_engine
    from bankcrm.analytics.loans import loan_trend, roll_matrix
    from bankcrm.core import warehouse

    n = args.loans
    days = month_ends(dt.date(2026, 10, 31), args.months)
    rng = np.random.default_rng(1)
    accounts = np.char.add("62", np.char.zfill(np.arange(n).astype(str), 14))
    customers = np.char.add("C", np.char.zfill(np.arange(n).astype(str), 9))
    t0 = time.perf_counter()
    dim = warehouse.dimension_path("accounts")
    dim.parent.mkdir(parents=True, exist_ok=True)
    pq.write_table(pa.table({"account_no": accounts, "customer_no": customers}), dim)
    branch = np.char.add("B", np.char.zfill(rng.integers(0, 50, n).astype(str), 3))
    rm = np.char.add("S", np.char.zfill(rng.integers(0, 2000, n).astype(str), 5))
    pq.write_table(
        pa.table({"customer_no": customers, "branch_code": branch, "rm_staff_no": rm}),
        warehouse.dimension_path("customers"),
    )
    principal = rng.integers(1_000_000, 300_000_000, n)
    od = np.where(rng.random(n) < 0.92, 0, rng.integers(1, 400, n))
    classes = np.array(["normal", "special_mention", "substandard", "doubtful", "loss"])
    for i, day in enumerate(days):
        days_now = np.where(od > 0, od + 30 * i, 0) % 720
        floor = np.select([days_now > 360, days_now > 270, days_now > 90, days_now > 0], [4, 3, 2, 1], 0)
        table = pa.table(
            {
                "account_no": accounts,
                "principal_cents": principal - 100_000 * i,
                "overdue_principal_cents": np.where(days_now > 0, 100_000, 0),
                "overdue_interest_cents": np.zeros(n, np.int64),
                "overdue_days": days_now.astype(np.int32),
                "five_class": classes[floor],
            },
            schema=warehouse.LOANS_SCHEMA,
        )
        warehouse.replace_partition("loans", day, lambda f, t=table: pq.write_table(t, f / "part-0.parquet"))
    print(f"set-up: {n:,} loans × {len(days)} month ends in {time.perf_counter() - t0:.0f}s (not timed)")

    engine = get_engine("duckdb")
    glob = str(warehouse.fact_dir("loans") / "*" / "*.parquet")
    dims = {t: str(warehouse.dimension_path(t)) for t in ("accounts", "customers")}
    con = duckdb.connect()

    def floor_trend():
        con.execute(f"""
            SELECT l.as_of_date, sum(l.principal_cents),
                   sum(CASE WHEN l.five_class IN ('substandard', 'doubtful', 'loss') THEN l.principal_cents END)
            FROM read_parquet('{glob}', hive_partitioning = true) l
            JOIN read_parquet('{dims["accounts"]}') a USING (account_no)
            JOIN read_parquet('{dims["customers"]}') c USING (customer_no)
            GROUP BY l.as_of_date""").fetchall()

    prev, last = warehouse.partition_dir("loans", days[-2]), warehouse.partition_dir("loans", days[-1])

    def floor_matrix():
        con.execute(f"""
            SELECT c.branch_code, least(p.overdue_days // 30, 4) AS b0, least(d.overdue_days // 30, 4) AS b1,
                   sum(p.principal_cents), sum(d.principal_cents)
            FROM read_parquet('{prev}/*.parquet') p LEFT JOIN read_parquet('{last}/*.parquet') d USING (account_no)
            JOIN read_parquet('{dims["accounts"]}') a ON a.account_no = p.account_no
            JOIN read_parquet('{dims["customers"]}') c USING (customer_no)
            GROUP BY ALL""").fetchall()

    trend = best_of(lambda: loan_trend(days, "bank", engine, dump=False))
    branch_trend = best_of(lambda: loan_trend(days, "branch:B001", engine, dump=False))
    trend_floor = best_of(floor_trend)
    matrix = best_of(lambda: roll_matrix(days[-1], "bank", engine, dump=False))
    matrix_floor = best_of(floor_matrix)
    load = os.getloadavg()[0]
    print(
        f"loan_trend ({len(days)} month ends): bank {trend:.2f}s, branch {branch_trend:.2f}s, "
        f"floor {trend_floor:.2f}s, ratio {trend / trend_floor:.2f}x (bank)"
    )
    print(
        f"roll_matrix (previous month-end → D): {matrix:.2f}s, floor {matrix_floor:.2f}s, "
        f"ratio {matrix / matrix_floor:.2f}x  (load average {load:.1f})"
    )
    engine.close()
    if args.keep is None:
        shutil.rmtree(home, ignore_errors=True)


if __name__ == "__main__":
    main()
