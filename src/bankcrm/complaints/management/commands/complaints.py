"""``bankcrm complaints sweep``: the desk's scheduled clock check (run it every few minutes)."""

from django.core.management.base import BaseCommand, CommandError

from bankcrm.complaints.services import sweep


class Command(BaseCommand):
    help = "The complaint desk's scheduled jobs. 'sweep' marks deadlines due soon and breached."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="subcommand", metavar="SUBCOMMAND")
        sw = sub.add_parser("sweep", help="mark deadlines due soon / breached and warn the assignees (idempotent)")
        sw.add_argument(
            "--warn-days",
            type=int,
            default=None,
            help="days before a deadline to warn (default: BANKCRM_COMPLAINTS warn_days_before, 3)",
        )

    def handle(self, *args, **options):
        if options.get("subcommand") != "sweep":
            raise CommandError("usage: bankcrm complaints sweep [--warn-days N]")
        warn = options.get("warn_days")
        if warn is not None and warn < 0:
            raise CommandError("--warn-days must be 0 or more")
        progress = None
        if getattr(self.stdout, "isatty", lambda: False)():
            from functools import partial

            from tqdm import tqdm

            progress = partial(tqdm, desc="complaints sweep", unit="clock", leave=False)
        result = sweep(warn_days_before=warn, progress=progress)
        self.stdout.write(f"complaints sweep: {result.summary()}")
