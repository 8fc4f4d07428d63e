"""Import speed of one day's balance file against the floor of a bare DuckDB CSV -> Parquet copy.

    python benchmarks/import_bench.py [--customers 1000000] [--accounts-per-customer 3] [--keep DIR]
    python benchmarks/import_bench.py --dimension [--customers 200000]   # a customers file instead
    python benchmarks/import_bench.py --loans [--customers 1000000] --accounts-per-customer 1   # loans files

Set-up (not timed): a throw-away BANKCRM_HOME with a SQLite database (or $BANKCRM_DATABASE_URL)
holding N customers and N*3 accounts, and a balance file for them written with numpy. Timed: the
real ``import_delivery`` path (sha256, control-file lookup, DuckDB validation incl. the join against
every known account_no, partition swap, run records, quality recompute) — once with a cold copy of
the account keys (read from the database, as on the first fact file after an accounts import) and
then warm for the next days' files (--steady, default 5; the median ratio is the figure). The floor is
``COPY (SELECT * FROM read_csv(file)) TO x.parquet`` of the same file, timed just before and after
each import (the machine may be shared).
"""

import argparse
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

import numpy as np


def write_balance_file(path: Path, day: str, account_nos: np.ndarray, seed: int) -> int:
    rng = np.random.default_rng(seed)
    cents = rng.integers(-50_000, 20_000_000, account_nos.size)
    units = (np.abs(cents) // 100).astype(str)
    frac = np.char.zfill((np.abs(cents) % 100).astype(str), 2)
    amounts = np.char.add(np.char.add(np.where(cents < 0, "-", ""), units), np.char.add(".", frac))
    with path.open("w", encoding="utf-8") as fh:
        fh.write("as_of_date,account_no,balance\n")
        step = 500_000
        for start in range(0, account_nos.size, step):
            chunk = zip(account_nos[start : start + step], amounts[start : start + step], strict=True)
            fh.write("".join(f"{day},{a},{b}\n" for a, b in chunk))
    return int(account_nos.size)


FIVE_CLASSES = np.array(["normal", "special_mention", "substandard", "doubtful", "loss"])


def write_loans_file(path: Path, day: str, account_nos: np.ndarray, seed: int) -> int:
    """A loans file (spec/loans.md): most loans current, a tail overdue, classes roughly matching."""
    rng = np.random.default_rng(seed)
    n = account_nos.size
    principal = rng.integers(100_000, 200_000_000, n)
    days = np.where(rng.random(n) < 0.9, 0, rng.integers(1, 500, n))
    overdue = np.where(days > 0, principal // 10, 0)
    interest = np.where(days > 0, principal // 200, 0)
    klass = FIVE_CLASSES[np.searchsorted([1, 91, 271, 361], days, side="right")]

    def money(c):
        return np.char.add(np.char.add((c // 100).astype(str), "."), np.char.zfill((c % 100).astype(str), 2))

    cols = [money(principal), money(overdue), money(interest), days.astype(str), klass]
    with path.open("w", encoding="utf-8") as fh:
        fh.write("as_of_date,account_no,principal,overdue_principal,overdue_interest,overdue_days,five_class\n")
        step = 500_000
        for start in range(0, n, step):
            part = [c[start : start + step] for c in cols]
            fh.write(
                "".join(
                    f"{day},{a},{p},{o},{i},{d},{k}\n"
                    for a, p, o, i, d, k in zip(account_nos[start : start + step], *part, strict=True)
                )
            )
    return int(n)


def dimension_bench(home: Path, n: int, import_delivery) -> None:
    """A customers file of n valid customers (unique GB 11643 ID numbers) after branches and staff."""
    from stdnum.cn import ric

    folder = home / "delivery-customers"
    folder.mkdir(exist_ok=True)
    (folder / "branches_20261031.csv").write_text(
        "branch_code,name,parent_code,city\nH001,总行,,北京\nB001,支行,H001,北京\n"
    )
    staff = "".join(f"S{i:03d},王,B001,rm,active\n" for i in range(100))
    (folder / "staff_20261031.csv").write_text("staff_no,name,branch_code,role,status\n" + staff)
    with (folder / "customers_20261031.csv").open("w", encoding="utf-8") as fh:
        fh.write(
            "customer_no,name,id_type,id_number,gender,birth_date,phone,address,occupation,"
            "branch_code,rm_staff_no,onboard_date,status,marketing_consent\n"
        )
        for i in range(n):
            j = i // 1000
            y, m, d = 1950 + j % 50, 1 + (j // 50) % 12, 1 + (j // 600) % 28
            body = f"110105{y}{m:02d}{d:02d}{i % 1000:03d}"
            id_number = body + ric.calc_check_digit(body + "0")
            gender = "M" if i % 2 else "F"
            fh.write(
                f"C{i:09d},张三,ID_CARD,{id_number},{gender},{y}-{m:02d}-{d:02d},138{i % 100000000:08d},"
                f"北京市东城区某街{i}号,教师,B001,S{i % 100:03d},2020-01-01,active,Y\n"
            )
    t = time.perf_counter()
    report = import_delivery(folder)
    elapsed = time.perf_counter() - t
    entry = report["files"][-1]
    assert entry["rows_loaded"] == n, entry
    print(
        f"customers file: {n:,} rows imported in {elapsed:.1f}s ({n / elapsed:,.0f} rows/s), "
        f"{report['quality_findings']} quality findings"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--customers", type=int, default=1_000_000)
    parser.add_argument("--accounts-per-customer", type=int, default=3)
    parser.add_argument("--keep", type=Path, help="use this folder as BANKCRM_HOME and keep it")
    parser.add_argument("--dimension", action="store_true", help="time a customers file (row-by-row path)")
    parser.add_argument("--loans", action="store_true", help="time loans files (every account a loan) instead")
    parser.add_argument("--steady", type=int, default=5, choices=range(1, 6), help="steady-state imports (1-5)")
    args = parser.parse_args()

    home = args.keep or Path(tempfile.mkdtemp(prefix="bankcrm-import-bench-"))
    os.environ["BANKCRM_HOME"] = str(home)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bankcrm.settings")
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
    import django

    django.setup()
    import duckdb
    from django.core.management import call_command
    from django.db import connection, transaction

    from bankcrm.ingest.services import import_delivery

    call_command("migrate", interactive=False, verbosity=0)
    if args.dimension:
        dimension_bench(home, args.customers, import_delivery)
        if args.keep is None:
            shutil.rmtree(home, ignore_errors=True)
        return
    n_customers = args.customers
    n_accounts = n_customers * args.accounts_per_customer
    print(f"set-up: {n_customers:,} customers, {n_accounts:,} accounts in {connection.vendor} (not timed) …")
    t0 = time.perf_counter()
    customer_nos = np.char.add("C", np.char.zfill(np.arange(n_customers).astype(str), 9))
    account_nos = np.char.add("62", np.char.zfill(np.arange(n_accounts).astype(str), 14))
    with transaction.atomic(), connection.cursor() as cur:
        cur.execute("INSERT INTO org_branch (code, name, city, parent_id) VALUES ('B001', 'bench', '', NULL)")
        category = "loan" if args.loans else "deposit_demand"
        cur.execute(
            "INSERT INTO customers_product (code, name, category, risk_level) "
            f"VALUES ('DD01', 'bench', '{category}', '')"
        )
        cur.execute(
            "INSERT INTO org_staff (staff_no, name, branch_id, role, status) "
            "VALUES ('S001', 'bench', 'B001', 'rm', 'active')"
        )
        step = 100_000
        for start in range(0, n_customers, step):
            cur.executemany(
                "INSERT INTO customers_customer (customer_no, name, id_type, id_number, gender, phone, address, "
                "occupation, branch_id, rm_id, onboard_date, status) VALUES (%s, 'x', 'PASSPORT', %s, '', '', '', '', "
                "'B001', 'S001', '2020-01-01', 'active')",
                [(c, c) for c in customer_nos[start : start + step].tolist()],
            )
        owners = np.repeat(customer_nos, args.accounts_per_customer)
        for start in range(0, n_accounts, step):
            cur.executemany(
                "INSERT INTO customers_account (account_no, customer_id, product_id, open_date, status) "
                "VALUES (%s, %s, 'DD01', '2020-01-01', 'active')",
                list(
                    zip(account_nos[start : start + step].tolist(), owners[start : start + step].tolist(), strict=True)
                ),
            )
    print(f"  database ready in {time.perf_counter() - t0:.0f}s")

    days = ["20261031", "20261101", "20261102", "20261103", "20261104", "20261105"][: 1 + args.steady]
    deliveries = []
    for day in days:
        folder = home / f"delivery-{day}"
        folder.mkdir(exist_ok=True)
        table, write = ("loans", write_loans_file) if args.loans else ("balances", write_balance_file)
        path = folder / f"{table}_{day}.csv"
        rows = write(path, f"{day[:4]}-{day[4:6]}-{day[6:]}", account_nos, seed=int(day))
        deliveries.append((folder, path, rows))
    size_mb = deliveries[0][1].stat().st_size / 1e6
    print(f"{deliveries[0][1].name.split('_')[0]} file: {deliveries[0][2]:,} rows, {size_mb:.0f} MB")

    con = duckdb.connect()

    def floor_of(path: Path) -> float:
        t = time.perf_counter()
        con.execute(f"COPY (SELECT * FROM read_csv('{path}')) TO '{home / 'floor.parquet'}' (FORMAT parquet)")
        return time.perf_counter() - t

    # The machine is shared: the floor is measured right before and after each import of the same
    # file, and each import is compared with the mean of its two floors.
    results = []
    floor_of(deliveries[0][1])  # warm the page cache and DuckDB
    for i, (folder, path, rows) in enumerate(deliveries):
        before = floor_of(path)
        t = time.perf_counter()
        report = import_delivery(folder)
        elapsed = time.perf_counter() - t
        after = floor_of(path)
        entry = report["files"][0]
        assert entry["status"] == "imported" and entry["rows_loaded"] == rows, entry
        label = "first after set-up" if i == 0 else "steady state"
        results.append((label, elapsed, rows, (before + after) / 2, os.getloadavg()[0]))

    print(
        "\n'first after set-up' reads every account_no from the database and computes the quality findings of all"
        "\ncustomers (as after a night that also loaded customers/accounts); 'steady state' is a balances-only night."
    )
    for label, elapsed, rows, floor, load in results:
        print(
            f"bankcrm import ({label}): {elapsed:.2f}s  {rows / elapsed:,.0f} rows/s  floor {floor:.2f}s "
            f"({rows / floor:,.0f} rows/s)  ratio {elapsed / floor:.2f}x floor  (load average {load:.1f})"
        )
    steady = sorted(elapsed / floor for label, elapsed, _rows, floor, _load in results if label == "steady state")
    if steady:
        print(f"steady state: median ratio {steady[len(steady) // 2]:.2f}x floor over {len(steady)} imports")
    if args.keep is None:
        shutil.rmtree(home, ignore_errors=True)


if __name__ == "__main__":
    main()
