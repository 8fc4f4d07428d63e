"""``bankcrm metrics --as-of YYYY-MM-DD [--engine duckdb|spark]`` (spec/cli.md, spec/metrics.md)."""

import datetime as dt
import sys
import time

from django.core.management.base import BaseCommand, CommandError

from bankcrm.analytics.signals import metrics_computed

EXIT_LOCKED = 4  # another metrics run of this home/database holds the lock (as bankcrm import)


def _date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError as exc:
        raise CommandError(f"not a date (YYYY-MM-DD): {value!r}") from exc


def refuse_without_balances(as_of: dt.date) -> None:
    """Success only when something was produced (issue 15.10): no balances up to D, nothing to compute.

    Only "none on or before D" is refused: a day without its own balances file is computed from the
    days before it (spec/metrics.md carries the last balance forward; the acceptance scenarios
    have months without files), so it is not a mistake by itself.
    """
    from bankcrm.core.warehouse import partition_dates

    if any(day <= as_of for day in partition_dates("balances")):
        return
    raise CommandError(
        f"no balances on or before {as_of.isoformat()}: import a delivery first; --allow-empty to compute anyway"
    )


class Command(BaseCommand):
    help = "Compute the customer_month snapshot and the lists (名单) for an as-of date."

    def add_arguments(self, parser):
        parser.add_argument("--as-of", required=True, type=_date, dest="as_of")
        parser.add_argument("--engine", choices=["duckdb", "spark"], default="duckdb")
        parser.add_argument(
            "--allow-empty",
            action="store_true",
            help="compute even when the as-of date has no balances (an empty snapshot is then a success)",
        )

    def handle(self, *args, **options):
        from bankcrm.analytics.snapshots import run_metrics

        as_of, engine = options["as_of"], options["engine"]
        started = time.monotonic()
        bar = None
        if sys.stderr.isatty():  # a progress bar in a terminal, silence under a scheduler
            from tqdm import tqdm

            bar = tqdm(total=None, unit=" step", file=sys.stderr, leave=False)

        def progress(msg: str) -> None:
            if bar is not None:
                bar.set_description(msg)
                bar.update(1)

        from bankcrm.core.jobs import recorded_run
        from bankcrm.core.runlock import RunLocked, exclusive_run

        try:
            # One metrics run per home/database (issue 8, item 10); recorded for /metrics (issue 15.11).
            with exclusive_run("metrics"):
                if not options["allow_empty"]:
                    refuse_without_balances(as_of)  # inside the lock: a running import may be writing them
                with recorded_run("metrics") as run:
                    result = run_metrics(as_of, engine, progress=progress)
                    run.rows = sum(part["customers"] for part in result["computed"])
        except RunLocked as exc:
            raise CommandError(exc.message(), returncode=EXIT_LOCKED) from exc
        except FileNotFoundError as exc:
            raise CommandError(str(exc)) from exc
        finally:
            if bar is not None:
                bar.close()
        # Layers above (the indicator reports' daily rollup) keep their derived data up to date.
        metrics_computed.send(sender=self.__class__, as_of=as_of, engine=engine)
        for part in result["computed"]:
            lists = ", ".join(f"{k} {v}" for k, v in sorted(part["lists"].items())) or "no list items"
            self.stdout.write(f"snapshot as of {part['as_of']}: {part['customers']} customers; lists: {lists}")
        self.stdout.write(f"metrics done with {result['engine']} in {time.monotonic() - started:.1f}s")
