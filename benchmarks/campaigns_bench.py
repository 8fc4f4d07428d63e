"""Campaign benchmark: audience + exclusions + control group, and POST /api/sales/ under load.

    python benchmarks/campaigns_bench.py [--customers 1000000] [--duration 15] [--connections 4] [--home DIR]

Builds a bank like benchmarks/web_bench.py (customers, accounts, one snapshot month, one balances
day) plus what campaigns read: marketing consent (90 % Y), a KYC per customer (mostly C3, some C1,
some expired), open complaints (1 %), and a fund rated R3. Then:

1. ``services.evaluate`` of a campaign on vip + wealth customers (audience, the four exclusion
   reasons in order, the sha256 control rule) against a hand-written DuckDB query over the same
   snapshot and dimensions as Parquet, computing the same counts (checked equal). Goal (issue 11):
   bankcrm ≤ 2 × the hand-written query.
2. ``POST /api/sales/`` (suitability check + store) under ``bankcrm serve`` with a lobby login,
   p50/p95 and the ratio to GET /healthz/ as the web bench prints it. Goal: p95 ≤ 100 ms.

Only 127.0.0.1 is contacted; each load run stops after --duration seconds.
"""

import argparse
import datetime as dt
import http.client
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SRC = ROOT / "src"
sys.path.insert(0, str(ROOT / "benchmarks"))
AS_OF = dt.date(2026, 10, 31)
START = dt.date(2026, 11, 2)


def add_campaign_data(n: int) -> None:
    from django.db import connection, transaction

    from bankcrm.customers.models import Product

    Product.objects.get_or_create(
        code="FD03", defaults={"name": "平衡基金", "category": "fund", "risk_level": "R3", "fee_rate": "0.015"}
    )
    with transaction.atomic(), connection.cursor() as cursor:
        # consent: 9 in 10 (customer_no ends in 0: no)
        cursor.execute("UPDATE customers_customer SET marketing_consent = (substr(customer_no, -1) <> '0')")
        rows = []
        sql = (
            "INSERT INTO customers_kycassessment (customer_id, assessed_date, risk_level, expires_date, channel, "
            "created, last_updated) VALUES (%s, %s, %s, %s, 'branch', NULL, NULL)"
        )
        for i in range(n):
            level = "C1" if i % 20 == 1 else "C3"
            expires = dt.date(2026, 6, 1) if i % 33 == 2 else dt.date(2027, 6, 1)
            rows.append((f"C{i:07d}", dt.date(2025, 6, 1), level, expires))
            if len(rows) == 20_000:
                cursor.executemany(sql, rows)
                rows = []
        if rows:
            cursor.executemany(sql, rows)
    # 1 % open complaints, registered the normal way would take minutes: inserted in bulk
    from bankcrm.complaints.models import Complaint

    now = dt.datetime(2026, 10, 20, 10, 0, tzinfo=dt.UTC)
    Complaint.objects.bulk_create(
        [
            Complaint(
                reference=f"CP-20261020-{k:06d}",
                received_at=now,
                customer_id=f"C{i:07d}",
                branch_id="B000",
                channel="phone",
                category="other",
                description="bench",
            )
            for k, i in enumerate(range(3, n, 100))
        ],
        batch_size=5000,
    )


def write_parquet(folder: Path) -> dict[str, str]:
    """The snapshot and the dimensions the hand-written query reads, as Parquet."""
    import pyarrow as pa
    import pyarrow.parquet as pq
    from django.db import connection

    folder.mkdir(parents=True, exist_ok=True)
    queries = {
        "snapshot": "SELECT customer_id AS customer_no, tier, aum_avg FROM analytics_customermonth WHERE as_of = %s",
        "customers": (
            "SELECT c.customer_no, c.status, c.marketing_consent, c.branch_id, c.rm_id, s.status AS rm_status "
            "FROM customers_customer c LEFT JOIN org_staff s ON s.staff_no = c.rm_id"
        ),
        "kyc": (
            "SELECT customer_id AS customer_no, assessed_date, risk_level, expires_date FROM customers_kycassessment"
        ),
        "complaints": "SELECT DISTINCT customer_id AS customer_no FROM complaints_complaint WHERE status <> 'closed'",
    }
    paths = {}
    with connection.cursor() as cursor:
        for name, sql in queries.items():
            cursor.execute(sql, [AS_OF] if "%s" in sql else [])
            cols = [c[0] for c in cursor.description]
            rows = cursor.fetchall()
            table = pa.table({c: [r[k] for r in rows] for k, c in enumerate(cols)})
            if name == "snapshot":
                table = table.set_column(2, "aum_avg", pa.array([str(v) for v in table["aum_avg"].to_pylist()]))
            path = folder / f"{name}.parquet"
            pq.write_table(table, path)
            paths[name] = str(path)
    return paths


REFERENCE_SQL = """
WITH aud AS (
    SELECT s.customer_no, c.marketing_consent, c.branch_id
    FROM read_parquet('{snapshot}') s JOIN read_parquet('{customers}') c USING (customer_no)
    WHERE c.status = 'active' AND s.tier IN ('vip', 'wealth')
),
kyc AS (
    SELECT customer_no, arg_max(risk_level, assessed_date) AS level, arg_max(expires_date, assessed_date) AS expires
    FROM read_parquet('{kyc}') WHERE assessed_date <= DATE '{start}' GROUP BY customer_no
),
graded AS (
    SELECT a.customer_no,
        CASE
            WHEN a.marketing_consent IS NOT TRUE THEN 'no_consent'
            WHEN o.customer_no IS NOT NULL THEN 'complaint_open'
            WHEN k.customer_no IS NULL OR k.expires <= DATE '{start}' OR CAST(substr(k.level, 2) AS INT) < 3
                THEN 'suitability'
        END AS reason,
        CAST(('0x' || substr(sha256('{code}:' || a.customer_no), 1, 8)) AS BIGINT) % 10000 < {threshold}
            AS is_control
    FROM aud a
    LEFT JOIN read_parquet('{complaints}') o USING (customer_no)
    LEFT JOIN kyc k USING (customer_no)
)
SELECT count(*) AS audience,
    count(*) FILTER (WHERE reason = 'no_consent') AS no_consent,
    count(*) FILTER (WHERE reason = 'complaint_open') AS complaint_open,
    count(*) FILTER (WHERE reason = 'suitability') AS suitability,
    count(*) FILTER (WHERE reason IS NULL AND NOT is_control) AS target,
    count(*) FILTER (WHERE reason IS NULL AND is_control) AS control
FROM graded
"""


def bench_evaluate(paths: dict, repeats: int) -> dict:
    import duckdb
    from django.contrib.auth import get_user_model

    from bankcrm.campaigns import services
    from bankcrm.campaigns.models import Campaign

    user, _ = get_user_model().objects.get_or_create(username="bench-mkt")
    campaign = Campaign.objects.filter(code="BENCH").first() or services.create_campaign(
        {
            "code": "BENCH",
            "name": "bench",
            "products": ["FD03"],
            "start_date": START.isoformat(),
            "end_date": "2026-11-30",
            "channel": "phone",
            "control_pct": 10,
            "audience": {"as_of": AS_OF.isoformat(), "tiers": ["vip", "wealth"]},
        },
        user=user,
    )
    ours, ref = [], []
    for _ in range(repeats):
        t = time.perf_counter()
        ev = services.evaluate(campaign)
        ours.append(time.perf_counter() - t)
        con = duckdb.connect()
        t = time.perf_counter()
        row = con.execute(
            REFERENCE_SQL.format(**paths, start=START.isoformat(), code="BENCH", threshold=1000)
        ).fetchone()
        ref.append(time.perf_counter() - t)
        con.close()
    got = ev.excluded_by_reason()
    mine = (ev.audience, got["no_consent"], got["complaint_open"], got["suitability"], ev.targets, ev.controls)
    assert got["contact_cap"] == 0
    assert mine == tuple(row), f"bankcrm {mine} != reference {tuple(row)}"
    names = ("audience", "no_consent", "complaint_open", "suitability", "target", "control")
    return {"bankcrm_s": min(ours), "reference_s": min(ref), "counts": dict(zip(names, mine, strict=True))}


def load(base: str, method: str, path: str, token: str, body_for, duration: int, connections: int) -> dict:
    host, port = base.split("//")[1].split(":")
    latencies, errors, stop = [], [0], time.monotonic() + duration

    def worker(seed):
        rnd = random.Random(seed)
        conn = http.client.HTTPConnection(host, int(port), timeout=5)
        while time.monotonic() < stop:
            body = body_for(rnd) if body_for else None
            headers = {"Authorization": f"Token {token}", "Content-Type": "application/json"}
            t = time.perf_counter()
            try:
                conn.request(method, path, body=json.dumps(body) if body else None, headers=headers)
                response = conn.getresponse()
                response.read()
                ok = response.status in (200, 201, 409)
            except OSError:
                ok = False
                conn = http.client.HTTPConnection(host, int(port), timeout=5)
            latencies.append(time.perf_counter() - t)
            errors[0] += not ok

    threads = [threading.Thread(target=worker, args=(s,)) for s in range(connections)]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - started
    latencies.sort()

    def pct(p):
        return latencies[min(len(latencies) - 1, int(p * len(latencies)))] * 1000

    return {
        "requests": len(latencies),
        "rps": len(latencies) / elapsed,
        "p50_ms": pct(0.5),
        "p95_ms": pct(0.95),
        "errors": errors[0],
    }


def bench_sales(home: Path, env: dict, n: int, port: int, duration: int, connections: int) -> dict:
    from django.db import connection

    from bankcrm.org.services import add_user, issue_token

    add_user("bench-lobby", role="lobby", password="bench-password-1", branch_code="B000")
    token = issue_token("bench-lobby")
    # customers of branch B000 (the lobby's scope)
    with connection.cursor() as cursor:
        cursor.execute("SELECT customer_no FROM customers_customer WHERE branch_id = 'B000' ORDER BY customer_no")
        mine = [r[0] for r in cursor.fetchall()]
    connection.close()
    from django.utils import timezone

    today = timezone.localdate().isoformat()  # the server checks against the bank's local date

    def sale(rnd):
        return {
            "customer_no": rnd.choice(mine),
            "product_code": "FD03",
            "amount": "10000.00",
            "channel": "pad",
            "sale_date": today,
        }

    log = open(home / "serve.log", "w")  # noqa: SIM115
    server = subprocess.Popen(
        [sys.executable, "-m", "bankcrm", "serve", "--host", "127.0.0.1", "--port", str(port)],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(120):
            try:
                urllib.request.urlopen(base + "/healthz/", timeout=1).read()
                break
            except OSError:
                time.sleep(0.5)
        else:
            raise SystemExit("server did not start: " + (home / "serve.log").read_text())
        out = {}
        for name, method, path, body in (("healthz", "GET", "/healthz/", None), ("sales", "POST", "/api/sales/", sale)):
            load(base, method, path, token, body, 3, connections)  # warm-up
            out[name] = load(base, method, path, token, body, duration, connections)
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
        log.close()
    return out


def _evaluate(home: Path, repeats: int) -> dict:
    paths = write_parquet(home / "bench-parquet")
    ev = bench_evaluate(paths, repeats)
    ratio = ev["bankcrm_s"] / ev["reference_s"]
    print(
        f"audience + exclusions + control: bankcrm {ev['bankcrm_s']:.2f} s, hand-written DuckDB "
        f"{ev['reference_s']:.2f} s, ratio {ratio:.1f}× (goal ≤ 2×) — counts {ev['counts']}"
    )
    return {"evaluate": ev, "ratio": ratio}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--customers", type=int, default=1_000_000)
    parser.add_argument("--duration", type=int, default=15)
    parser.add_argument("--connections", type=int, default=4)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--port", type=int, default=8766)
    parser.add_argument("--home", help="reuse/keep this BANKCRM_HOME (built once, then reused)")
    parser.add_argument("--skip-sales", action="store_true")
    parser.add_argument("--skip-evaluate", action="store_true")
    args = parser.parse_args()

    home = Path(args.home) if args.home else Path(tempfile.mkdtemp(prefix="bankcrm-campaignbench-"))
    home.mkdir(parents=True, exist_ok=True)
    env = {
        **os.environ,
        "BANKCRM_HOME": str(home),
        "PYTHONPATH": str(SRC),
        "DJANGO_SETTINGS_MODULE": "bankcrm.settings",
    }
    os.environ.update(env)
    sys.path.insert(0, str(SRC))
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from web_bench import build_bank

    from bankcrm.customers.models import Customer

    call_command("migrate", interactive=False, verbosity=0)
    if not Customer.objects.exists():
        print(f"building a bank of {args.customers:,} customers in {home}")
        build_bank(args.customers, 1, 7)
        add_campaign_data(args.customers)
        if connection.vendor == "sqlite":
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
    n = Customer.objects.count()
    print(f"\nbankcrm campaign benchmark — {n:,} customers, {os.cpu_count()} cores")
    result = {"customers": n}
    if not args.skip_evaluate:
        result.update(_evaluate(home, args.repeats))
    if not args.skip_sales:
        sales = bench_sales(home, env, n, args.port, args.duration, args.connections)
        trivial = sales["healthz"]["p95_ms"]
        for name, r in sales.items():
            print(
                f"{name:<10} {r['rps']:>7.0f} req/s  p50 {r['p50_ms']:>6.1f} ms  p95 {r['p95_ms']:>6.1f} ms  "
                f"errors {r['errors']}  p95 vs healthz {r['p95_ms'] / trivial:.1f}×"
            )
        print(f"goal POST /api/sales/ p95 ≤ 100 ms: {'OK' if sales['sales']['p95_ms'] <= 100 else 'MISSED'}")
        result["sales"] = sales
    print(json.dumps(result, default=str))
    if not args.home:
        shutil.rmtree(home, ignore_errors=True)


if __name__ == "__main__":
    main()
