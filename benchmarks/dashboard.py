"""How the dashboard's database aggregation scales: N customers × 2 months of snapshots.

    PYTHONPATH=src python benchmarks/dashboard.py [--customers 1000000] [--database-url postgres://…]

Prints seconds per scope (head office, a branch manager, an rm) and the ratio to one plain
COUNT(*) over the month's rows — the dashboard should stay a small multiple of that scan.
"""

import argparse
import os
import random
import sys
import tempfile
import time


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--customers", type=int, default=200_000)
    parser.add_argument("--branches", type=int, default=50)
    parser.add_argument("--database-url", default="")
    args = parser.parse_args()
    os.environ.setdefault("BANKCRM_HOME", tempfile.mkdtemp(prefix="bankcrm-bench-"))
    if args.database_url:
        os.environ["BANKCRM_DATABASE_URL"] = args.database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bankcrm.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection, transaction

    from bankcrm.analytics.views import dashboard_figures
    from bankcrm.customers.models import CustomerMonth
    from bankcrm.org.models import Branch, Staff
    from bankcrm.org.services import add_user

    call_command("migrate", verbosity=0)
    CustomerMonth.objects.all().delete()
    head = Branch.objects.get_or_create(code="H000", defaults={"name": "head"})[0]
    branches = [
        Branch.objects.get_or_create(code=f"B{i:03d}", defaults={"name": f"b{i}", "parent": head})[0]
        for i in range(args.branches)
    ]
    staff = [
        Staff.objects.get_or_create(
            staff_no=f"S{i:05d}", defaults={"name": "rm", "branch": branches[i % len(branches)], "role": "rm"}
        )[0]
        for i in range(args.branches * 10)
    ]
    rng = random.Random(1)
    tiers = ["mass"] * 80 + ["vip"] * 15 + ["wealth"] * 4 + ["private"]
    start = time.perf_counter()
    table = CustomerMonth._meta.db_table
    columns = (
        "month, as_of, customer_id, branch_code, rm_staff_no, days, aum_avg, aum_end, deposit_avg, loan_end, tier,"
        " prev_tier, migration, categories_held, cross_sell_qualified, dormant, dormant_potential, edge, downgraded,"
        " maturing, kyc_expiring"
    )
    placeholders = ", ".join(["%s"] * 21)
    with transaction.atomic(), connection.cursor() as cursor:
        for month, as_of in (("2025-12", "2025-12-31"), ("2026-02", "2026-02-28")):
            batch = []
            for n in range(args.customers):
                rm = staff[n % len(staff)]
                tier = rng.choice(tiers)
                batch.append(
                    (
                        month,
                        as_of,
                        f"C{n:08d}",
                        rm.branch_id,
                        rm.staff_no,
                        28,
                        "1000.00",
                        "1000.00",
                        "1000.00",
                        "0.00",
                        tier,
                        rng.choice(tiers),
                        rng.choice(["up", "down", "same", "new"]),
                        2,
                        rng.random() < 0.3,
                        rng.random() < 0.1,
                        rng.random() < 0.03,
                        False,
                        False,
                        False,
                        False,
                    )
                )
                if len(batch) == 20_000:
                    cursor.executemany(f"INSERT INTO {table} ({columns}) VALUES ({placeholders})", batch)
                    batch = []
            if batch:
                cursor.executemany(f"INSERT INTO {table} ({columns}) VALUES ({placeholders})", batch)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {table}")
    print(f"loaded {2 * args.customers:,} snapshot rows in {time.perf_counter() - start:.1f}s ({connection.vendor})")

    users = {
        "head_office": add_user("bench-ho", role="head_office", password="x-bench-1"),
        "branch_manager": add_user("bench-bm", role="branch_manager", password="x-bench-1", branch_code="B001"),
        "rm": add_user("bench-rm", role="rm", password="x-bench-1", staff_no="S00001"),
    }
    start = time.perf_counter()
    CustomerMonth.objects.filter(month="2026-02").count()
    scan = time.perf_counter() - start
    print(f"reference COUNT(*) of one month: {scan:.3f}s")
    for name, user in users.items():
        start = time.perf_counter()
        figures = dashboard_figures(user)
        took = time.perf_counter() - start
        print(f"{name:15s} {figures['totals']['customers']:>10,} customers  {took:.3f}s  ratio {took / scan:.1f}×")


if __name__ == "__main__":
    sys.exit(main())
