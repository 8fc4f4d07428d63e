import argparse
import datetime as dt
import sys
import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from bankcrm.synthetic import default_end, generate_delivery


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date YYYY-MM-DD") from exc


class Command(BaseCommand):
    help = "Write a realistic synthetic delivery in the batch-file format (same seed → same bytes)."

    def add_arguments(self, parser):
        parser.add_argument("--out", required=True, type=Path, help="folder to write the delivery into")
        parser.add_argument("--customers", type=int, default=2000, help="number of customers (default 2000)")
        parser.add_argument("--months", type=int, default=3, help="calendar months ending with --end (default 3)")
        parser.add_argument(
            "--end", type=_date, default=None, help="last business date YYYY-MM-DD (default: last day of last month)"
        )
        parser.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
        parser.add_argument(
            "--format", choices=("csv", "parquet"), default="csv", help="file format of the delivery (default csv)"
        )

    def handle(self, *args, **options):
        if options["customers"] < 1:
            raise CommandError("--customers must be at least 1")
        if not 1 <= options["months"] <= 36:
            raise CommandError("--months must be between 1 and 36")
        end = options["end"] or default_end(timezone.localdate())
        out: Path = options["out"]
        if out.exists() and not out.is_dir():
            raise CommandError(f"--out {out} exists and is not a folder")
        started = time.monotonic()
        summary = generate_delivery(
            out,
            customers=options["customers"],
            months=options["months"],
            end=end,
            seed=options["seed"],
            progress=sys.stderr.isatty(),
            fmt=options["format"],
        )
        took = time.monotonic() - started
        self.stdout.write(
            f"wrote {len(summary.files)} files to {out} for {summary.start} .. {summary.end} in {took:.1f}s: "
            f"{summary.customers} customers, {summary.accounts} accounts, "
            f"{summary.rows('balances')} balance rows, {summary.rows('transactions')} transactions, "
            f"{summary.rows('sales')} sales"
        )
        if summary.replaced:
            self.stdout.write(f"replaced {summary.replaced} files of an earlier delivery in {out}")
        planted = sum(len(v) for v in summary.planted_quality.values())
        self.stdout.write(
            f"planted: {len(summary.planted_rejects)} rejectable rows, {planted} customers with quality findings "
            "(see docs/synthetic-bank.md)"
        )
