"""Pages where bank staff spend the day: the dashboard and the work queue (名单制管理).

Every query starts at ``Model.objects.restrict(user, "view")`` (the scoping door)
and aggregates in the database (``values().annotate()``): a head-office
dashboard over a million snapshot rows is a handful of GROUP BY queries.
"""

import re
from decimal import Decimal

from django.contrib.auth.mixins import LoginRequiredMixin
from django.db.models import Count, Max, Q, Sum
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.generic import TemplateView

from bankcrm.campaigns.models import ListItem
from bankcrm.core.charts import chart_json
from bankcrm.core.money import percent, to_wan
from bankcrm.core.views import HtmxTemplateMixin
from bankcrm.customers.models import CustomerMonth
from bankcrm.org.choices import UserRole
from bankcrm.org.scope import scope_label

from .choices import TIER_RANK, ListItemStatus, ListKind, Migration, Tier
from .definitions import add_months

MONTH_RE = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")
TIERS = sorted(Tier.values, key=TIER_RANK.__getitem__)
# Cross-sell thresholds exist for vip and above only (spec/metrics.md): mass is never qualified.
CROSS_SELL_TIERS = ("vip", "wealth", "private")


# --------------------------------------------------------------------------- helpers


# --------------------------------------------------------------------------- dashboard


def dashboard_figures(user, month: str | None = None) -> dict:
    """All dashboard numbers for ``user``'s scope, aggregated in the database."""
    snapshots = CustomerMonth.objects.restrict(user, "view")
    # Months are bank-wide (one metrics run snapshots every customer), so the newest one is read
    # without the scope: a scoped MAX() makes PostgreSQL walk the month index through other
    # people's rows (2 s for one rm at 1M customers). Only the month label is read this way.
    can_view = user.is_superuser or user.has_perm("customers.view_customermonth")
    latest = CustomerMonth.objects.aggregate(m=Max("month"))["m"] if can_view else None
    if month is None or not MONTH_RE.match(month):
        month = latest
    figures: dict = {"month": month, "latest_month": latest, "tiers": [], "has_data": month is not None}
    if month is None:
        figures["lists"] = list_progress(user)
        return figures
    # .order_by(): Meta.ordering names the customer FK, which would JOIN customers into every GROUP BY.
    this_month = snapshots.filter(month=month).order_by()

    # One scan of the month: tier × previous tier × migration (at most 80 groups), folded below
    # into the per-tier figures and the migration flows.
    flows = list(
        this_month.values("tier", "prev_tier", "migration").annotate(
            n=Count("id"),
            aum=Sum("aum_avg"),
            qualified=Count("id", filter=Q(cross_sell_qualified=True)),
            dormant_n=Count("id", filter=Q(dormant=True)),
            potential_n=Count("id", filter=Q(dormant_potential=True)),
        )
    )
    rows: dict[str, dict] = {}
    for flow in flows:
        row = rows.setdefault(
            flow["tier"], {"customers": 0, "aum": Decimal("0.00"), "qualified": 0, "dormant_n": 0, "potential_n": 0}
        )
        row["customers"] += flow["n"]
        row["aum"] += flow["aum"] or Decimal("0.00")
        for key in ("qualified", "dormant_n", "potential_n"):
            row[key] += flow[key]
    december = f"{int(month[:4]) - 1}-12"
    baseline = {
        row["tier"]: row["n"]
        for row in snapshots.filter(month=december).values("tier").annotate(n=Count("id")).order_by()
    }
    has_baseline = bool(baseline)  # no December rows at all: the figure is unknown, not "all new"
    tiers = []
    for code in TIERS:
        row = rows.get(code, {})
        customers = row.get("customers", 0)
        tiers.append(
            {
                "code": code,
                "label": Tier(code).label,
                "customers": customers,
                "aum": row.get("aum") or Decimal("0.00"),
                "qualified": row.get("qualified", 0),
                "cross_sell_rate": percent(row.get("qualified", 0), customers) if code in CROSS_SELL_TIERS else None,
                "dormant": row.get("dormant_n", 0),
                "dormant_potential": row.get("potential_n", 0),
                "december": baseline.get(code, 0) if has_baseline else None,
                "net_increase": customers - baseline.get(code, 0) if has_baseline else None,
            }
        )
    total_customers = sum(t["customers"] for t in tiers)
    total_aum = sum((t["aum"] for t in tiers), Decimal("0.00"))
    eligible = [t for t in tiers if t["code"] in CROSS_SELL_TIERS]
    figures.update(
        tiers=tiers,
        december=december,
        has_baseline=has_baseline,
        totals={
            "customers": total_customers,
            "aum": total_aum,
            "aum_wan": (total_aum / 10000).quantize(Decimal("0.01")),
            "qualified": sum(t["qualified"] for t in tiers),
            "dormant": sum(t["dormant"] for t in tiers),
            "dormant_potential": sum(t["dormant_potential"] for t in tiers),
            "december": sum(t["december"] or 0 for t in tiers) if has_baseline else None,
            "net_increase": sum(t["net_increase"] or 0 for t in tiers) if has_baseline else None,
        },
    )
    figures["cross_sell_rate"] = percent(sum(t["qualified"] for t in eligible), sum(t["customers"] for t in eligible))

    # Month-on-month migration: previous tier → tier, with the migration kind.
    by_kind = {kind: 0 for kind in Migration.values}
    matrix = {prev: {cur: 0 for cur in TIERS} for prev in ["", *TIERS]}
    for flow in flows:
        by_kind[flow["migration"]] = by_kind.get(flow["migration"], 0) + flow["n"]
        prev = flow["prev_tier"] if flow["migration"] != Migration.NEW else ""
        matrix.setdefault(prev, {cur: 0 for cur in TIERS})[flow["tier"]] += flow["n"]
    figures["migration"] = [
        {"code": kind, "label": Migration(kind).label, "n": by_kind.get(kind, 0)}
        for kind in (Migration.UP, Migration.DOWN, Migration.NEW, Migration.SAME)
    ]
    figures["migration_matrix"] = [
        {
            "label": Tier(prev).label if prev else Migration.NEW.label,
            "cells": [matrix[prev][cur] for cur in TIERS],
            "total": sum(matrix[prev].values()),
        }
        for prev in ["", *TIERS]
    ]
    figures["previous_month"] = add_months(month, -1)
    figures["next_month"] = add_months(month, 1) if latest and month < latest else None
    figures["lists"] = list_progress(user)
    figures["charts"] = dashboard_charts(figures, flows)
    return figures


def list_progress(user) -> list[dict]:
    """ListItem status counts per list kind, for each list's newest as-of date in scope."""
    items = ListItem.objects.restrict(user, "view")
    newest = dict(items.values_list("kind").annotate(d=Max("as_of")).order_by())
    if not newest:
        return []
    latest_only = Q()
    for kind, as_of in newest.items():
        latest_only |= Q(kind=kind, as_of=as_of)
    counts: dict[str, dict[str, int]] = {}
    for row in items.filter(latest_only).values("kind", "status").annotate(n=Count("id")).order_by():
        counts.setdefault(row["kind"], {})[row["status"]] = row["n"]
    progress = []
    for kind in ListKind.values:
        if kind not in newest:
            continue
        by_status = counts.get(kind, {})
        total = sum(by_status.values())
        statuses = [by_status.get(status, 0) for status in ListItemStatus.values]
        progress.append(
            {
                "kind": kind,
                "label": ListKind(kind).label,
                "as_of": newest[kind],
                "statuses": statuses,
                "total": total,
                # A broken promise is work to do again, not follow-up done.
                "done_rate": percent(
                    total - by_status.get(ListItemStatus.PENDING, 0) - by_status.get(ListItemStatus.PROMISE_BROKEN, 0),
                    total,
                ),
            }
        )
    return progress


def dashboard_charts(figures: dict, flows: list[dict]) -> dict[str, str]:
    tiers = figures["tiers"]
    labels = [str(t["label"]) for t in tiers]
    charts = {
        "tiers": chart_json(
            {
                "tooltip": {"trigger": "axis"},
                "legend": {"top": 0},
                "grid": {"left": 50, "right": 60, "top": 40, "bottom": 30},
                "xAxis": {"type": "category", "data": labels},
                "yAxis": [
                    {"type": "value", "name": pgettext("count", "Customers")},
                    {"type": "value", "name": _("AUM (10k CNY)")},
                ],
                "series": [
                    {"name": pgettext("count", "Customers"), "type": "bar", "data": [t["customers"] for t in tiers]},
                    {
                        "name": _("AUM (10k CNY)"),
                        "type": "line",
                        "yAxisIndex": 1,
                        "data": [to_wan(t["aum"]) for t in tiers],
                    },
                ],
            }
        )
    }
    # Sankey: last month's tier (left) → this month's tier (right); new customers flow from "new".
    before = {code: _("Last month · %(tier)s") % {"tier": Tier(code).label} for code in TIERS}
    new_label = str(Migration.NEW.label)
    links: dict[tuple[str, str], int] = {}
    for flow in flows:
        source = new_label if flow["migration"] == Migration.NEW else before.get(flow["prev_tier"], new_label)
        target = str(Tier(flow["tier"]).label)
        links[(source, target)] = links.get((source, target), 0) + flow["n"]
    used = {name for pair in links for name in pair}
    nodes = [name for name in [new_label, *before.values(), *labels] if name in used]
    charts["migration"] = chart_json(
        {
            "tooltip": {"trigger": "item"},
            "series": [
                {
                    "type": "sankey",
                    "left": 10,
                    "right": 10,
                    # Labels sit right of their node by default, so this month's column (the last)
                    # drew its labels past the chart's edge, cut off ("Private banking"). They go
                    # left of their nodes, inside the chart, whatever the label's length (issue 14).
                    "levels": [
                        {"depth": 0, "label": {"position": "right"}},
                        {"depth": 1, "label": {"position": "left"}},
                    ],
                    "emphasis": {"focus": "adjacency"},
                    "data": [{"name": name} for name in nodes],
                    "links": [{"source": s, "target": t, "value": n} for (s, t), n in links.items() if n],
                }
            ],
        }
    )
    status_labels = [str(label) for label in ListItemStatus.labels]
    lists = figures["lists"]
    charts["lists"] = chart_json(
        {
            "tooltip": {"trigger": "axis", "axisPointer": {"type": "shadow"}},
            "legend": {"top": 0},
            "grid": {"left": 110, "right": 20, "top": 40, "bottom": 20},
            "xAxis": {"type": "value"},
            "yAxis": {"type": "category", "data": [str(row["label"]) for row in lists]},
            "series": [
                {
                    "name": status_labels[i],
                    "type": "bar",
                    "stack": "total",
                    "data": [row["statuses"][i] for row in lists],
                }
                for i in range(len(status_labels))
            ],
        }
    )
    return charts


class DashboardView(LoginRequiredMixin, HtmxTemplateMixin, TemplateView):
    template_name = "analytics/dashboard.html"
    partial_template_name = "analytics/_dashboard.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["figures"] = dashboard_figures(self.request.user, self.request.GET.get("month"))
        context["scope_label"] = scope_label(self.request.user)
        context["status_labels"] = ListItemStatus.labels
        context["rm_ranking_branch"] = rm_ranking_branch(self.request.user)
        return context


def rm_ranking_branch(user) -> str | None:
    """The branch whose relationship managers the dashboard links to the ranking of (issue 14): a
    branch head's own branch (reports' drill-down of a branch ranks its rms); nobody else's."""
    profile = getattr(user, "profile", None)
    if profile is None or profile.role != UserRole.BRANCH_MANAGER or not profile.branch_id:
        return None
    return profile.branch_id if user.has_perm("reports.view_target") else None


def dashboard_workbook(figures: dict, *, scope: str, user_name: str):
    """The dashboard as an Excel workbook (issue 14): what the page shows, as numbers a branch head
    can sum and chart. Headers are in the user's language (the sheet is read by people); amounts are
    exact decimals, rates percentages as on the page. Every row through ``append_row``."""
    from django.utils import timezone
    from openpyxl import Workbook

    from bankcrm.core.spreadsheets import append_row, money_cell

    book = Workbook(write_only=True)
    about = book.create_sheet(_("Dashboard"))
    for label, value in (
        (_("Scope"), scope),
        (_("Month"), figures.get("month") or ""),
        (_("Exported at"), timezone.localtime().replace(tzinfo=None, microsecond=0)),
        (_("Exported by"), user_name),
    ):
        append_row(about, [label, value])
    if figures.get("has_data"):
        tiers = book.create_sheet(_("Tiers"))
        append_row(
            tiers,
            [_("Tier"), pgettext("count", "Customers"), _("AUM daily average (CNY)"), _("Cross-sell qualified"),
             _("Cross-sell rate %"), _("Dormant"), _("Dormant with potential"), _("Customers last December"),
             _("Net increase this year")],
        )  # fmt: skip
        for t in [*figures["tiers"], {**figures["totals"], "label": _("Total"), "cross_sell_rate": None}]:
            append_row(
                tiers,
                [t["label"], t["customers"], money_cell(t["aum"]), t["qualified"], t.get("cross_sell_rate"),
                 t["dormant"], t["dormant_potential"], t["december"], t["net_increase"]],
            )  # fmt: skip
        migration = book.create_sheet(_("Migration"))
        append_row(migration, [_("Migration"), pgettext("count", "Customers")])
        for row in figures["migration"]:
            append_row(migration, [row["label"], row["n"]])
        append_row(migration, [])
        append_row(migration, [_("Previous tier"), *[Tier(code).label for code in TIERS], _("Total")])
        for row in figures["migration_matrix"]:
            append_row(migration, [row["label"], *row["cells"], row["total"]])
    lists = book.create_sheet(_("Lists"))
    append_row(lists, [_("List"), _("As of"), *ListItemStatus.labels, _("Total"), _("Followed up %")])
    for row in figures.get("lists", []):
        append_row(lists, [row["label"], row["as_of"], *row["statuses"], row["total"], row["done_rate"]])
    return book


class DashboardExportView(LoginRequiredMixin, TemplateView):
    """``/analytics/export.xlsx?month=``: the dashboard of the user's scope as a workbook, logged."""

    def get(self, request, *args, **kwargs):
        from django.http import HttpResponse

        from bankcrm.core.accesslog import record_access

        figures = dashboard_figures(request.user, request.GET.get("month"))
        book = dashboard_workbook(figures, scope=str(scope_label(request.user)), user_name=request.user.get_username())
        response = HttpResponse(content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
        response["Content-Disposition"] = f'attachment; filename="dashboard-{figures.get("month") or "none"}.xlsx"'
        book.save(response)
        record_access(
            "export", user=request.user, path=request.get_full_path(), detail=f"dashboard {figures.get('month')}"
        )
        return response
