"""``bankcrm export KIND``: one command, each kind implemented by the app that owns the data."""

import datetime as dt
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError


def _date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError as exc:
        raise CommandError(f"not a date (YYYY-MM-DD): {value!r}") from exc


def _month(value: str) -> str:
    try:
        dt.date.fromisoformat(f"{value}-01")
    except ValueError as exc:
        raise CommandError(f"not a month (YYYY-MM): {value!r}") from exc
    return value


def never_computed(kind: str, options) -> str | None:
    """Why there is nothing to export because the figures were never computed, or None.

    Success only when something was produced (issue 15.10): a scheduler must not pass on an empty
    file as a month's figures. An empty list of a date that *was* computed is a result (nobody is
    on it today) and exports as such.
    """
    from bankcrm.campaigns.models import ListItem
    from bankcrm.customers.models import CustomerMonth

    if kind == "customer-month":
        month = options["month"]
        if not CustomerMonth.objects.filter(month=month).exists():
            return f"month {month} was never computed (bankcrm metrics --as-of its last day first)"
    if kind in ("list", "tier-summary"):
        as_of = options["as_of"]
        if not (CustomerMonth.objects.filter(as_of=as_of).exists() or ListItem.objects.filter(as_of=as_of).exists()):
            day = as_of.isoformat()
            return f"metrics were never computed as of {day} (bankcrm metrics --as-of {day} first)"
    return None


class Command(BaseCommand):
    help = "Export customer-month, a list, quality findings, the tier summary, loan figures and more to CSV (or Excel)."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="kind", required=True)
        cm = sub.add_parser("customer-month", help="the snapshot of one month, ordered by customer_no")
        cm.add_argument("--month", required=True, type=_month)
        cm.add_argument("--out", required=True, type=Path)
        li = sub.add_parser("list", help="one list (名单) of one as-of date")
        li.add_argument("--kind", required=True, dest="list_kind")
        li.add_argument("--as-of", required=True, type=_date, dest="as_of")
        li.add_argument("--out", required=True, type=Path)
        qu = sub.add_parser("quality", help="data-quality findings")
        qu.add_argument("--out", required=True, type=Path)
        ts = sub.add_parser("tier-summary", help="per branch / rm and tier: customers, AUM, migration, cross-sell")
        ts.add_argument("--as-of", required=True, type=_date, dest="as_of")
        ts.add_argument("--out", required=True, type=Path)
        ind = sub.add_parser("indicators", help="indicator figures per unit for a period type (spec/indicators.md)")
        ind.add_argument("--as-of", required=True, type=_date, dest="as_of")
        ind.add_argument("--period", required=True, choices=["day", "week", "xun", "month", "quarter", "year"])
        ind.add_argument("--unit", default=None)
        ind.add_argument("--out", required=True, type=Path)
        tg = sub.add_parser("targets", help="target completion as of a date")
        tg.add_argument("--as-of", required=True, type=_date, dest="as_of")
        tg.add_argument("--out", required=True, type=Path)
        sc = sub.add_parser("scorecard", help="scores, coefficients and bonuses of a period")
        sc.add_argument("--period", required=True, dest="score_period")
        sc.add_argument("--as-of", required=True, type=_date, dest="as_of")
        sc.add_argument("--out", required=True, type=Path)
        ca = sub.add_parser("campaign", help="a campaign's members (and FILE.excluded: its exclusions)")
        ca.add_argument("--code", required=True)
        ca.add_argument("--out", required=True, type=Path)
        cs = sub.add_parser("campaign-summary", help="per group: response rate, sales, fee; uplift, incremental fee")
        cs.add_argument("--code", required=True)
        cs.add_argument("--out", required=True, type=Path)
        su = sub.add_parser("suitability", help="suitability findings on imported sales (the mis-selling report)")
        su.add_argument("--out", required=True, type=Path)
        ri = sub.add_parser("risk-indicators", help="risk-indicator values, status and change of a quarter")
        ri.add_argument("--period", required=True, dest="quarter")
        ri.add_argument("--out", required=True, type=Path)
        sa = sub.add_parser("sample", help="an inspection plan's frozen sample, ordered by key")
        sa.add_argument("--plan", required=True)
        sa.add_argument("--out", required=True, type=Path)
        cs2 = sub.add_parser("cases", help="staff screening cases of a quarter")
        cs2.add_argument("--quarter", required=True)
        cs2.add_argument("--out", required=True, type=Path)
        lo = sub.add_parser(
            "loans", help="loan figures per unit: balances, overdue buckets M1-M4+, NPL (spec/loans.md)"
        )
        lo.add_argument("--as-of", required=True, type=_date, dest="as_of")
        lo.add_argument("--out", required=True, type=Path)
        lf = sub.add_parser("loan-findings", help="loans classed more leniently than their overdue days allow")
        lf.add_argument("--as-of", required=True, type=_date, dest="as_of")
        lf.add_argument("--out", required=True, type=Path)
        lr = sub.add_parser("loan-rolls", help="roll rates per unit from the previous month-end's buckets to D")
        lr.add_argument("--as-of", required=True, type=_date, dest="as_of")
        lr.add_argument("--out", required=True, type=Path)
        for kind_parser in sub.choices.values():
            kind_parser.add_argument(
                "--allow-empty",
                action="store_true",
                help="export even figures never computed (the file then holds the header only)",
            )

    def handle(self, *args, **options):
        kind, out = options["kind"], options["out"]
        if out.parent and not out.parent.exists():
            raise CommandError(f"folder does not exist: {out.parent}")
        if not options.get("allow_empty") and (reason := never_computed(kind, options)):
            raise CommandError(f"{kind}: {reason}; nothing written (--allow-empty writes the header only)")
        if kind == "customer-month":
            from bankcrm.analytics.exports import export_customer_month

            rows = export_customer_month(options["month"], out)
        elif kind == "list":
            from bankcrm.analytics.exports import export_list

            rows = export_list(options["list_kind"], options["as_of"], out)
        elif kind == "quality":
            from bankcrm.ingest.exports import export_quality

            rows = export_quality(out)
        elif kind in ("loans", "loan-findings", "loan-rolls"):
            from bankcrm.analytics import loans

            try:
                if kind == "loans":
                    rows = loans.export_loans(options["as_of"], out)
                elif kind == "loan-rolls":
                    rows = loans.export_loan_rolls(options["as_of"], out)
                else:
                    rows = loans.export_loan_findings(options["as_of"], out)
            except loans.NoLoansFile as exc:
                raise CommandError(str(exc)) from exc
        elif kind in ("indicators", "targets", "scorecard"):
            rows = self._reports(kind, options, out)
        elif kind in ("campaign", "campaign-summary", "suitability"):
            from bankcrm.campaigns import exports as campaign_exports

            if kind == "campaign":
                rows = campaign_exports.export_campaign(options["code"], out)
            elif kind == "campaign-summary":
                rows = campaign_exports.export_campaign_summary(options["code"], out)
            else:
                rows = campaign_exports.export_suitability(out)
        elif kind in ("risk-indicators", "sample", "cases"):
            rows = self._compliance(kind, options, out)
        else:
            from bankcrm.analytics.exports import export_tier_summary

            rows = export_tier_summary(options["as_of"], out)
        from bankcrm.core.accesslog import record_access

        record_access("export", detail=f"{kind} → {out.name} ({rows} rows)", path=f"cli:export {kind}")
        self.stdout.write(f"{kind}: {rows} rows written to {out}")

    def _reports(self, kind: str, options, out: Path) -> int:
        from bankcrm.reports import exports
        from bankcrm.reports.periods import BadPeriod
        from bankcrm.reports.services import UnknownUnit, resolve_unit

        try:
            if kind == "indicators":
                if options["unit"]:
                    resolve_unit(options["unit"])
                return exports.export_indicators(options["as_of"], options["period"], out, options["unit"])
            if kind == "targets":
                return exports.export_targets(options["as_of"], out)
            return exports.export_scorecard(options["score_period"], options["as_of"], out)
        except (BadPeriod, UnknownUnit) as exc:
            raise CommandError(str(exc)) from exc

    def _compliance(self, kind: str, options, out: Path) -> int:
        from bankcrm.compliance import exports
        from bankcrm.compliance.services import BadInput

        try:
            if kind == "risk-indicators":
                return exports.export_risk_indicators(options["quarter"], out)
            if kind == "sample":
                return exports.export_sample(options["plan"], out)
            return exports.export_cases(options["quarter"], out)
        except BadInput as exc:
            raise CommandError(str(exc)) from exc
