"""Time and peak memory of the synthetic bank: `python benchmarks/generate_bench.py [customers] [months]`.

Prints rows per second of CPU and of wall time, and the peak resident set size, so a change can
be compared with the figures in docs/performance.md ("Generate").
"""

import datetime as dt
import resource
import sys
import tempfile
import time
from pathlib import Path

from bankcrm.synthetic import generate_delivery


def main() -> None:
    customers = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    months = int(sys.argv[2]) if len(sys.argv) > 2 else 2
    with tempfile.TemporaryDirectory() as tmp:
        wall, cpu = time.perf_counter(), time.process_time()
        summary = generate_delivery(Path(tmp), customers=customers, months=months, end=dt.date(2026, 10, 31), seed=1)
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        size = sum(p.stat().st_size for p in Path(tmp).iterdir())
    rows = sum(summary.files.values())
    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"{customers} customers x {months} months: {rows:,} rows, {size / 2**20:,.0f} MiB")
    print(f"wall {wall:.1f}s, cpu {cpu:.1f}s, {rows / cpu:,.0f} rows/cpu-s, peak RSS {peak_mib:,.0f} MiB")
    print(f"peak RSS per 1k customers: {peak_mib / customers * 1000:.2f} MiB")


if __name__ == "__main__":
    main()
