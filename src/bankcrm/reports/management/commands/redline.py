"""``bankcrm redline add STAFF_NO --code CODE --date D [--note N]`` (spec/indicators.md "Commands")."""

import datetime as dt

from django.core.management.base import BaseCommand, CommandError

from bankcrm.reports.choices import RedLineCode


def _date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError as exc:
        raise CommandError(f"not a date (YYYY-MM-DD): {value!r}") from exc


class Command(BaseCommand):
    help = "Record a red-line (电网) violation for a staff member."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        add = sub.add_parser("add", help="record a violation")
        add.add_argument("staff_no")
        add.add_argument("--code", required=True, choices=RedLineCode.values)
        add.add_argument("--date", required=True, type=_date)
        add.add_argument("--note", default="")

    def handle(self, *args, **options):
        import getpass

        from bankcrm.core.context import acting_as
        from bankcrm.reports.services import UnknownUnit, add_red_line

        try:
            with acting_as(user_name=f"cli:{getpass.getuser()}"):
                red = add_red_line(options["staff_no"], options["code"], options["date"], note=options["note"])
        except (UnknownUnit, ValueError) as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"red line recorded: {red.staff_id} {red.code} {red.date.isoformat()}")
