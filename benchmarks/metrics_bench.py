"""Benchmark: the month-end metrics run vs a hand-written DuckDB floor and a plain pandas version.

    PYTHONPATH=src python benchmarks/metrics_bench.py [--customers 100000] [--persist] [--keep DIR]

Generates N customers' dimensions and one month of daily balances (plus a year of sparse
transactions) as Parquet with numpy, then times:
  engine  bankcrm's full snapshot definition (every column of spec/metrics.md) on DuckDB
  floor   one hand-written DuckDB query computing aum_avg and tier only, same files
  pandas  a straightforward pandas aum_avg + tier
Large N: --step generate|engine|floor|persist with --keep DIR runs one step per process (own peak RSS).
Goals: engine <= 2x floor, engine >= 10x faster than pandas. --persist also times writing the
snapshot to the warehouse and the database (SQLite under the temporary BANKCRM_HOME) with its lists.
"""

from __future__ import annotations

import argparse
import contextlib
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

AS_OF = dt.date(2026, 10, 31)
CATEGORIES = np.array(
    ["deposit_demand", "deposit_time", "wealth", "fund", "insurance", "loan", "credit_card", "mobile_banking"]
)
CAT_P = np.array([0.35, 0.15, 0.1, 0.08, 0.04, 0.08, 0.1, 0.1])
RISK = {"wealth": "R3", "fund": "R4", "insurance": "R2"}


def ids(prefix: str, start: int, n: int, width: int) -> pa.Array:
    """prefix + zero-padded numbers, built in Arrow (a Python list of 25M strings costs minutes and GBs)."""
    nums = pc.utf8_lpad(pc.cast(pa.array(np.arange(start, start + n)), pa.string()), width, "0")
    return pc.binary_join_element_wise(prefix, nums, "")


def dates(base: str, offsets: np.ndarray) -> pa.Array:
    return pa.array((np.datetime64(base) + offsets).astype("datetime64[D]"), pa.date32())


def generate(home: Path, n: int, seed: int = 1) -> list[str]:
    """Write dims + balances + transactions under home/warehouse; return the month's balance files.

    Vectorised and streamed: one day of balances / one week of transactions in memory at a time."""
    rng = np.random.default_rng(seed)
    wh = home / "warehouse"
    (wh / "dim").mkdir(parents=True, exist_ok=True)
    cust = ids("C", 0, n, 9)
    branches = pa.array([f"B{i:03d}" for i in range(50)])
    n_staff = max(n // 300, 1)
    staff = ids("S", 0, n_staff, 5)
    pq.write_table(
        pa.table(
            {
                "customer_no": cust,
                "branch_code": branches.take(rng.integers(0, 50, n)),
                "rm_staff_no": staff.take(rng.integers(0, n_staff, n)),
                "onboard_date": dates("2015-01-01", rng.integers(0, 4000, n)),
                "status": pa.array(np.array(["active", "closed"])).take(
                    pa.array((rng.random(n) < 0.02).astype(np.int8))
                ),
            }
        ),
        wh / "dim" / "customers.parquet",
    )
    pq.write_table(
        pa.table(
            {
                "staff_no": staff,
                "branch_code": branches.take(rng.integers(0, 50, n_staff)),
                "status": np.where(rng.random(n_staff) < 0.05, "left", "active"),
            }
        ),
        wh / "dim" / "staff.parquet",
    )
    per = rng.integers(1, 5, n)  # accounts per customer
    owner = cust.take(np.repeat(np.arange(n), per))
    m = len(owner)
    del per
    acct = ids("A", 0, m, 10)
    cat_i = rng.choice(len(CATEGORIES), m, p=CAT_P)
    cat = pa.array(CATEGORIES).take(cat_i)
    risk = pa.array([RISK.get(c, "") for c in CATEGORIES]).take(cat_i)
    timed_cat = np.isin(cat_i, [list(CATEGORIES).index("deposit_time"), list(CATEGORIES).index("wealth")])
    maturity = dates("2026-10-01", rng.integers(0, 400, m))
    maturity = pc.if_else(pa.array(timed_cat), maturity, pa.scalar(None, pa.date32()))
    del cat_i, timed_cat
    pq.write_table(
        pa.table(
            {
                "account_no": acct,
                "customer_no": owner,
                "product_code": cat,
                "category": cat,
                "risk_level": risk,
                "open_date": dates("2015-01-01", rng.integers(0, 4000, m)),
                "maturity_date": maturity,
                "close_date": pa.nulls(m, pa.date32()),
                "status": pa.nulls(m, pa.string()).fill_null("active"),
            }
        ),
        wh / "dim" / "accounts.parquet",
    )
    del owner, cat, risk, maturity
    kyc_n = n * 7 // 10
    assessed = (np.datetime64("2024-06-01") + rng.integers(0, 880, kyc_n)).astype("datetime64[D]")
    pq.write_table(
        pa.table(
            {
                "customer_no": cust.take(rng.permutation(n)[:kyc_n]),
                "assessed_date": pa.array(assessed, pa.date32()),
                "expires_date": pa.array(assessed + 365, pa.date32()),
                "risk_level": pa.nulls(kyc_n, pa.string()).fill_null("C3"),
            }
        ),
        wh / "dim" / "kyc.parquet",
    )
    del assessed, cust
    # balances: lognormal level per account, daily noise, ~3% of account-days missing
    level = np.exp(rng.normal(10.5, 2.0, m)).astype(np.int64)  # cents
    files = []
    for day in range(1, AS_OF.day + 1):
        d = AS_OF.replace(day=day)
        keep = rng.random(m) > 0.03
        cents = (level[keep] * rng.uniform(0.97, 1.03, int(keep.sum()))).astype(np.int64)
        folder = wh / "balances" / f"as_of_date={d.isoformat()}"
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / "part-0.parquet"
        pq.write_table(pa.table({"account_no": acct.filter(pa.array(keep)), "balance_cents": cents}), path)
        files.append(str(path))
        print(f"  balances {d}: {int(keep.sum()):,} rows", flush=True)
    # transactions: one partition per week over the dormancy window, ~0.3 per account each
    day = AS_OF - dt.timedelta(days=400)
    k = 0
    while day <= AS_OF:
        t = int(m * 0.3)
        secs = rng.integers(0, 7 * 86400, t)
        times = np.datetime64(day.isoformat()) + secs.astype("timedelta64[s]")
        folder = wh / "transactions" / f"business_date={day.isoformat()}"
        folder.mkdir(parents=True, exist_ok=True)
        pq.write_table(
            pa.table(
                {
                    "txn_id": ids(f"T{k}-", 0, t, 1),
                    "account_no": acct.take(rng.integers(0, m, t)),
                    "txn_time": pa.array(times, pa.timestamp("s")),
                    "amount_cents": rng.integers(100, 10_000_00, t),
                    "direction": pa.nulls(t, pa.string()).fill_null("D"),
                    "channel": pa.nulls(t, pa.string()).fill_null("mobile"),
                    "customer_initiated": rng.random(t) < 0.7,
                }
            ),
            folder / "part-0.parquet",
        )
        day += dt.timedelta(days=7)
        k += 1
    print(f"  transactions: {k} weekly partitions of {int(m * 0.3):,} rows", flush=True)
    return files


FLOOR_SQL = """
WITH s AS (
    SELECT a.customer_no, CAST(SUM(b.balance_cents) AS BIGINT) AS total
    FROM read_parquet({files}) b JOIN read_parquet('{accounts}') a USING (account_no)
    WHERE a.category IN ('deposit_demand','deposit_time','wealth','fund','insurance','precious_metal','trust')
    GROUP BY a.customer_no
)
SELECT customer_no, (total * 2 + {days}) // {twodays} AS aum_avg,
    CASE WHEN (total * 2 + {days}) // {twodays} >= 600000000 THEN 'private'
         WHEN (total * 2 + {days}) // {twodays} >= 50000000 THEN 'wealth'
         WHEN (total * 2 + {days}) // {twodays} >= 5000000 THEN 'vip' ELSE 'mass' END AS tier
FROM s
"""


def floor(files: list[str], home: Path) -> pa.Table:
    import duckdb
    from django.conf import settings

    # same memory limit and spill directory as the engine (DuckDBEngine), so the comparison is fair
    tmp = Path(settings.BANKCRM_HOME) / "tmp" / "duckdb"
    tmp.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect(
        config={"memory_limit": str(settings.BANKCRM_METRICS["duckdb_memory_limit"]), "temp_directory": str(tmp)}
    )
    sql = FLOOR_SQL.format(
        files="[" + ",".join(f"'{f}'" for f in files) + "]",
        accounts=home / "warehouse" / "dim" / "accounts.parquet",
        days=AS_OF.day,
        twodays=2 * AS_OF.day,
    )
    out = con.sql(sql).to_arrow_table()
    con.close()
    return out


def with_pandas(files: list[str], home: Path):
    import pandas as pd

    accounts = pd.read_parquet(
        home / "warehouse" / "dim" / "accounts.parquet", columns=["account_no", "customer_no", "category"]
    )
    aum = accounts[
        accounts.category.isin(
            ["deposit_demand", "deposit_time", "wealth", "fund", "insurance", "precious_metal", "trust"]
        )
    ]
    frames = []
    for f in files:
        frames.append(pd.read_parquet(f))
    bal = pd.concat(frames, ignore_index=True).merge(aum, on="account_no")
    total = bal.groupby("customer_no")["balance_cents"].sum()
    avg = (total * 2 + AS_OF.day) // (2 * AS_OF.day)
    tier = pd.cut(
        avg,
        [-np.inf, 5_000_000, 50_000_000, 600_000_000, np.inf],
        right=False,
        labels=["mass", "vip", "wealth", "private"],
    )
    return pd.DataFrame({"aum_avg": avg, "tier": tier})


CPU = {}


def timed(fn, *args, repeat: int = 1):
    """Best wall time of ``repeat`` runs; the process CPU time of that run goes to CPU[fn.__name__]
    (all DuckDB threads included) — the fairer figure on a shared machine."""
    best = None
    for _ in range(repeat):
        t, c = time.perf_counter(), time.process_time()
        result = fn(*args)
        elapsed, cpu = time.perf_counter() - t, time.process_time() - c
        if best is None or elapsed < best:
            best, CPU[fn.__name__] = elapsed, cpu
    return best, result


class SpillWatch:
    """Samples the size of DuckDB's temp_directory every 0.5 s in a thread: the peak spill."""

    def __init__(self, folder: Path):
        import threading

        self.folder, self.peak, self._stop = folder, 0, threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self):
        while not self._stop.wait(0.5):
            size = 0
            for p in self.folder.rglob("*"):
                with contextlib.suppress(OSError):  # DuckDB may delete it meanwhile
                    size += p.stat().st_size
            self.peak = max(self.peak, size)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()


def agree(snap_path: Path, fl: pa.Table) -> None:
    """The floor's aum_avg equals the engine's for every customer the floor returns (checked in DuckDB:
    two 10M-entry Python dicts would cost more than the floor query)."""
    import duckdb

    con = duckdb.connect()
    con.register("fl", fl)
    [(bad, n)] = con.sql(
        f"SELECT count(*) FILTER (WHERE e.aum_avg IS DISTINCT FROM fl.aum_avg), count(*) "
        f"FROM fl LEFT JOIN read_parquet('{snap_path}') e USING (customer_no)"
    ).fetchall()
    con.close()
    assert bad == 0, f"engine and floor disagree on {bad:,} of {n:,} customers"


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--customers", type=int, default=100_000)
    ap.add_argument("--repeat", type=int, default=2)
    ap.add_argument("--persist", action="store_true", help="also time writing warehouse + database + lists")
    ap.add_argument("--keep", type=Path, help="use this BANKCRM_HOME and keep it (reused when it holds data)")
    ap.add_argument("--skip-pandas", action="store_true", help="large N: pandas needs ~60 bytes per balance row")
    ap.add_argument(
        "--step",
        choices=["all", "generate", "engine", "floor", "persist"],
        default="all",
        help="large N: run one step per process (with --keep) so each gets its own peak RSS",
    )
    args = ap.parse_args()
    home = args.keep or Path(tempfile.mkdtemp(prefix="bankcrm-bench-"))
    os.environ["BANKCRM_HOME"] = str(home)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bankcrm.settings")
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
    import django

    django.setup()
    from django.conf import settings

    from bankcrm.analytics.engines import DuckDBEngine
    from bankcrm.analytics.snapshots import compute_snapshot

    print(f"DuckDB memory_limit {settings.BANKCRM_METRICS['duckdb_memory_limit']}, temp_directory under {home}/tmp")
    raw = home / "bench-engine-output.parquet"  # the engine's full output, for the floor and persist steps
    t = time.perf_counter()
    if args.keep and (home / "warehouse" / "dim" / "customers.parquet").exists():
        files = sorted(str(p) for p in (home / "warehouse" / "balances").glob("*/*.parquet"))
        print(f"reusing the data under {home}")
    else:
        files = generate(home, args.customers)
        print(f"generated {args.customers:,} customers in {time.perf_counter() - t:.1f}s under {home}")
    rows = sum(pq.ParquetFile(f).metadata.num_rows for f in files)
    print(f"balance rows in the month: {rows:,}")
    if args.step == "generate":
        return

    def engine_run():
        eng = DuckDBEngine()
        try:
            return compute_snapshot(AS_OF, eng)
        finally:
            eng.close()

    snap = None
    if args.step in ("all", "engine"):
        with SpillWatch(home / "tmp" / "duckdb") as spill:
            t_engine, snap = timed(engine_run, repeat=args.repeat)
        print(f"engine (full snapshot, {snap.num_rows:,} rows): {t_engine:.2f}s  cpu {CPU['engine_run']:.2f}s")
        print(f"  peak DuckDB spill (temp_directory): {spill.peak / 2**30:.2f} GiB")
        pq.write_table(snap, raw)
    if args.step in ("all", "floor"):
        with SpillWatch(home / "tmp" / "duckdb") as spill:
            t_floor, fl = timed(floor, files, home, repeat=args.repeat)
        print(f"floor  (DuckDB aum_avg + tier only):            {t_floor:.2f}s  cpu {CPU['floor']:.2f}s")
        print(f"  peak DuckDB spill (temp_directory): {spill.peak / 2**30:.2f} GiB")
        agree(raw, fl)
        print("engine and floor agree on aum_avg for every customer")
        del fl
    if args.step == "all":
        t_pandas, pdf = (None, None) if args.skip_pandas else timed(with_pandas, files, home, repeat=1)
        if pdf is not None:
            eng_avg = dict(zip(snap.column("customer_no").to_pylist(), snap.column("aum_avg").to_pylist(), strict=True))
            assert all(eng_avg[c] == int(v) for c, v in pdf["aum_avg"].items()), "engine and pandas disagree"
            print(f"pandas (aum_avg + tier only):                   {t_pandas:.2f}s  cpu {CPU['with_pandas']:.2f}s")
        print(
            f"engine / floor  = {t_engine / t_floor:.2f}x wall, {CPU['engine_run'] / CPU['floor']:.2f}x cpu"
            "  (goal <= 2x)"
        )
        if t_pandas is not None:
            print(
                f"pandas / engine = {t_pandas / t_engine:.1f}x wall, {CPU['with_pandas'] / CPU['engine_run']:.1f}x cpu"
                "  (goal >= 10x)"
            )
    if (args.step == "all" and args.persist) or args.step == "persist":
        from django.core.management import call_command

        from bankcrm.analytics.snapshots import store_snapshot, write_warehouse_snapshot

        if snap is None:
            snap = pq.read_table(raw)
        call_command("migrate", verbosity=0)
        t = time.perf_counter()
        write_warehouse_snapshot(snap, AS_OF)
        t_wh = time.perf_counter() - t
        t = time.perf_counter()
        n = store_snapshot(snap, AS_OF)
        t_db = time.perf_counter() - t
        print(f"persist: warehouse {t_wh:.2f}s, database + lists {t_db:.2f}s ({n:,} CustomerMonth rows)")


if __name__ == "__main__":
    main()
