"""``bankcrm demo``: a synthetic bank, imported, computed and served — one command (spec/cli.md)."""

import datetime as dt
import os
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db.models import Count

DEMO_MARKER = "demo.json"


def _month_ends(end: dt.date, months: int) -> list[dt.date]:
    ends, current = [], end
    for _ in range(months):
        ends.append(current)
        current = current.replace(day=1) - dt.timedelta(days=1)
    return sorted(ends)


def _default_end(today: dt.date) -> dt.date:
    return today.replace(day=1) - dt.timedelta(days=1)


class Command(BaseCommand):
    help = "Generate a synthetic bank, import it, compute metrics and lists, create demo logins, serve the web app."

    def add_arguments(self, parser):
        parser.add_argument("--customers", type=int, default=3000)
        parser.add_argument(
            "--months", type=int, default=None, help="months of history (default: from last December, for 当年新增)"
        )
        parser.add_argument("--seed", type=int, default=20261129)
        parser.add_argument("--end", type=dt.date.fromisoformat, default=None, help="last business date (YYYY-MM-DD)")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--no-serve", action="store_true", help="set everything up, then stop")
        parser.add_argument("--fresh", action="store_true", help="rebuild the demo even if this home has one")

    def handle(self, *args, **options):
        home = Path(settings.BANKCRM_HOME)
        marker = home / DEMO_MARKER
        if marker.exists() and not options["fresh"]:
            self.stdout.write(f"demo bank already set up in {home} (use --fresh to rebuild)")
        else:
            self._build(home, options)
            marker.write_text(f'{{"customers": {options["customers"]}, "months": {options["months"]}}}\n')
        self._print_logins()
        if not options["no_serve"]:
            call_command("serve", host=options["host"], port=options["port"])

    def _build(self, home: Path, options) -> None:
        from bankcrm.synthetic import generate_delivery

        end = options["end"] or _default_end(dt.date.today())  # noqa: DTZ011 (a calendar date, local)
        # From the previous December on, so the year's net increase per tier (当年新增) has its base.
        options["months"] = options["months"] or end.month + 1
        delivery = home / "demo-delivery"
        self.stdout.write(f"1/4 generating {options['customers']} customers × {options['months']} months → {delivery}")
        generate_delivery(
            delivery, customers=options["customers"], months=options["months"], end=end, seed=options["seed"]
        )
        self.stdout.write("2/4 importing the delivery")
        try:
            call_command("import_delivery", str(delivery), report=str(home / "demo-import-report.json"))
        except CommandError as exc:
            # Planted bad rows are part of the demo; a refused file is worth showing, not stopping for.
            self.stderr.write(f"import finished with a warning: {exc}")
        for month_end in _month_ends(end, options["months"]):
            self.stdout.write(f"3/4 metrics and lists as of {month_end}")
            call_command("metrics", "--as-of", month_end.isoformat())
        self.stdout.write("4/4 demo logins and sample work")
        self._create_logins()
        self._seed_activity(end)
        self._seed_targets(end, home)

    # -- logins -------------------------------------------------------------------------------------
    def _password(self) -> str:
        return os.environ.get("BANKCRM_PASSWORD") or "demo-pass-2026"

    def _logins(self) -> list[tuple[str, str, dict]]:
        from bankcrm.customers.models import Customer
        from bankcrm.org.models import Branch, Staff

        logins = [
            ("admin", "admin", {}),
            ("headoffice", "head_office", {}),
            ("compliance", "compliance", {}),
            ("complaints", "complaint_handler", {}),
            ("marketing1", "marketing", {}),
            ("marketing2", "marketing", {}),
        ]
        busiest = (
            Customer.objects.filter(rm__status="active", rm__role="rm")
            .values("rm")
            .annotate(n=Count("pk"))
            .order_by("-n", "rm")[:2]
        )
        for index, row in enumerate(busiest, start=1):
            logins.append((f"rm{index}", "rm", {"staff_no": row["rm"]}))
        if busiest:
            branch = Staff.objects.get(pk=busiest[0]["rm"]).branch
            if branch.parent_id and Branch.objects.filter(pk=branch.parent_id, parent__isnull=False).exists():
                branch = branch.parent  # the manager of the sub-branch's parent sees both levels
            logins.append(("manager", "branch_manager", {"branch_code": branch.pk}))
            logins.append(("lobby", "lobby", {"branch_code": Staff.objects.get(pk=busiest[0]["rm"]).branch_id}))
        return logins

    def _create_logins(self) -> None:
        from django.contrib.auth import get_user_model

        from bankcrm.org.services import add_user, set_password, set_role

        existing = set(get_user_model().objects.values_list("username", flat=True))
        for username, role, extra in self._logins():
            if username in existing:  # --fresh over an earlier demo: `user add` refuses an existing login
                set_role(username, role=role, **extra)
                set_password(username, self._password())
            else:
                add_user(username, role=role, password=self._password(), **extra)

    def _print_logins(self) -> None:
        from bankcrm.org.models import UserProfile

        self.stdout.write(f"\ndemo logins (password: {self._password()}):")
        for profile in UserProfile.objects.select_related("user", "staff", "branch").order_by("user__username"):
            where = profile.staff_id or profile.branch_id or "all branches"
            self.stdout.write(f"  {profile.user.username:<12} {profile.role:<18} {where}")
        self.stdout.write("")

    def _seed_activity(self, end: dt.date) -> None:
        """A few complaints so the desk has something on it."""
        from django.utils import timezone

        from bankcrm.complaints.demo import seed_demo_complaints

        # Complaints run on today's clocks (not the data's end date), so the desk shows open,
        # due-soon and breached cases as a real one would.
        made = seed_demo_complaints(timezone.localdate())
        # The seeded desk has overdue cases on purpose; say so once instead of a warning per clock.
        self.stdout.write(
            f"  {made} complaints on the desk; some are overdue on purpose (the clocks run on today's date)"
        )
        # and a started campaign (marketing's four eyes) with targets in the rms' queues
        from bankcrm.campaigns.demo import seed_demo_campaign

        seed_demo_campaign(end)

    def _seed_targets(self, end: dt.date, home: Path) -> None:
        """Targets, weights, coefficients and bonus bases relative to the demo bank's own figures."""
        from bankcrm.reports.demo import seed_demo_targets

        result = seed_demo_targets(end, home)
        self.stdout.write(
            f"   targets {result['targets']}, weights {result['weights']}, coefficients {result['coefficients']}, "
            f"bonus {result['bonus']} loaded from {result['file']}"
        )
