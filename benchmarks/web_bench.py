"""Web benchmark: the customer 360 API, the search API and a trivial JSON view under load.

    python benchmarks/web_bench.py [--customers 1000000] [--days 31] [--duration 15] [--connections 8]

Builds a bank in a throw-away BANKCRM_HOME (customers, accounts and one snapshot month through
the ORM's bulk paths, daily balances Parquet written with numpy/pyarrow in the warehouse layout,
sorted by account_no as the importer writes it), starts ``bankcrm serve`` in a subprocess on
127.0.0.1, drives a bounded load from a second process (wrk with a Lua script for token auth and
random customers; a small threaded Python client when wrk is absent) and prints p50/p95,
requests/s, errors, and each endpoint's ratio to the trivial view (/healthz/).

Goals (docs/performance.md "Web"): 360 p95 ≤ 50 ms, search p95 ≤ 100 ms, ≥ 200 req/s on 2 cores,
zero errors. Only 127.0.0.1 is ever contacted; every load run stops after --duration seconds.
"""

import argparse
import datetime as dt
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SRC = ROOT / "src"
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华建国文红玉兰志强"
BRANCHES = 40
RMS_PER_BRANCH = 25


def customer_no(i: int) -> str:
    return f"C{i:07d}"


def phone(i: int) -> str:
    return f"139{i:08d}"


def build_bank(n: int, days: int, seed: int) -> None:
    """Customers, accounts (2 each), one snapshot month, ``days`` daily balances partitions."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.parquet as pq
    from django.db import connection, transaction

    from bankcrm.core.warehouse import BALANCES_SCHEMA, replace_partition
    from bankcrm.customers.models import Account, Customer, Product
    from bankcrm.customers.search_keys import search_keys
    from bankcrm.org.models import Branch, Staff

    rng = np.random.default_rng(seed)
    t0 = time.perf_counter()
    Branch.objects.bulk_create([Branch(code="H001", name="总行")])
    Branch.objects.bulk_create([Branch(code=f"B{b:03d}", name=f"支行{b}", parent_id="H001") for b in range(BRANCHES)])
    staff = [
        Staff(staff_no=f"S{b:03d}{r:02d}", name=f"经理{b}-{r}", branch_id=f"B{b:03d}", role="rm")
        for b in range(BRANCHES)
        for r in range(RMS_PER_BRANCH)
    ]
    Staff.objects.bulk_create(staff)
    Product.objects.bulk_create(
        [
            Product(code="DD01", name="活期储蓄", category="deposit_demand"),
            Product(code="WM01", name="稳健理财", category="wealth"),
        ]
    )
    onboard = dt.date(2020, 1, 1)
    surnames = rng.integers(0, len(SURNAMES), n)
    given = rng.integers(0, len(GIVEN), (n, 2))
    rm_index = rng.integers(0, len(staff), n)
    batch = 20_000
    with transaction.atomic():
        for start in range(0, n, batch):
            rows = []
            for i in range(start, min(n, start + batch)):
                rm = staff[rm_index[i]]
                name = SURNAMES[surnames[i]] + GIVEN[given[i, 0]] + GIVEN[given[i, 1]]
                rows.append(
                    Customer(
                        customer_no=customer_no(i),
                        name=name,
                        id_type="ID_CARD",
                        id_number=f"110101{1950 + i % 50:04d}0101{i % 10000:04d}"[:17] + "X",
                        phone=phone(i),
                        branch_id=rm.branch_id,
                        rm_id=rm.staff_no,
                        onboard_date=onboard,
                        **search_keys(name, phone(i)),  # bulk_create skips save(): as the import does
                    )
                )
            Customer.objects.bulk_create(rows, batch_size=2000)
            accounts = []
            for i in range(start, min(n, start + batch)):
                accounts.append(
                    Account(
                        account_no=f"A{i:07d}1",
                        customer_id=customer_no(i),
                        product_id="DD01",
                        open_date=onboard,
                        status="active",
                    )
                )
                accounts.append(
                    Account(
                        account_no=f"A{i:07d}2",
                        customer_id=customer_no(i),
                        product_id="WM01",
                        open_date=onboard,
                        status="active",
                    )
                )
            Account.objects.bulk_create(accounts, batch_size=2000)
            print(
                f"  customers {min(n, start + batch):,}/{n:,}  ({time.perf_counter() - t0:.0f} s)", end="\r", flush=True
            )
    print()
    # One snapshot month, written like `bankcrm metrics` does: in bulk.
    aum = rng.lognormal(10, 1.5, n).round(2)
    tiers = np.select([aum >= 6_000_000, aum >= 500_000, aum >= 50_000], ["private", "wealth", "vip"], "mass")
    cols = (
        "month, as_of, customer_id, branch_code, rm_staff_no, days, aum_avg, aum_end, deposit_avg, loan_end, tier, "
        "prev_tier, migration, categories_held, cross_sell_qualified, dormant, dormant_potential, edge, downgraded, "
        "maturing, kyc_expiring"
    )
    sql = f"INSERT INTO analytics_customermonth ({cols}) VALUES ({', '.join(['%s'] * 21)})"
    as_of = dt.date(2026, 10, 31)
    with transaction.atomic(), connection.cursor() as cursor:
        for start in range(0, n, batch):
            rows = []
            for i in range(start, min(n, start + batch)):
                rm = staff[rm_index[i]]
                a = f"{aum[i]:.2f}"
                rows.append(
                    (
                        "2026-10",
                        as_of,
                        customer_no(i),
                        rm.branch_id,
                        rm.staff_no,
                        31,
                        a,
                        a,
                        a,
                        "0.00",
                        str(tiers[i]),
                        "",
                        "new",
                        2,
                        False,
                        False,
                        False,
                        False,
                        False,
                        False,
                        False,
                    )
                )
            cursor.executemany(sql, rows)
    print(f"  snapshot month written ({time.perf_counter() - t0:.0f} s)")
    # Balances: account_no sorted (the importer's order), row groups of 64k rows for min/max pruning.
    account_nos = pa.array([f"A{i:07d}{k}" for i in range(n) for k in (1, 2)], pa.string())
    base = rng.integers(0, 50_000_000, len(account_nos))
    for d in range(days):
        day = as_of - dt.timedelta(days=days - 1 - d)
        cents = base + rng.integers(-10_000, 10_000, len(account_nos))
        table = pa.table(
            {"account_no": account_nos, "balance_cents": pa.array(cents, pa.int64())}, schema=BALANCES_SCHEMA
        )
        replace_partition(
            "balances", day, lambda folder, t=table: pq.write_table(t, folder / "part-0.parquet", row_group_size=65_536)
        )
        print(f"  balances {d + 1}/{days}", end="\r", flush=True)
    print(f"\n  bank built in {time.perf_counter() - t0:.0f} s")


def make_logins() -> dict[str, str]:
    from bankcrm.org.services import add_user, issue_token

    add_user("bench-ho", role="head_office", password="bench-password-1")
    add_user("bench-rm", role="rm", password="bench-password-1", staff_no="S00000")
    return {"head_office": issue_token("bench-ho"), "rm": issue_token("bench-rm")}


LUA = r"""
local token = "%(token)s"
local kind = "%(kind)s"
local n = %(n)d
local surnames = {%(surnames)s}
local counter = 0
math.randomseed(%(seed)d)
request = function()
  counter = counter + 1
  local path
  local i = math.random(0, n - 1)
  if kind == "360" then
    path = string.format("/api/customers/C%%07d/", i)
  elseif kind == "search" then
    local r = counter %% 4
    if r == 0 then path = string.format("/api/customers/?q=139%%08d", i)
    elseif r == 1 then path = string.format("/api/customers/?q=C%%07d", i)
    elseif r == 2 then path = "/api/customers/?page_size=20&q=" .. surnames[math.random(1, #surnames)] .. "%%E4%%BC%%9F"
    else path = "/api/customers/?page_size=20&q=" .. surnames[math.random(1, #surnames)] end
  else
    path = "/healthz/"
  end
  return wrk.format("GET", path, {["Authorization"] = "Token " .. token})
end
done = function(summary, latency, requests)
  local e = summary.errors
  local errors = e.connect + e.read + e.write + e.status + e.timeout
  io.write(string.format("RESULT %%d %%d %%.3f %%.3f %%.3f %%d\n", summary.requests, summary.duration,
    latency:percentile(50) / 1000, latency:percentile(95) / 1000, latency:percentile(99) / 1000, errors))
end
"""


def url_escape(text: str) -> str:
    return "".join(f"%{b:02X}" for b in text.encode())


def run_wrk(base: str, kind: str, token: str, n: int, duration: int, connections: int, threads: int) -> dict:
    script = LUA % {
        "token": token,
        "kind": kind,
        "n": n,
        "surnames": ", ".join(f'"{url_escape(s)}"' for s in SURNAMES),
        "seed": 42,
    }
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as fh:
        fh.write(script)
    try:
        out = subprocess.run(
            ["wrk", f"-t{threads}", f"-c{connections}", f"-d{duration}s", "--timeout", "5s", "-s", fh.name, base],
            capture_output=True,
            text=True,
            timeout=duration + 60,
        ).stdout
    finally:
        os.unlink(fh.name)
    line = next(line for line in out.splitlines() if line.startswith("RESULT"))
    _, reqs, micros, p50, p95, p99, errors = line.split()
    return {
        "requests": int(reqs),
        "rps": int(reqs) / (int(micros) / 1e6),
        "p50_ms": float(p50),
        "p95_ms": float(p95),
        "p99_ms": float(p99),
        "errors": int(errors),
    }


def run_python_client(base: str, kind: str, token: str, n: int, duration: int, connections: int) -> dict:
    """Fallback when wrk is absent: threads with keep-alive connections, bounded by time."""
    import http.client
    import random
    import threading
    from urllib.parse import quote

    host, port = base.split("//")[1].split(":")
    latencies, errors, stop = [], [0], time.monotonic() + duration

    def worker(seed):
        rnd = random.Random(seed)
        conn = http.client.HTTPConnection(host, int(port.rstrip("/")), timeout=5)
        count = 0
        while time.monotonic() < stop:
            i = rnd.randrange(n)
            count += 1
            if kind == "360":
                path = f"/api/customers/{customer_no(i)}/"
            elif kind == "search":
                path = [
                    f"/api/customers/?q={phone(i)}",
                    f"/api/customers/?q={customer_no(i)}",
                    f"/api/customers/?page_size=20&q={quote(rnd.choice(SURNAMES) + '伟')}",
                    f"/api/customers/?page_size=20&q={quote(rnd.choice(SURNAMES))}",
                ][count % 4]
            else:
                path = "/healthz/"
            t = time.perf_counter()
            try:
                conn.request("GET", path, headers={"Authorization": f"Token {token}"})
                response = conn.getresponse()
                response.read()
                ok = response.status == 200
            except OSError:
                ok = False
                conn = http.client.HTTPConnection(host, int(port.rstrip("/")), timeout=5)
            latencies.append(time.perf_counter() - t)
            if not ok:
                errors[0] += 1

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
        "p50_ms": pct(0.50),
        "p95_ms": pct(0.95),
        "p99_ms": pct(0.99),
        "errors": errors[0],
    }


def server_cpu_seconds(pgid: int) -> float:
    """User + system CPU of every process in the server's process group (master and workers).

    The reference machine is shared; CPU per request is the figure that does not depend on
    what else runs on it.
    """
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        # fields[2] is pgrp; utime, stime, cutime, cstime are fields[11:15] (after the ")")
        if int(fields[2]) == pgid:
            total += sum(int(x) for x in fields[11:15])
    return total / ticks


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--customers", type=int, default=1_000_000)
    parser.add_argument("--days", type=int, default=31, help="daily balances partitions to write")
    parser.add_argument("--duration", type=int, default=15, help="seconds of load per endpoint")
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--workers", type=int, default=0, help="gunicorn workers (default: bankcrm serve's)")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--home", help="reuse/keep this BANKCRM_HOME (built once, then reused)")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--client", choices=["auto", "wrk", "python"], default="auto")
    args = parser.parse_args()

    home = Path(args.home) if args.home else Path(tempfile.mkdtemp(prefix="bankcrm-webbench-"))
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

    from bankcrm.customers.models import Customer

    call_command("migrate", interactive=False, verbosity=0)
    if not Customer.objects.exists():
        print(f"building a bank of {args.customers:,} customers in {home}")
        build_bank(args.customers, args.days, args.seed)
    n = Customer.objects.count()
    tokens = make_logins()
    from django.db import connection

    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    connection.close()

    client = args.client
    if client == "auto":
        client = "wrk" if shutil.which("wrk") else "python"
    serve = [sys.executable, "-m", "bankcrm", "serve", "--host", "127.0.0.1", "--port", str(args.port)]
    if args.workers:
        serve += ["--workers", str(args.workers)]
    # The server's output goes to a file: an unread pipe fills up and stalls the workers.
    log = open(home / "serve.log", "w")  # noqa: SIM115
    server = subprocess.Popen(serve, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    base = f"http://127.0.0.1:{args.port}"
    try:
        for _ in range(120):
            try:
                urllib.request.urlopen(base + "/healthz/", timeout=1).read()
                break
            except OSError:
                time.sleep(0.5)
        else:
            raise SystemExit("server did not start: " + (home / "serve.log").read_text())
        results = {}
        for kind, token in (
            ("healthz", tokens["head_office"]),
            ("360", tokens["head_office"]),
            ("search", tokens["head_office"]),
        ):
            # warm-up (imports, DuckDB footers, SQLite page cache), then the measured run
            if client == "wrk":
                run_wrk(base, kind, token, n, 3, args.connections, 2)
                cpu = server_cpu_seconds(server.pid)
                results[kind] = run_wrk(base, kind, token, n, args.duration, args.connections, 2)
            else:
                run_python_client(base, kind, token, n, 3, args.connections)
                cpu = server_cpu_seconds(server.pid)
                results[kind] = run_python_client(base, kind, token, n, args.duration, args.connections)
            used = server_cpu_seconds(server.pid) - cpu
            results[kind]["cpu_ms_per_request"] = 1000 * used / max(1, results[kind]["requests"])
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
        log.close()
    trivial = results["healthz"]
    print(
        f"\nbankcrm web benchmark — {n:,} customers, client {client}, {args.connections} connections, "
        f"{args.duration} s per endpoint, {os.cpu_count()} cores"
    )
    print(
        f"{'endpoint':<26}{'req/s':>8}{'p50 ms':>8}{'p95 ms':>8}{'p99 ms':>8}{'errors':>7}"
        f"{'CPU ms/req':>11}{'p95 vs healthz':>16}{'CPU vs healthz':>16}"
    )
    names = {"healthz": "GET /healthz/", "360": "GET /api/customers/{no}/", "search": "GET /api/customers/?q="}
    for kind, r in results.items():
        ratio = r["p95_ms"] / trivial["p95_ms"] if trivial["p95_ms"] else float("nan")
        cpu_ratio = r["cpu_ms_per_request"] / trivial["cpu_ms_per_request"] if trivial["cpu_ms_per_request"] else 0
        print(
            f"{names[kind]:<26}{r['rps']:>8.0f}{r['p50_ms']:>8.1f}{r['p95_ms']:>8.1f}{r['p99_ms']:>8.1f}"
            f"{r['errors']:>7}{r['cpu_ms_per_request']:>11.2f}{ratio:>15.1f}×{cpu_ratio:>15.1f}×"
        )
    cores = os.cpu_count() or 1
    capacity = [
        f"{names[k]} ≈ {1000 * cores / r['cpu_ms_per_request']:.0f} req/s"
        for k, r in results.items()
        if r["cpu_ms_per_request"]
    ]
    print("capacity with the cores to ourselves (cores / CPU per request): " + ", ".join(capacity))
    goals = [
        ("360 p95 ≤ 50 ms", results["360"]["p95_ms"] <= 50),
        ("search p95 ≤ 100 ms", results["search"]["p95_ms"] <= 100),
        ("≥ 200 req/s (360)", results["360"]["rps"] >= 200),
        ("zero errors", all(r["errors"] == 0 for r in results.values())),
    ]
    print("goals: " + ", ".join(f"{name} {'OK' if ok else 'MISSED'}" for name, ok in goals))
    print(json.dumps({"customers": n, "client": client, "results": results}))
    if not args.home:
        shutil.rmtree(home, ignore_errors=True)


if __name__ == "__main__":
    main()
