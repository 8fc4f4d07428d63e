"""Access-log alerts and export benchmark (issue 14).

    python benchmarks/access_alerts_bench.py [--lines 1000000] [--users 500] [--days 7] [--home DIR]

Fills the access log of a fresh SQLite bank (or PostgreSQL with BANKCRM_DATABASE_URL) with
``--lines`` lines over ``--days`` local days — views mostly, some searches, reveals and exports, a
share at night — then times:

1. ``compliance.access.alert_candidates`` (one GROUP BY) against the obvious Python loop that reads
   every line of the window and counts per login and day (same alerts, checked equal), then
   ``scan_access_log`` (the aggregate plus storing the alerts). Goal: the aggregate ≤ 1/3 of the loop.
   Measured at 200,000 lines: SQLite 0.31 ×, PostgreSQL 0.26 × (docs/compliance.md).
2. The CSV export of one login's day through ``export_response`` (streamed) and of all lines.
"""

import argparse
import datetime as dt
import os
import random
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--lines", type=int, default=1_000_000)
    parser.add_argument("--users", type=int, default=500)
    parser.add_argument("--days", type=int, default=7)
    parser.add_argument("--home", default="")
    args = parser.parse_args()
    os.environ["BANKCRM_HOME"] = args.home or tempfile.mkdtemp(prefix="bankcrm-alerts-bench-")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bankcrm.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from bankcrm.compliance.access import alert_candidates, alert_rules, export_response, scan_access_log
    from bankcrm.compliance.models import AccessAlert
    from bankcrm.core.models import AccessLog

    call_command("migrate", verbosity=0)
    tz = ZoneInfo("Asia/Shanghai")
    today = dt.date(2026, 12, 1)
    rng = random.Random(14)
    if not AccessLog.objects.exists():
        # auto_now_add would stamp every line "now": the bench writes the moments itself
        AccessLog._meta.get_field("time").auto_now_add = False
        t0 = time.perf_counter()
        batch = []
        for i in range(args.lines):
            day = today - dt.timedelta(days=rng.randrange(args.days))
            hour = rng.choice(range(0, 24)) if rng.random() < 0.02 else rng.randrange(8, 19)
            moment = dt.datetime.combine(day, dt.time(hour, rng.randrange(60)), tzinfo=tz)
            action = rng.choices(["view", "search", "reveal", "export"], [80, 15, 4, 1])[0]
            batch.append(
                AccessLog(
                    time=moment, user_name=f"u{rng.randrange(args.users):04d}", action=action, customer_no=f"C{i:07d}"
                )
            )
            if len(batch) == 20_000:
                AccessLog.objects.bulk_create(batch)
                batch = []
        AccessLog.objects.bulk_create(batch)
        AccessLog._meta.get_field("time").auto_now_add = True
        print(f"fill {args.lines:,} lines: {time.perf_counter() - t0:.1f} s")
    rules = alert_rules()
    since = today - dt.timedelta(days=args.days - 1)

    def python_loop() -> set:
        exports, reveals, outside = Counter(), Counter(), Counter()
        start, end = rules.start_minute, rules.end_minute
        for user, action, moment in (
            AccessLog.objects.filter(time__date__gte=since, time__date__lte=today)
            .values_list("user_name", "action", "time")
            .iterator(chunk_size=20_000)
        ):
            local = moment.astimezone(tz)
            key = (user, local.date())
            if action == "export":
                exports[key] += 1
            elif action == "reveal":
                reveals[key] += 1
            minute = local.hour * 60 + local.minute
            if minute < start or minute >= end or (rules.weekends_off and local.isoweekday() >= 6):
                outside[key] += 1
        found = {("bulk_exports", u, d) for (u, d), n in exports.items() if n >= rules.bulk_exports_per_day}
        found |= {("many_reveals", u, d) for (u, d), n in reveals.items() if n >= rules.reveals_per_day}
        found |= {("off_hours", u, d) for (u, d) in outside}
        return found

    def timed(fn):
        t0 = time.perf_counter()
        value = fn()
        return time.perf_counter() - t0, value

    loop_s, expected = timed(python_loop)
    sql_s, rows = timed(lambda: alert_candidates(since, today, rules))
    got = {(r["kind"], r["user_name"], r["day"]) for r in rows}
    assert got == expected, (len(got), len(expected))
    AccessAlert.objects.all().delete()
    scan_s, result = timed(lambda: scan_access_log(today, days=args.days))
    print(f"{connection.vendor}, {AccessLog.objects.count():,} lines, {len(expected):,} alerts")
    print(f"python loop over the window: {loop_s:.2f} s")
    print(f"aggregates (alert_candidates): {sql_s:.2f} s  ratio {sql_s / loop_s:.3f}")
    print(f"scan_access_log (aggregates + {len(result.raised):,} alerts stored): {scan_s:.2f} s")

    class User:
        pk = None

        def get_username(self):
            return "bench"

    one_day = AccessLog.objects.filter(user_name="u0001", time__date=today)
    csv_s, _ = timed(
        lambda: sum(len(c) for c in export_response(one_day, "csv", user=User(), path="/b").streaming_content)
    )
    all_s, size = timed(
        lambda: sum(
            len(c) for c in export_response(AccessLog.objects.all(), "csv", user=User(), path="/b").streaming_content
        )
    )
    print(f"export csv one login's day: {csv_s:.3f} s; all lines: {all_s:.1f} s ({size / 1e6:.0f} MB)")


if __name__ == "__main__":
    main()
