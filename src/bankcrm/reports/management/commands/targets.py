"""``bankcrm targets import PATH`` (spec/indicators.md "Commands")."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "Load targets, weights, coefficients and bonus bases from an .xlsx workbook or a folder of CSVs."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        imp = sub.add_parser("import", help="load a workbook (.xlsx) or a folder of targets/weights/… .csv")
        imp.add_argument("path", type=Path)

    def handle(self, *args, **options):
        from bankcrm.reports.loading import load_targets

        path = options["path"]
        if not path.exists():
            raise CommandError(f"no such file or folder: {path}")
        import getpass

        from bankcrm.core.context import acting_as

        try:
            with acting_as(user_name=f"cli:{getpass.getuser()}"):
                result = load_targets(path)
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        for reject in result.rejects:
            self.stderr.write(f"rejected: {reject}")
        for warning in result.warnings:
            self.stderr.write(f"warning: {warning}")
        counts = ", ".join(f"{sheet} {n}" for sheet, n in result.loaded.items())
        self.stdout.write(f"loaded: {counts}; rejected {len(result.rejects)} rows; {len(result.warnings)} warnings")
        if not any(result.loaded.values()) and result.rejects:
            raise CommandError(f"nothing loaded: {len(result.rejects)} rows rejected")
