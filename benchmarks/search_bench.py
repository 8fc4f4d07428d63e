"""Customer search benchmark: each kind of term spec/api.md names, at 1M customers, in-process.

    python benchmarks/search_bench.py [--customers 1000000] [--home DIR] [--repeat 200]

Builds (once, reusable with --home) a throw-away BANKCRM_HOME holding only branches, staff and
customers (names, mobiles and search keys written in bulk as the import writes them), then runs
the search exactly as ``GET /api/customers/?q=`` does — the shared FilterSet, a count and one page
of 20 in name order — for each kind of term, and prints p50 / p95 in ms and SQLite's query plan
(every branch must be an index SEARCH, never a SCAN of the customer table). The full-stack load
test (gunicorn, wrk) is benchmarks/web_bench.py; this one isolates what the search terms cost.
Set BANKCRM_DATABASE_URL to run it on PostgreSQL. Nothing outside this machine is contacted.
"""

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SRC = ROOT / "src"
sys.path.insert(0, str(Path(__file__).resolve().parent))

from web_bench import GIVEN, SURNAMES, customer_no, phone  # noqa: E402


def build(n: int, seed: int) -> None:
    import datetime as dt

    from django.db import connection, transaction

    from bankcrm.customers.models import Customer
    from bankcrm.customers.search_keys import search_keys
    from bankcrm.org.models import Branch, Staff

    rnd = random.Random(seed)
    Branch.objects.bulk_create([Branch(code="H001", name="总行")])
    Staff.objects.bulk_create([Staff(staff_no="S00001", name="经理", branch_id="H001", role="rm")])
    columns = ["customer_no", "name", "id_type", "id_number", "gender", "phone", "address", "occupation",
               "branch_id", "rm_id", "onboard_date", "status", "name_pinyin", "name_initials", "phone_last4",
               "created", "last_updated"]  # fmt: skip
    quote = connection.ops.quote_name
    sql = (
        f"INSERT INTO {quote(Customer._meta.db_table)} ({', '.join(quote(c) for c in columns)}) "
        f"VALUES ({', '.join(['%s'] * len(columns))})"
    )
    now = connection.ops.adapt_datetimefield_value(dt.datetime.now(dt.UTC))
    onboard = connection.ops.adapt_datefield_value(dt.date(2020, 1, 1))
    t0 = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        for start in range(0, n, 20_000):
            rows = []
            for i in range(start, min(n, start + 20_000)):
                name = rnd.choice(SURNAMES) + rnd.choice(GIVEN) + rnd.choice(GIVEN)
                keys = search_keys(name, phone(i))
                id_number = f"110101{1950 + i % 50:04d}0101{i % 10000:04d}"[:17] + "X"
                rows.append([customer_no(i), name, "ID_CARD", id_number, "", phone(i), "", "", "H001", "S00001",
                             onboard, "active", keys["name_pinyin"], keys["name_initials"], keys["phone_last4"],
                             now, now])  # fmt: skip
            cursor.executemany(sql, rows)
            print(f"  customers {min(n, start + 20_000):,}/{n:,} ({time.perf_counter() - t0:.0f} s)", end="\r")
    print()
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    else:
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {quote(Customer._meta.db_table)}")


def terms(n: int, rnd: random.Random) -> dict[str, callable]:
    from pypinyin import Style, lazy_pinyin

    def pinyin_of(chars: str, style) -> str:
        return "".join(lazy_pinyin(chars, style=style))

    return {
        # today's kinds (the baseline: they must not get slower)
        "mobile (exact)": lambda: phone(rnd.randrange(n)),
        "customer no. (exact)": lambda: customer_no(rnd.randrange(n)),
        "name prefix 王伟": lambda: rnd.choice(SURNAMES) + "伟",
        "surname 王": lambda: rnd.choice(SURNAMES),
        # issue 14's kinds
        "last 4 digits": lambda: phone(rnd.randrange(n))[-4:],
        "customer no. prefix (7 chars)": lambda: customer_no(rnd.randrange(n))[:7],
        "pinyin initials (3)": lambda: pinyin_of(
            rnd.choice(SURNAMES) + rnd.choice(GIVEN) + rnd.choice(GIVEN), Style.FIRST_LETTER
        ),
        "pinyin initials (2)": lambda: pinyin_of(rnd.choice(SURNAMES) + rnd.choice(GIVEN), Style.FIRST_LETTER),
        "one letter (no pinyin search)": lambda: rnd.choice("wlzcy"),
        "full pinyin (surname + given)": lambda: pinyin_of(rnd.choice(SURNAMES) + rnd.choice(GIVEN), Style.NORMAL),
    }


def run_search(term: str) -> int:
    from django.core.paginator import Paginator

    from bankcrm.customer_search import CustomerFilterSet
    from bankcrm.customers.models import Customer

    qs = CustomerFilterSet({"q": term}, queryset=Customer.objects.all()).qs
    page = Paginator(qs, 20).get_page(1)
    return len(list(page.object_list)) + page.paginator.count * 0


def plan(term: str) -> list[str]:
    from django.db import connection

    from bankcrm.customer_search import CustomerFilterSet
    from bankcrm.customers.models import Customer

    qs = CustomerFilterSet({"q": term}, queryset=Customer.objects.all()).qs[:20]
    sql, params = qs.query.sql_with_params()
    prefix = "EXPLAIN QUERY PLAN " if connection.vendor == "sqlite" else "EXPLAIN "
    with connection.cursor() as cursor:
        cursor.execute(prefix + sql, params)
        return [" ".join(str(c) for c in row) for row in cursor.fetchall()]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--customers", type=int, default=1_000_000)
    parser.add_argument("--home")
    parser.add_argument("--repeat", type=int, default=200)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    home = Path(args.home) if args.home else Path(tempfile.mkdtemp(prefix="bankcrm-searchbench-"))
    home.mkdir(parents=True, exist_ok=True)
    os.environ.update({"BANKCRM_HOME": str(home), "DJANGO_SETTINGS_MODULE": "bankcrm.settings"})
    sys.path.insert(0, str(SRC))
    import django

    django.setup()
    from django.core.management import call_command

    from bankcrm.customers.models import Customer

    call_command("migrate", interactive=False, verbosity=0)
    if not Customer.objects.exists():
        print(f"building {args.customers:,} customers in {home}")
        build(args.customers, args.seed)
    n = Customer.objects.count()
    rnd = random.Random(args.seed)
    print(f"{n:,} customers; {args.repeat} searches per kind (count + first page of 20)\n")
    print("| term | p50 ms | p95 ms | matches (example) | plan |")
    print("|---|---|---|---|---|")
    for label, make in terms(n, rnd).items():
        times = []
        for _ in range(args.repeat):
            term = make()
            t = time.perf_counter()
            run_search(term)
            times.append((time.perf_counter() - t) * 1000)
        example = make()
        from bankcrm.customer_search import CustomerFilterSet

        count = CustomerFilterSet({"q": example}, queryset=Customer.objects.all()).qs.count()
        steps = plan(example)
        scans = [s for s in steps if " SCAN " in f" {s} " and "USING" not in s and "Seq Scan" not in s]
        seq = any("Seq Scan" in s for s in steps) or any(s.split()[-1:] == ["bankcrm_customer"] for s in scans)
        p95 = statistics.quantiles(times, n=20)[-1]
        print(f"| {label} (`{example}`) | {statistics.median(times):.2f} | {p95:.2f} | {count:,} | "
              f"{'full scan!' if seq else 'index only'} |")  # fmt: skip
    print()
    for label, make in [("pinyin initials", lambda: "wfm"), ("last 4", lambda: "4321")]:
        print(label, *plan(make()), sep="\n  ")


if __name__ == "__main__":
    main()
