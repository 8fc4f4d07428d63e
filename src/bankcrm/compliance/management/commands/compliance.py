"""``bankcrm compliance …`` (spec/compliance.md "Commands"): indicators, plans, screening, regulations."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "The compliance desk: indicator values, inspection plans, staff screening, regulations."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="area", required=True)
        ind = sub.add_parser("indicators", help="risk-indicator values").add_subparsers(dest="action", required=True)
        ind.add_parser("import", help="CSV/xlsx with period, code, value").add_argument("path", type=Path)
        comp = ind.add_parser("compute", help="compute retail_npl_ratio and deposit_deviation of a quarter")
        comp.add_argument("--period", required=True)
        ack = ind.add_parser("acknowledge", help="acknowledge an alert with a note")
        ack.add_argument("alert_id", type=int)
        ack.add_argument("--note", required=True)
        plan = sub.add_parser("plan", help="inspection sampling plans").add_subparsers(dest="action", required=True)
        plan.add_parser("create", help="create (or, before the draw, change) a plan from JSON").add_argument(
            "path", type=Path
        )
        plan.add_parser("draw", help="draw the plan's sample once and freeze it").add_argument("code")
        scr = sub.add_parser("screen", help="staff behaviour screening for a quarter")
        scr.add_argument("--quarter", required=True)
        sweep = sub.add_parser(
            "sweep", help="escalate overdue findings to the branch head (once each); raise access-log alerts"
        )
        sweep.add_argument("--today", help="the day to sweep as (YYYY-MM-DD; default today)")
        reg = sub.add_parser("regulations", help="the regulation library").add_subparsers(dest="action", required=True)
        reg.add_parser("import", help="CSV/xlsx; a row replaces the stored one with its reg_id").add_argument(
            "path", type=Path
        )

    def handle(self, *args, **options):
        from bankcrm.compliance import services
        from bankcrm.core.context import current

        area, action = options["area"], options.get("action")
        try:
            if area == "indicators" and action == "import":
                n = services.import_indicator_values(options["path"])
                self.stdout.write(f"indicators: {n} values loaded")
                # the quarters whose values just arrived get their computed indicators too
                for period in services.periods_in_file(options["path"]):
                    self._compute(period, required=False)
            elif area == "indicators" and action == "compute":
                if not self._compute(options["period"]):
                    raise CommandError(f"{options['period']}: no computed indicator could be computed")
            elif area == "indicators":
                from bankcrm.compliance.models import IndicatorAlert

                alert = IndicatorAlert.objects.filter(pk=options["alert_id"]).first()
                if alert is None:
                    raise CommandError(f"no alert {options['alert_id']}")
                services.acknowledge_alert(alert, current().user_name, options["note"])
                self.stdout.write(f"alert {alert.pk} acknowledged")
            elif area == "plan" and action == "create":
                plan = services.create_plan(options["path"])
                self.stdout.write(
                    f"plan {plan.code}: {plan.population} {plan.period}, {plan.rate_pct} %, full from {plan.full_above}"
                )
            elif area == "plan":
                plan, new = services.draw_plan(options["code"], current().user_name)
                sampled = plan.items.count()
                state = "drawn" if new else f"already drawn {plan.drawn_at:%Y-%m-%d %H:%M}, sample unchanged"
                self.stdout.write(f"plan {plan.code}: {state}; population {plan.population_count}, sampled {sampled}")
            elif area == "screen":
                result = services.screen(options["quarter"])
                self.stdout.write(
                    f"screen {result.quarter}: {len(result.opened)} new cases, {result.existing} already open"
                )
            elif area == "sweep":
                self._sweep(services, options.get("today"))
            else:
                new, replaced = services.import_regulations(options["path"])
                self.stdout.write(f"regulations: {new} new, {replaced} replaced")
        except services.BadInput as exc:
            for line in exc.errors[:-1]:
                self.stderr.write(line)
            raise CommandError(exc.errors[-1] if exc.errors else str(exc)) from exc

    def _sweep(self, services, today_text):
        import datetime as dt

        try:
            today = dt.date.fromisoformat(today_text) if today_text else None
        except ValueError as exc:
            raise CommandError(f"--today: {today_text!r} is not a date (YYYY-MM-DD)") from exc
        result = services.sweep(today)
        for branch in result.no_branch_head:
            self.stderr.write(f"branch {branch}: no branch-manager login to see the escalation (compliance sees it)")
        self.stdout.write(
            f"sweep {result.today}: {result.overdue} overdue findings, {len(result.escalated)} newly escalated"
        )
        from bankcrm.compliance.access import scan_access_log

        scan = scan_access_log(result.today)
        self.stdout.write(f"access log: {len(scan.raised)} new alerts, {scan.updated} brought up to date")

    def _compute(self, period: str, *, required: bool = True) -> int:
        from bankcrm.compliance.computed import compute_indicators

        result = compute_indicators(period, required=required)
        for note in result.notes:
            self.stderr.write(note)
        for value in result.stored:
            self.stdout.write(f"{period} {value.indicator_id} {value.unit}: {value.value.normalize():f} {value.status}")
        return len(result.stored)
