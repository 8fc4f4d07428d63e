"""Pages where bank staff spend the day: the dashboard and the work queue (名单制管理).

Every query starts at ``Model.objects.restrict(user, "view")`` (the scoping door)
and aggregates in the database (``values().annotate()``): a head-office
dashboard over a million snapshot rows is a handful of GROUP BY queries.
"""

import re
from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import BooleanField, Case, Count, F, Max, OuterRef, Q, Subquery, Sum, Value, When
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.generic import ListView, TemplateView, View
from django.views.generic.detail import SingleObjectMixin

from bankcrm.core.charts import chart_json
from bankcrm.core.money import percent, to_wan
from bankcrm.core.views import HtmxTemplateMixin, RestrictedViewMixin, render_page
from bankcrm.customers.choices import ContactChannel, ContactOutcome
from bankcrm.customers.models import ContactLog, Customer
from bankcrm.org.choices import StaffStatus
from bankcrm.org.models import Branch, Staff
from bankcrm.org.scope import scope_for

from . import services
from .choices import TIER_RANK, ListItemStatus, ListKind, Migration, Tier
from .definitions import add_months
from .filtersets import ListItemFilterSet
from .forms import ContactForm, ReassignCustomerForm, ReassignItemForm, StatusForm
from .models import CustomerMonth, ListItem

MONTH_RE = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")
TIERS = sorted(Tier.values, key=TIER_RANK.__getitem__)
# Cross-sell thresholds exist for vip and above only (spec/metrics.md): mass is never qualified.
CROSS_SELL_TIERS = ("vip", "wealth", "private")
BRANCH_QUEUE_PREFIX = "branch:"


# --------------------------------------------------------------------------- helpers


def scope_label(user) -> str:
    scope = scope_for(user)
    profile = getattr(user, "profile", None)
    if scope.everything:
        return _("Whole bank")
    if scope.staff_no is not None:
        staff = getattr(profile, "staff", None)
        return _("My portfolio: %(staff)s") % {"staff": staff or scope.staff_no}
    branch = getattr(profile, "branch", None)
    if branch is not None:
        return _("%(branch)s and the branches below it") % {"branch": branch}
    return _("Nothing in scope")


def can_manage_queue(user) -> bool:
    """Reassigning work and customers (归户) is a manager's job: it needs the right to change customers.

    Relationship managers may change list items (their status) but not customers, so this
    keeps them out of reassignment without a role switch in the view.
    """
    return user.has_perm("customers.change_customer")


# --------------------------------------------------------------------------- dashboard


def dashboard_figures(user, month: str | None = None) -> dict:
    """All dashboard numbers for ``user``'s scope, aggregated in the database."""
    snapshots = CustomerMonth.objects.restrict(user, "view")
    # Months are bank-wide (one metrics run snapshots every customer), so the newest one is read
    # without the scope: a scoped MAX() makes PostgreSQL walk the month index through other
    # people's rows (2 s for one rm at 1M customers). Only the month label is read this way.
    can_view = user.is_superuser or user.has_perm("analytics.view_customermonth")
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
                "done_rate": percent(total - by_status.get(ListItemStatus.PENDING, 0), total),
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
                    "right": 90,
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
        return context


# --------------------------------------------------------------------------- work queue


def my_staff_no(user) -> str | None:
    profile = getattr(user, "profile", None)
    return getattr(profile, "staff_id", None)


def branch_queues(user) -> list[str]:
    """The branch queues (``branch:<code>``) of the branches in the user's scope."""
    return [
        f"{BRANCH_QUEUE_PREFIX}{code}"
        for code in Branch.objects.restrict(user, "view").order_by("code").values_list("code", flat=True)
    ]


def assignee_choices(user) -> list[tuple[str, str]]:
    """Where a manager may hand work: active staff of the branches in scope, then the branch queues."""
    staff = Staff.objects.restrict(user, "view").filter(status=StaffStatus.ACTIVE).select_related("branch")
    choices = [(s.staff_no, f"{s.staff_no} {s.name} · {s.branch.name}") for s in staff.order_by("branch", "staff_no")]
    choices += [
        (queue, _("Branch queue %(code)s") % {"code": queue[len(BRANCH_QUEUE_PREFIX) :]})
        for queue in branch_queues(user)
    ]
    return choices


def assignee_names(codes) -> dict[str, str]:
    staff_nos = [code for code in codes if not code.startswith(BRANCH_QUEUE_PREFIX)]
    names = dict(Staff.objects.filter(staff_no__in=staff_nos).values_list("staff_no", "name"))
    labels = {}
    for code in codes:
        if code.startswith(BRANCH_QUEUE_PREFIX):
            labels[code] = _("Branch queue %(code)s") % {"code": code[len(BRANCH_QUEUE_PREFIX) :]}
        else:
            labels[code] = f"{code} {names.get(code, '')}".strip()
    return labels


def annotate_follow_up(queryset, user):
    """Next follow-up from the customer's latest contact entered by this user; due ones first."""
    latest_mine = ContactLog.objects.filter(customer=OuterRef("customer_id"), user_name=user.get_username()).order_by(
        "-contacted_at", "-pk"
    )
    today = timezone.localdate()
    return queryset.annotate(
        follow_up=Subquery(latest_mine.values("next_follow_up")[:1]),
        due=Case(When(follow_up__lte=today, then=Value(True)), default=Value(False), output_field=BooleanField()),
    )


class WorkQueueMixin(RestrictedViewMixin):
    """The scoped list items of the signed-in user; the queue tab narrows them further."""

    model = ListItem

    def queue_tabs(self) -> list[str]:
        tabs = ["mine"] if my_staff_no(self.request.user) else []
        if scope_for(self.request.user).staff_no is None:
            tabs += ["branch", "all"]
        return tabs

    def current_queue(self) -> str:
        tabs = self.queue_tabs()
        wanted = self.request.GET.get("queue")
        if wanted in tabs:
            return wanted
        return tabs[0] if tabs else "mine"

    def queue_queryset(self, queryset, queue: str):
        user = self.request.user
        if queue == "mine":
            return queryset.filter(assignee=my_staff_no(user) or "")
        if queue == "branch":
            return queryset.filter(assignee__startswith=BRANCH_QUEUE_PREFIX)
        return queryset

    def item_context(self) -> dict:
        """What every item card needs, computed once per request (no per-item queries)."""
        user = self.request.user
        manager = can_manage_queue(user)
        context = {
            "channels": ContactChannel.choices,
            "outcomes": ContactOutcome.choices,
            "statuses": ListItemStatus.choices,
            "can_contact": user.has_perm("customers.add_contactlog"),
            "can_set_status": user.has_perm("analytics.change_listitem"),
            "can_manage": manager,
            "today": timezone.localdate(),
        }
        if manager:
            context["assignee_choices"] = assignee_choices(user)
            context["rm_choices"] = [c for c in context["assignee_choices"] if not c[0].startswith(BRANCH_QUEUE_PREFIX)]
        return context


class WorkQueueView(WorkQueueMixin, HtmxTemplateMixin, ListView):
    template_name = "analytics/workqueue.html"
    partial_template_name = "analytics/_workqueue_items.html"
    paginate_by = 50

    def get_queryset(self):
        queryset = super().get_queryset().select_related("customer")
        self.queue = self.current_queue()
        queryset = self.queue_queryset(queryset, self.queue)
        self.filterset = ListItemFilterSet(self.request.GET or None, queryset=queryset)
        queryset = self.filterset.qs if self.filterset.is_bound else queryset
        if not self.request.GET.get("as_of"):
            queryset = queryset.filter(services.current_lists())  # earlier months' lists only on request
        queryset = annotate_follow_up(queryset, self.request.user)
        status_order = Case(
            *[When(status=s, then=Value(i)) for i, s in enumerate(ListItemStatus.values)], default=Value(9)
        )
        return queryset.order_by(
            F("due").desc(), F("follow_up").asc(nulls_last=True), status_order, "kind", "-as_of", "rank", "pk"
        )

    def progress(self) -> list[dict]:
        """Per assignee: pending / contacted / converted / declined (managers only)."""
        items = ListItem.objects.restrict(self.request.user, "view")
        if self.filterset.is_bound:
            self.filterset.errors  # noqa: B018 - validates, so cleaned_data exists
            items = self.filterset.filter_queryset(items)
        counts: dict[str, dict[str, int]] = {}
        for row in items.values("assignee", "status").annotate(n=Count("id")).order_by():
            counts.setdefault(row["assignee"], {})[row["status"]] = row["n"]
        names = assignee_names(counts)
        rows = []
        for assignee in sorted(counts, key=lambda a: (a.startswith(BRANCH_QUEUE_PREFIX), a)):
            by_status = counts[assignee]
            total = sum(by_status.values())
            rows.append(
                {
                    "assignee": assignee,
                    "name": names[assignee],
                    "statuses": [by_status.get(s, 0) for s in ListItemStatus.values],
                    "total": total,
                    "done_rate": percent(total - by_status.get(ListItemStatus.PENDING, 0), total),
                }
            )
        return rows

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(self.item_context())
        context["filterset"] = self.filterset
        context["queue"] = self.queue
        context["queue_tabs"] = self.queue_tabs()
        context["scope_label"] = scope_label(self.request.user)
        query = self.request.GET.copy()
        query.pop("page", None)
        context["query_string"] = query.urlencode()
        context["status_labels"] = ListItemStatus.labels
        if self.queue != "mine" or context["can_manage"]:
            context["progress"] = self.progress()
        for item in context["object_list"]:
            item.customer_url = reverse("customers:detail", args=[item.customer_id])
        return context


class ListItemView(WorkQueueMixin, SingleObjectMixin, View):
    """One item: GET shows it; POST runs one action on it through the services.

    htmx requests get the item card back (the one htmx helper); plain form posts
    are redirected to the queue (post/redirect/get).
    """

    template_name = "analytics/listitem.html"
    partial_template_name = "analytics/_item.html"
    actions = ("contact", "status", "reassign", "reassign_customer")

    def get_item(self) -> ListItem:
        queryset = annotate_follow_up(self.get_queryset().select_related("customer"), self.request.user)
        return get_object_or_404(queryset, pk=self.kwargs["pk"])

    def render_item(self, item, *, errors=None, notice=None, status=200):
        item.customer_url = reverse("customers:detail", args=[item.customer_id])
        context = {**self.item_context(), "item": item, "errors": errors or [], "notice": notice}
        context["contacts"] = (
            ContactLog.objects.restrict(self.request.user, "view").filter(list_item=item).select_related("staff")[:10]
        )
        return render_page(
            self.request, self.template_name, context, partial_template_name=self.partial_template_name, status=status
        )

    def get(self, request, *args, **kwargs):
        return self.render_item(self.get_item())

    def post(self, request, *args, **kwargs):
        item = self.get_item()
        action = request.POST.get("action")
        if action not in self.actions:
            return self.render_item(item, errors=[_("Unknown action.")], status=400)
        try:
            notice, errors = getattr(self, f"do_{action}")(item)
        except PermissionDenied as exc:
            return self.render_item(item, errors=[str(exc) or _("Not permitted.")], status=403)
        except ValidationError as exc:
            return self.render_item(item, errors=exc.messages, status=400)
        if errors:
            return self.render_item(item, errors=errors, status=400)
        if not getattr(request, "htmx", False):
            messages.success(request, notice)
            return redirect(request.POST.get("next") or reverse("analytics:workqueue"))
        try:
            refreshed = self.get_item()
        except Http404:
            # Handed to someone outside this user's view: say so instead of a dead card.
            return render_page(
                request,
                self.template_name,
                {"gone": True, "notice": notice},
                partial_template_name=self.partial_template_name,
            )
        return self.render_item(refreshed, notice=notice)

    @staticmethod
    def form_errors(form) -> list[str]:
        return [
            f"{form.fields[name].label if name in form.fields else name}: {' '.join(errs)}"
            for name, errs in form.errors.items()
        ]

    def do_contact(self, item):
        from bankcrm.customers.services import log_contact

        if not self.request.user.has_perm("customers.add_contactlog"):
            raise PermissionDenied(_("You may not log contacts."))
        form = ContactForm(self.request.POST)
        if not form.is_valid():
            return None, self.form_errors(form)
        customer = get_object_or_404(Customer.objects.restrict(self.request.user, "view"), pk=item.customer_id)
        log_contact(customer, self.request.user, list_item=item, **form.cleaned_data)
        return _("Contact logged."), []

    def do_status(self, item):
        if not self.request.user.has_perm("analytics.change_listitem"):
            raise PermissionDenied(_("You may not change list items."))
        form = StatusForm(self.request.POST)
        if not form.is_valid():
            return None, self.form_errors(form)
        services.set_list_item_status(item, form.cleaned_data["status"], self.request.user)
        return _("Status changed."), []

    def do_reassign(self, item):
        if not can_manage_queue(self.request.user):
            raise PermissionDenied(_("Only managers reassign work."))
        form = ReassignItemForm(self.request.POST, assignee_choices=assignee_choices(self.request.user))
        if not form.is_valid():
            return None, self.form_errors(form)
        services.reassign_list_item(item, form.cleaned_data["assignee"], self.request.user)
        return _("Item reassigned."), []

    def do_reassign_customer(self, item):
        from bankcrm.customers.services import reassign_customer

        if not can_manage_queue(self.request.user):
            raise PermissionDenied(_("Only managers reassign customers."))
        rm_choices = [c for c in assignee_choices(self.request.user) if not c[0].startswith(BRANCH_QUEUE_PREFIX)]
        form = ReassignCustomerForm(self.request.POST, rm_choices=rm_choices)
        if not form.is_valid():
            return None, self.form_errors(form)
        customer = get_object_or_404(Customer.objects.restrict(self.request.user, "change"), pk=item.customer_id)
        staff_no = form.cleaned_data["rm"]
        staff = Staff.objects.get(pk=staff_no) if staff_no else None
        reassign_customer(customer, staff, self.request.user)
        return _("Customer reassigned."), []
