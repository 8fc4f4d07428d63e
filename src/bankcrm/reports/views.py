"""Report pages: 经营报表 (the 日/周/旬/月报 with drill-down), 目标完成, 我的目标, 考核, 电网 red lines.

Figures are computed (services.py), not rows of a model: the pages check the reports permission
through ``RestrictedViewMixin`` (model = Target), take targets through the scoping door
(``Target.objects.restrict``) and limit computed units with ``unit_scope`` — itself read through
``restrict`` on branches and staff — so a page shows exactly what the API returns.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from decimal import Decimal

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.generic import TemplateView

from bankcrm.core.views import HtmxTemplateMixin, RestrictedViewMixin, render_page

from . import services
from .choices import TargetStatus
from .forms import RedLineForm, ReportForm, ScorecardForm
from .indicators import DEVIATION, INDICATORS, indicator_label
from .models import RedLine, Target
from .periods import period_of
from .rollup import latest_day, refresh_if_stale

# The 旬报's columns, in the order a branch head reads them (范文第2篇's list).
REPORT_COLUMNS = (
    "deposit_balance",
    "deposit_avg",
    "aum_balance",
    "aum_avg",
    "loan_balance",
    "loan_customers",
    "overdue_balance",
    "npl_balance",
    "vip_customers",
    "wealth_customers",
    "private_customers",
    "qualified_customers",
    "new_customers",
    "sales_amount",
    "fee_income",
)
STATUS_COLOURS = {TargetStatus.AHEAD: "#198754", TargetStatus.BEHIND: "#ffc107", TargetStatus.AT_RISK: "#dc3545"}


def fresh_inputs() -> None:
    refresh_if_stale()  # one refresh at a time (reports/rollup.py)


def unit_names() -> dict[str, str]:
    from bankcrm.org.models import Branch, Staff

    names = {"bank": _("Whole bank")}
    names.update({f"branch:{c}": n for c, n in Branch.objects.values_list("code", "name")})
    names.update({f"rm:{s}": n for s, n in Staff.objects.values_list("staff_no", "name")})
    return names


def children_of(unit: str) -> list[str]:
    """Drill-down: the bank → every branch (head office ranks all outlets); a branch → the branches
    directly below it and the rms of that branch who have customers."""
    from bankcrm.customers.models import Customer
    from bankcrm.org.models import Branch

    if unit == "bank":
        return [f"branch:{c}" for c in Branch.objects.order_by("code").values_list("code", flat=True)]
    if unit.startswith("branch:"):
        code = unit[7:]
        below = Branch.objects.filter(parent_id=code).order_by("code").values_list("code", flat=True)
        rms = Customer.objects.filter(rm__branch_id=code).order_by("rm_id").values_list("rm_id", flat=True).distinct()
        return [*(f"branch:{c}" for c in below), *(f"rm:{s}" for s in rms)]
    return []


def home_unit(user, scope: services.UnitScope) -> str:
    if scope.everything:
        return "bank"
    profile = getattr(user, "profile", None)
    if profile is not None and profile.staff_id and scope.allows(f"rm:{profile.staff_id}"):
        return f"rm:{profile.staff_id}"
    if profile is not None and profile.branch_id and scope.allows(f"branch:{profile.branch_id}"):
        return f"branch:{profile.branch_id}"
    raise PermissionDenied


@dataclass
class ReportLine:
    unit: str
    name: str
    rank: int | None
    cells: list
    drill: bool


class ReportsPermissionMixin(RestrictedViewMixin):
    model = Target  # the reports permission (reports.view_target) opens every report page


class IndicatorReportView(ReportsPermissionMixin, HtmxTemplateMixin, TemplateView):
    """经营报表: one row per unit below the chosen one, ranked by an indicator; Excel like a 旬报."""

    template_name = "reports/report.html"
    partial_template_name = "reports/_report_table.html"

    def get(self, request, *args, **kwargs):
        form = ReportForm(request.GET or None, initial={"period": "xun", "as_of": latest_day()})
        if form.is_bound and not form.is_valid():
            return render_page(request, self.template_name, {"form": form, "report": None}, status=400)
        data = form.cleaned_data if form.is_bound else form.initial
        period, as_of = data.get("period") or "xun", data.get("as_of") or latest_day()
        rank_by = data.get("rank_by") or "deposit_avg"
        scope = services.unit_scope(request.user)
        unit = data.get("unit") or home_unit(request.user, scope)
        if not scope.allows(unit):
            raise Http404
        fresh_inputs()
        report = self.build(unit, period, as_of, rank_by, scope)
        if request.GET.get("format") == "xlsx":
            return self.xlsx(report, period, as_of)
        context = {"form": form, "report": report, "period": period, "as_of": as_of, "rank_by": rank_by}
        return self.render_to_response(self.get_context_data(**context))

    def build(self, unit, period, as_of, rank_by, scope) -> dict:
        children = [u for u in children_of(unit) if scope.allows(u)]
        codes = [*REPORT_COLUMNS, *([DEVIATION] if period == "month" else [])]
        is_money = [c == DEVIATION or INDICATORS[c].is_money for c in codes]
        rows = services.indicator_rows(as_of, period, units=[unit, *children])
        by = {(r.unit, r.indicator): r for r in rows}
        names = unit_names()
        # 排名 among units of one kind: branches with branches, relationship managers with each other
        ranked, rank = [], {}
        for kind in ("branch", "rm"):
            same = sorted(
                (u for u in children if u.startswith(kind)), key=lambda u: (-(by[(u, rank_by)].value or 0), u)
            )
            rank.update({u: i for i, u in enumerate(same, start=1)})
            ranked += same
        lines = [
            ReportLine(
                u,
                names.get(u, u),
                rank.get(u) if u != unit else None,
                [(by[(u, c)], money) for c, money in zip(codes, is_money, strict=True)],
                u != unit,
            )
            for u in [unit, *ranked]
        ]
        p = period_of(period, as_of)
        return {
            "unit": unit,
            "unit_name": names.get(unit, unit),
            "columns": [(c, indicator_label(c), m) for c, m in zip(codes, is_money, strict=True)],
            "lines": lines,
            "period": p,
            "parent": self.parent_of(unit, scope),
        }

    @staticmethod
    def parent_of(unit: str, scope) -> str | None:
        from bankcrm.org.models import Staff

        if unit.startswith("rm:"):
            branch = Staff.objects.filter(pk=unit[3:]).values_list("branch_id", flat=True).first()
            parent = f"branch:{branch}" if branch else None
        elif unit.startswith("branch:"):
            parent = "bank"
        else:
            parent = None
        return parent if parent and scope.allows(parent) else None

    def xlsx(self, report: dict, period: str, as_of: dt.date) -> HttpResponse:
        """A workbook laid out like a bank's 旬报: title, data date and units on top, conventions below."""
        from io import BytesIO

        from openpyxl import Workbook
        from openpyxl.styles import Alignment, Font

        from bankcrm.core.accesslog import record_access
        from bankcrm.core.spreadsheets import append_row, money_cell

        p = report["period"]
        wb = Workbook()
        ws = wb.active
        ws.title = _("Report")
        width = 3 + len(report["columns"])
        ws.append([_("%(unit)s indicator report (%(period)s)") % {"unit": report["unit_name"], "period": p.code}])
        ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=width)
        ws["A1"].font, ws["A1"].alignment = Font(bold=True, size=14), Alignment(horizontal="center")
        ws.append(
            [
                _("Data date: %(date)s · period %(start)s – %(end)s · money in CNY, counts in customers")
                % {"date": as_of.isoformat(), "start": p.start.isoformat(), "end": p.end.isoformat()}
            ]
        )
        ws.append([_("Rank"), _("Unit"), _("Code")] + [str(label) for _c, label, _m in report["columns"]])
        for cell in ws[3]:
            cell.font = Font(bold=True)
        for line in report["lines"]:
            values = []
            for r, _money in line.cells:
                values.append(money_cell(r.value) if isinstance(r.value, Decimal) else r.value)
            # names come from the core's files: text cells, never formulas (core/spreadsheets.py)
            append_row(ws, [line.rank or _("Total"), line.name, line.unit, *values])
        for row in ws.iter_rows(min_row=4, min_col=4):
            for cell in row:
                if isinstance(cell.value, Decimal):
                    cell.number_format = "#,##0.00"
        ws.append([])
        for note in conventions():
            ws.append([note])
        buf = BytesIO()
        wb.save(buf)
        name = f"report-{report['unit'].replace(':', '-')}-{period}-{as_of.isoformat()}.xlsx"
        record_access("export", user=self.request.user, path=self.request.path, detail=f"indicator report → {name}")
        response = HttpResponse(
            buf.getvalue(), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        )
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response


def conventions() -> list[str]:
    return [
        _("Conventions:"),
        _("Balances (时点) are those of the data date; a day without a balance counts as 0."),
        _("Daily averages (日均) = the unit's sum of daily balances over the period to date ÷ days, rounded half-up."),
        _("较年初 = the balance on the data date − the balance on 31 December of the previous year."),
        _("A customer counts for its current branch and relationship manager; sales count for the customer's unit."),
        _("Tier counts come from the customer-month snapshot as of the data date."),
        _("Overdue and NPL balances are those of the data date's loans file (0 on a day without one)."),
        _("存款偏离度 = (deposit balance − month-to-date deposit average) ÷ deposit average × 100 (months only)."),
    ]


class TargetsView(ReportsPermissionMixin, HtmxTemplateMixin, TemplateView):
    """目标完成: completion against time progress, status colours and the 序时差."""

    template_name = "reports/targets.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        as_of = _as_of(self.request)
        fresh_inputs()
        results = services.target_results(as_of, Target.objects.restrict(self.request.user, "view"))
        names = unit_names()
        context.update(
            as_of=as_of,
            results=results,
            names=names,
            chart=json.dumps(targets_chart(results, names), ensure_ascii=False) if results else "",
        )
        return context


def _as_of(request) -> dt.date:
    raw = request.GET.get("as_of")
    if raw:
        try:
            return dt.date.fromisoformat(raw)
        except ValueError:
            pass
    return latest_day()


def targets_chart(results, names, limit: int = 30) -> dict:
    shown = results[:limit]
    labels = [f"{names.get(r.unit, r.unit)} · {indicator_label(r.indicator)} ({r.period})" for r in shown]
    bars = [
        {"value": float(r.completion_pct), "itemStyle": {"color": STATUS_COLOURS[r.status]}} for r in shown
    ]  # chart only: the table shows the exact figures
    progress = [float(r.time_progress_pct) for r in shown]
    return {
        "tooltip": {"trigger": "axis"},
        "legend": {"data": [_("Completion rate"), _("Time progress")]},
        "grid": {"left": 8, "right": 16, "containLabel": True},
        "xAxis": {"type": "value", "axisLabel": {"formatter": "{value}%"}},
        "yAxis": {"type": "category", "data": labels, "inverse": True},
        "series": [
            {"name": _("Completion rate"), "type": "bar", "data": bars},
            {"name": _("Time progress"), "type": "line", "data": progress, "symbol": "diamond"},
        ],
    }


class MyTargetsView(ReportsPermissionMixin, TemplateView):
    """我的目标: an rm's own targets, what is still needed by the period end, score and coefficient so far."""

    template_name = "reports/mine.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        profile = getattr(self.request.user, "profile", None)
        staff_no = getattr(profile, "staff_id", None)
        as_of = _as_of(self.request)
        if not staff_no:
            context.update(as_of=as_of, results=[], cards=[], no_staff=True)
            return context
        fresh_inputs()
        unit = f"rm:{staff_no}"
        own = Target.objects.restrict(self.request.user, "view").filter(unit=unit)
        results = services.target_results(as_of, own)
        periods = sorted({r.period for r in results})
        cards = [c for p in periods for c in services.scorecards(p, as_of, units=[unit])]
        context.update(as_of=as_of, results=results, cards=cards, unit=unit, names=unit_names())
        return context


class ScorecardView(ReportsPermissionMixin, TemplateView):
    """考核: score, coefficient, bonus, red line and each indicator's contribution (the why)."""

    template_name = "reports/scorecards.html"

    def get_context_data(self, **kwargs):
        from .models import Weight

        context = super().get_context_data(**kwargs)
        as_of = _as_of(self.request)
        latest = Weight.objects.order_by("-period").values_list("period", flat=True).first()
        form = ScorecardForm(self.request.GET or None, initial={"period": latest or f"{as_of:%Y-%m}"})
        period = form.cleaned_data["period"] if form.is_bound and form.is_valid() else form.initial["period"]
        scope = services.unit_scope(self.request.user)
        fresh_inputs()
        cards = services.scorecards(period, as_of, allow=scope.allows)
        context.update(as_of=as_of, form=form, period=period, cards=cards, names=unit_names())
        return context


class RedLineView(RestrictedViewMixin, TemplateView):
    """The compliance page for red lines (电网): the list in scope, and the form for those who may add."""

    model = RedLine
    template_name = "reports/red_lines.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        lines = RedLine.objects.restrict(self.request.user, "view").select_related("staff", "staff__branch")[:200]
        can_add = self.request.user.has_perm("reports.add_redline")
        context.update(lines=lines, form=kwargs.get("form") or (RedLineForm() if can_add else None))
        return context

    def post(self, request, *args, **kwargs):
        if not request.user.has_perm("reports.add_redline"):
            raise PermissionDenied
        form = RedLineForm(request.POST)
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(form=form), status=400)
        d = form.cleaned_data
        try:
            services.add_red_line(
                d["staff_no"], d["code"], d["date"], note=d["note"], recorded_by=request.user.get_username()
            )
        except services.UnknownUnit:
            form.add_error("staff_no", _("Unknown staff member."))
            return self.render_to_response(self.get_context_data(form=form), status=400)
        messages.success(request, _("Red line recorded."))
        return redirect("reports:red_lines")


def template_workbook(request):
    """The downloadable targets workbook: the four sheets with their headers and one example row each."""
    from django.contrib.auth.views import redirect_to_login

    from .workbook import template_bytes

    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if not request.user.has_perm("reports.view_target"):
        raise PermissionDenied
    response = HttpResponse(
        template_bytes(), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = 'attachment; filename="targets-template.xlsx"'
    return response


class LoanBookView(ReportsPermissionMixin, TemplateView):
    """贷款质量: a unit's loan book (rm: own book; branch head: the branch and its rms; head office: the bank)."""

    template_name = "reports/loans.html"

    def get(self, request, *args, **kwargs):
        from bankcrm.analytics.dimensions import dump_dimensions

        from . import loanbook

        scope = services.unit_scope(request.user)
        unit = request.GET.get("unit") or home_unit(request.user, scope)
        if not scope.allows(unit):
            raise Http404
        try:
            services.resolve_unit(unit)  # bank, a known branch or staff member: anything else is not found
        except services.UnknownUnit:
            raise Http404 from None
        latest = loanbook.latest_loans_day()
        names = unit_names()
        context = {"unit": unit, "unit_name": names.get(unit, unit), "latest": latest}
        try:
            as_of = _as_of_param(request, latest)
        except ValueError:
            context.update(as_of=latest, error=_("Data date (as_of): enter a date as YYYY-MM-DD."))
            return self.render_to_response(self.get_context_data(**context), status=400)
        context["as_of"] = as_of
        if as_of is None or not loan_has_file(as_of):
            context["missing"] = as_of
            return self.render_to_response(self.get_context_data(**context))
        fresh_inputs()
        if not dimensions_dumped():
            dump_dimensions()
        children = [u for u in children_of(unit) if scope.allows(u)]
        book = loanbook.build(unit, as_of, children)
        # The unit's findings name customers and accounts: only those the user may see today (the
        # warehouse's copy of branch and rm is as of the last import; a hand-over since then counts).
        book["findings"] = visible_customers_only(request.user, book["findings"])
        if request.GET.get("format") == "xlsx":
            return self.xlsx(book, context["unit_name"])
        for row in book["children"]:
            row["name"] = names.get(row["unit"], row["unit"])
        context.update(
            book=book,
            bucket_cells=loanbook.bucket_cells(book["figures"]),
            children=[(row, loanbook.bucket_cells(row)) for row in book["children"]],
            parent=IndicatorReportView.parent_of(unit, scope),
            buckets_chart=loanbook.buckets_chart(book["trend"]) if book["trend"] else "",
            npl_chart=loanbook.npl_chart(book["trend"]) if book["trend"] else "",
            matrix_chart=loanbook.matrix_chart(book["matrix"]) if book["matrix"] else "",
        )
        return self.render_to_response(self.get_context_data(**context))

    def xlsx(self, book: dict, unit_name: str) -> HttpResponse:
        from bankcrm.core.accesslog import record_access

        from . import loanbook

        name = f"loans-{book['unit'].replace(':', '-')}-{book['as_of'].isoformat()}.xlsx"
        body = loanbook.workbook_bytes(book, unit_name)
        record_access("export", user=self.request.user, path=self.request.path, detail=f"loan book → {name}")
        response = HttpResponse(body, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response


def _as_of_param(request, default: dt.date | None) -> dt.date | None:
    """The ``as_of`` query parameter (ValueError when it is not a date), else ``default``."""
    raw = request.GET.get("as_of")
    return dt.date.fromisoformat(raw) if raw else default


def loan_has_file(day: dt.date) -> bool:
    from bankcrm.analytics.loans import has_loans_file

    return has_loans_file(day)


def dimensions_dumped() -> bool:
    from bankcrm.core.warehouse import dimension_path

    return dimension_path("accounts").exists() and dimension_path("customers").exists()


def visible_customers_only(user, rows: list[dict]) -> list[dict]:
    """``rows`` (each with a ``customer_no``) whose customer ``user`` may view, through the scoping door."""
    from bankcrm.customers.models import Customer

    wanted = sorted({r["customer_no"] for r in rows})
    visible: set[str] = set()
    for start in range(0, len(wanted), 900):  # SQLite's bound-parameter limit
        chunk = wanted[start : start + 900]
        visible |= set(Customer.objects.restrict(user, "view").filter(pk__in=chunk).values_list("pk", flat=True))
    return [r for r in rows if r["customer_no"] in visible]
