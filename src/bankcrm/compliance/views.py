"""Access audit pages for compliance (and admins): who viewed which customer, when, from where;
revealed personal data; exports; and views outside one's portfolio with nothing to justify them.
Below them the rest of the desk: risk indicators, inspection plans, screening cases, regulations."""

from django.contrib import messages
from django.contrib.auth.mixins import PermissionRequiredMixin
from django.db.models import Count
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.views import View
from django.views.generic import DetailView, ListView
from django_filters.views import FilterView

from bankcrm.core.accesslog import record_access
from bankcrm.core.models import AccessLog
from bankcrm.core.views import HtmxTemplateMixin, RestrictedViewMixin

from . import access, services
from .choices import CaseStatus
from .filtersets import AccessLogFilterSet
from .models import RiskIndicator
from .services import unjustified_views


class AuditMixin(RestrictedViewMixin, PermissionRequiredMixin):
    permission_required = "core.view_accesslog"
    raise_exception = False  # anonymous → login page; signed in without the permission → 403

    def handle_no_permission(self):
        from django.core.exceptions import PermissionDenied

        if self.request.user.is_authenticated:
            raise PermissionDenied
        return super().handle_no_permission()


class AccessLogView(AuditMixin, HtmxTemplateMixin, FilterView):
    model = AccessLog
    filterset_class = AccessLogFilterSet
    template_name = "compliance/access_log.html"
    partial_template_name = "compliance/_access_table.html"
    paginate_by = 100
    preset_action: str | None = None
    tab = "all"

    def get_queryset(self):
        queryset = access.with_staff(super().get_queryset()).order_by("-time", "-pk")
        if self.preset_action:
            queryset = queryset.filter(action=self.preset_action)
        return queryset

    def get(self, request, *args, **kwargs):
        # ``?format=csv|xlsx`` with the page's filters: the rows on screen, every page of them
        fmt = request.GET.get("format")
        if fmt in access.EXPORT_FORMATS:
            filterset = self.get_filterset(self.get_filterset_class())
            if filterset.is_valid():
                try:
                    return access.export_response(filterset.qs, fmt, user=request.user, path=request.get_full_path())
                except access.TooManyRowsForExcel as exc:
                    messages.error(request, str(exc))
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        query = self.request.GET.copy()
        query.pop("page", None)
        query.pop("format", None)
        context.update(querystring=query.urlencode(), tab=self.tab, exportable=True)
        return context


class UnjustifiedViewsView(AuditMixin, HtmxTemplateMixin, ListView):
    model = AccessLog
    template_name = "compliance/unjustified.html"
    paginate_by = 100

    def get_queryset(self):
        return access.with_staff(unjustified_views(super().get_queryset()))

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(tab="unjustified", querystring="")
        return context


# ---- the compliance desk (spec/compliance.md) ------------------------------------------------------


PAGE_SCAN_DAYS = 2


class AccessAlertsView(AuditMixin, HtmxTemplateMixin, ListView):
    """Alerts raised from the access log; opening the page scans the last days first (issue 14)."""

    permission_required = "compliance.view_accessalert"
    template_name = "compliance/access_alerts.html"
    paginate_by = 100

    def get_queryset(self):
        from .models import AccessAlert

        # Today and yesterday are brought up to date here, so an officer never reads a stale list; the
        # nightly sweep covers ``scan_days`` back (a full week on every page open would cost seconds
        # at a million lines a week: benchmarks/access_alerts_bench.py).
        access.scan_access_log(days=PAGE_SCAN_DAYS)
        queryset = AccessAlert.objects.restrict(self.request.user, "view")
        if self.request.GET.get("all") != "1":
            queryset = queryset.filter(acknowledged_at__isnull=True)
        return queryset

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            tab="access_alerts", querystring="", show_all=self.request.GET.get("all") == "1", rules=access.alert_rules()
        )
        return context


class AcknowledgeAccessAlertView(AuditMixin, View):
    permission_required = "compliance.change_accessalert"

    def post(self, request, pk):
        from .models import AccessAlert

        alert = get_object_or_404(AccessAlert.objects.restrict(request.user, "view"), pk=pk)
        try:
            access.acknowledge_access_alert(alert, request.user.get_username(), request.POST.get("note", ""))
        except services.BadInput:
            messages.error(request, gettext("Acknowledging an alert needs a note."))
        else:
            messages.success(request, gettext("Alert acknowledged."))
        return redirect("compliance:access_alerts")


class DeskMixin(AuditMixin):
    """A desk page: the model's view permission, which only compliance and admins hold (org/roles.py)."""

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.setdefault("tab", self.tab)
        context.setdefault("querystring", "")
        return context


class IndicatorsView(DeskMixin, HtmxTemplateMixin, ListView):
    """Each catalogue line with the quarter's value, status, previous value and change; open alerts."""

    permission_required = "compliance.view_riskindicator"
    model = RiskIndicator
    template_name = "compliance/indicators.html"
    tab = "indicators"

    def get_context_data(self, **kwargs):
        from .models import IndicatorAlert, IndicatorValue

        context = super().get_context_data(**kwargs)
        periods = list(IndicatorValue.objects.order_by("-period").values_list("period", flat=True).distinct())
        period = self.request.GET.get("period") or (periods[0] if periods else "")
        try:
            rows = {r["code"]: r for r in services.indicator_rows(period)} if period else {}
        except services.BadInput:
            rows = {}
        context.update(
            period=period,
            periods=periods,
            lines=[(indicator, rows.get(indicator.code)) for indicator in context["object_list"]],
            alerts=IndicatorAlert.objects.filter(acknowledged_at__isnull=True).select_related("value"),
            computed_values=IndicatorValue.objects.filter(period=period, indicator__computed=True).order_by(
                "indicator__position", "unit"
            ),
            quarter=period or services.quarter_of(timezone.localdate()),
        )
        return context


class ComputeIndicatorsView(DeskMixin, View):
    """The desk's trigger for ``bankcrm compliance indicators compute --period Q``."""

    permission_required = "compliance.add_indicatorvalue"
    tab = "indicators"

    def post(self, request):
        from .computed import compute_indicators

        period = request.POST.get("period", "")
        try:
            result = compute_indicators(period)
        except services.BadInput as exc:
            messages.error(request, gettext("Cannot compute: %(reason)s") % {"reason": exc})
            return redirect("compliance:indicators")
        for note in result.notes:
            messages.warning(request, note)
        messages.success(
            request,
            gettext("%(n)d computed values stored for %(period)s.") % {"n": len(result.stored), "period": period},
        )
        return redirect(f"{reverse('compliance:indicators')}?period={period}")


class AcknowledgeAlertView(DeskMixin, View):
    permission_required = "compliance.change_indicatoralert"
    tab = "indicators"

    def post(self, request, pk):
        from .models import IndicatorAlert

        alert = get_object_or_404(IndicatorAlert.objects.restrict(request.user, "view"), pk=pk)
        try:
            services.acknowledge_alert(alert, request.user.get_username(), request.POST.get("note", ""))
        except services.BadInput:
            messages.error(request, gettext("Acknowledging an alert needs a note."))
        else:
            messages.success(request, gettext("Alert acknowledged."))
        return redirect("compliance:indicators")


class PlansView(DeskMixin, HtmxTemplateMixin, ListView):
    permission_required = "compliance.view_inspectionplan"
    template_name = "compliance/plans.html"
    tab = "plans"

    def get_queryset(self):
        from .models import InspectionPlan

        return InspectionPlan.objects.restrict(self.request.user, "view").annotate(sampled=Count("items"))


class PlanDetailView(DeskMixin, HtmxTemplateMixin, DetailView):
    permission_required = "compliance.view_inspectionplan"
    template_name = "compliance/plan_detail.html"
    tab = "plans"

    def get_queryset(self):
        from .models import InspectionPlan

        return InspectionPlan.objects.restrict(self.request.user, "view")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["items"] = self.object.items.annotate(finding_count=Count("findings")).order_by("key")
        context["report"] = services.plan_report(self.object)
        return context


class CasesView(DeskMixin, HtmxTemplateMixin, ListView):
    permission_required = "compliance.view_screeningcase"
    template_name = "compliance/cases.html"
    tab = "cases"
    paginate_by = 100

    def get_queryset(self):
        from .models import ScreeningCase

        queryset = ScreeningCase.objects.restrict(self.request.user, "view").select_related("staff")
        if quarter := self.request.GET.get("quarter"):
            queryset = queryset.filter(quarter=quarter)
        return queryset.order_by("-quarter", "staff_id", "rule")


class CaseDetailView(DeskMixin, HtmxTemplateMixin, DetailView):
    permission_required = "compliance.view_screeningcase"
    template_name = "compliance/case_detail.html"
    tab = "cases"

    def get_queryset(self):
        from .models import ScreeningCase

        return ScreeningCase.objects.restrict(self.request.user, "view").select_related("staff")

    def get_object(self, queryset=None):
        case = super().get_object(queryset)
        # every view of a case is in the access log (issue 13)
        record_access("view", user=self.request.user, path=self.request.path, detail=f"screening case {case.pk}")
        return case

    def get_context_data(self, **kwargs):
        from .forms import CaseReviewerForm, CiteForm

        context = super().get_context_data(**kwargs)
        case, user = self.object, self.request.user
        may_change = user.has_perm("compliance.change_screeningcase")
        moves = sorted(services.CASE_MOVES[case.status]) if may_change else []
        context.update(
            moves=[(to, CaseStatus(to).label) for to in moves],
            may_change=may_change and case.status != CaseStatus.CLOSED,
            reviewer_form=CaseReviewerForm(user=user) if may_change else None,
            cite_form=CiteForm(user=user),
            may_cite=user.has_perm("compliance.add_citation"),
            cited=[(c, c.as_cited()) for c in case.citations.select_related("regulation")],
        )
        return context


class RegulationsView(DeskMixin, HtmxTemplateMixin, ListView):
    permission_required = "compliance.view_regulation"
    template_name = "compliance/regulations.html"
    tab = "regulations"
    paginate_by = 50

    def get_queryset(self):
        from .models import Regulation

        return services.search_regulations(
            self.request.GET.get("q", ""), Regulation.objects.restrict(self.request.user)
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["q"] = self.request.GET.get("q", "")
        return context


# ---- issue 13: the officer's working pages -----------------------------------------------------


class DeskActionView(DeskMixin, View):
    """A POST of the desk: the change permission, the service does the rule checks; errors come back
    as a message naming what was refused (in the user's language) and the user returns to the page."""

    http_method_names = ["post"]

    def refuse(self, exc: "services.BadInput | str"):
        messages.error(self.request, gettext("Refused: %(why)s") % {"why": exc})


def _back(request, default: str) -> str:
    """The page to return to after a POST: the form's ``next`` if it is a page of this site."""
    from django.utils.http import url_has_allowed_host_and_scheme

    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return default


def _finding_actions(finding, user) -> list[str]:
    """The moves this user may press on this finding now (buttons only where they work)."""
    if not user.has_perm("compliance.change_finding"):
        return []
    actions = list(services.FINDING_MOVES[finding.status])
    if "verify" in actions and finding.rectified_by == user.get_username():
        actions.remove("verify")  # four eyes: the one who rectified cannot verify
    return actions


def _decorate_findings(findings, user, today):
    for finding in findings:
        finding.overdue = finding.is_overdue(today)
        finding.actions = _finding_actions(finding, user)
        finding.cited = [(c, c.as_cited()) for c in finding.citations.all()]
    return findings


class SampleItemView(DeskMixin, HtmxTemplateMixin, DetailView):
    """One sampled item: its checklist, its findings (with their moves and citations), new finding."""

    permission_required = "compliance.view_sampleitem"
    template_name = "compliance/item_detail.html"
    tab = "plans"

    def get_object(self, queryset=None):
        from .models import SampleItem

        item = get_object_or_404(
            SampleItem.objects.restrict(self.request.user).select_related("plan"),
            plan_id=self.kwargs["plan"],
            key=self.kwargs["key"],
        )
        # a sampled item is a customer's loan or sale: looking at its inspection is logged
        record_access(
            "view", user=self.request.user, path=self.request.path, detail=f"sampled item {item.plan_id}/{item.key}"
        )
        return item

    def get_context_data(self, **kwargs):
        from .forms import ChecklistForm, CiteForm, FindingForm

        context = super().get_context_data(**kwargs)
        item, user = self.object, self.request.user
        today = timezone.localdate()
        checklist = services.checklist_for(item)
        suggested = [q for q, a in checklist if a is not None and a.answer == "no"]
        initial = {}
        if (suggest := self.request.GET.get("suggest")) and suggest.isdigit():
            question = next((q for q in suggested if q.pk == int(suggest)), None)
            if question is not None:
                initial["description"] = question.text
        findings = item.findings.select_related("code", "responsible").prefetch_related("citations__regulation")
        context.update(
            item=item,
            checklist_form=ChecklistForm(checklist=checklist),
            suggested=suggested,
            findings=_decorate_findings(list(findings), user, today),
            finding_form=kwargs.get("finding_form") or FindingForm(initial=initial, user=user),
            cite_form=CiteForm(user=user),
            may_change=user.has_perm("compliance.change_finding"),
            may_add=user.has_perm("compliance.add_finding"),
        )
        return context


class ChecklistAnswerView(DeskActionView):
    permission_required = "compliance.change_sampleitem"

    def post(self, request, plan, key):
        from .forms import ChecklistForm
        from .models import SampleItem

        item = get_object_or_404(SampleItem.objects.restrict(request.user, "change"), plan_id=plan, key=key)
        form = ChecklistForm(request.POST, checklist=services.checklist_for(item))
        if form.is_valid():
            try:
                noes = services.answer_checklist(item, form.answers(), request.user.get_username())
            except services.BadInput as exc:
                self.refuse(exc)
            else:
                messages.success(request, gettext("Checklist saved."))
                if noes:
                    messages.warning(
                        request,
                        gettext("Answered “no”: %(questions)s — record a finding for it.")
                        % {"questions": "; ".join(q.text for q in noes)},
                    )
        else:
            self.refuse(gettext("an answer is not yes, no or not applicable"))
        return redirect("compliance:item", plan=plan, key=key)


class RecordFindingView(DeskActionView):
    permission_required = "compliance.add_finding"

    def post(self, request, plan, key):
        from .forms import FindingForm
        from .models import SampleItem

        item = get_object_or_404(SampleItem.objects.restrict(request.user, "change"), plan_id=plan, key=key)
        form = FindingForm(request.POST, user=request.user)
        if not form.is_valid():
            view = SampleItemView(request=request, kwargs={"plan": plan, "key": key})
            view.object = view.get_object()
            return view.render_to_response(view.get_context_data(finding_form=form), status=400)
        data = form.cleaned_data
        try:
            finding = services.record_finding(
                item, code=data["code"].pk, severity=data["severity"], description=data["description"],
                responsible=data["responsible"].pk, due_date=data["due_date"], inspector=request.user.get_username(),
            )  # fmt: skip
        except services.BadInput as exc:
            self.refuse(exc)
        else:
            messages.success(request, gettext("Finding %(id)s recorded.") % {"id": finding.pk})
        return redirect("compliance:item", plan=plan, key=key)


class MoveFindingView(DeskActionView):
    permission_required = "compliance.change_finding"

    def post(self, request, pk):
        from .forms import FindingMoveForm
        from .models import Finding

        finding = get_object_or_404(Finding.objects.restrict(request.user, "change").select_related("item"), pk=pk)
        form = FindingMoveForm(request.POST)
        if not form.is_valid():
            self.refuse(gettext("unknown action"))
        else:
            try:
                services.move_finding(
                    finding, form.cleaned_data["action"], request.user.get_username(), form.cleaned_data["note"]
                )
            except services.BadInput as exc:
                self.refuse(_finding_refusal(finding, form.cleaned_data["action"], exc))
            else:
                messages.success(request, gettext("Finding %(id)s updated.") % {"id": finding.pk})
        return redirect(_back(request, finding_url(finding)))


def _finding_refusal(finding, action: str, exc) -> str:
    """The service's reason in the user's language for the refusals a page can meet."""
    text = str(exc)
    if "four eyes" in text:
        return gettext("the one who rectified a finding cannot verify it (four eyes)")
    if "needs a note" in text:
        return gettext("rectifying needs a note saying what was done")
    if "not allowed" in text:
        return gettext("finding %(id)s cannot be moved that way now") % {"id": finding.pk}
    return text


def finding_url(finding) -> str:
    return reverse("compliance:item", kwargs={"plan": finding.item.plan_id, "key": finding.item.key})


class FindingsView(DeskMixin, HtmxTemplateMixin, ListView):
    """Every finding, overdue ones badged; filter by status and overdue."""

    permission_required = "compliance.view_finding"
    template_name = "compliance/findings.html"
    tab = "findings"
    paginate_by = 100

    def get_queryset(self):
        from .models import Finding

        queryset = Finding.objects.restrict(self.request.user).select_related("item", "code", "responsible")
        queryset = queryset.select_related("escalation")
        today = timezone.localdate()
        if self.request.GET.get("overdue") == "1":
            queryset = queryset.filter(status="open", due_date__lt=today)
        if (status := self.request.GET.get("status")) in ("open", "rectified", "verified"):
            queryset = queryset.filter(status=status)
        return queryset.order_by("due_date", "pk")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        today = timezone.localdate()
        for finding in context["object_list"]:
            finding.overdue = finding.is_overdue(today)
            finding.escalated = getattr(finding, "escalation", None)
        query = self.request.GET.copy()
        query.pop("page", None)
        context.update(
            overdue_only=self.request.GET.get("overdue") == "1",
            status=self.request.GET.get("status", ""),
            querystring=query.urlencode(),
            overdue_count=services.overdue_findings(today).count(),
        )
        return context


class PlanExportView(DeskMixin, View):
    """The plan's report, sample and findings as an Excel workbook; the export is logged."""

    permission_required = "compliance.view_inspectionplan"

    def get(self, request, pk):
        from django.http import HttpResponse

        from .exports import plan_report_workbook
        from .models import InspectionPlan

        plan = get_object_or_404(InspectionPlan.objects.restrict(request.user), pk=pk)
        book = plan_report_workbook(plan)
        response = HttpResponse(content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
        response["Content-Disposition"] = f'attachment; filename="plan-{plan.code}-{timezone.localdate():%Y%m%d}.xlsx"'
        book.save(response)
        record_access(
            "export", user=request.user, path=request.get_full_path(), detail=f"inspection plan report {plan.code}"
        )
        return response


# ---- screening cases: moves, notes, reviewer --------------------------------------------------


class CaseMoveView(DeskActionView):
    permission_required = "compliance.change_screeningcase"

    def post(self, request, pk):
        from .forms import CaseMoveForm
        from .models import ScreeningCase

        case = get_object_or_404(ScreeningCase.objects.restrict(request.user, "change"), pk=pk)
        form = CaseMoveForm(request.POST)
        if not form.is_valid():
            self.refuse(gettext("unknown status"))
        else:
            to, note = form.cleaned_data["to"], form.cleaned_data["note"]
            if to == "closed" and not note.strip():
                self.refuse(gettext("closing a case needs a note"))
            else:
                try:
                    services.move_case(case, to, request.user, note)
                except services.BadInput:
                    self.refuse(gettext("case %(id)s cannot go to that status now") % {"id": case.pk})
                else:
                    messages.success(request, gettext("Case updated."))
        return redirect("compliance:case", pk=case.pk)


class CaseNoteView(DeskActionView):
    permission_required = "compliance.change_screeningcase"

    def post(self, request, pk):
        from .forms import CaseNoteForm
        from .models import ScreeningCase

        case = get_object_or_404(ScreeningCase.objects.restrict(request.user, "change"), pk=pk)
        form = CaseNoteForm(request.POST)
        if form.is_valid() and form.cleaned_data["note"].strip():
            services.add_case_note(case, request.user, form.cleaned_data["note"])
            messages.success(request, gettext("Note added."))
        else:
            self.refuse(gettext("the note is empty"))
        return redirect("compliance:case", pk=case.pk)


class CaseReviewerView(DeskActionView):
    permission_required = "compliance.change_screeningcase"

    def post(self, request, pk):
        from .forms import CaseReviewerForm
        from .models import ScreeningCase

        case = get_object_or_404(ScreeningCase.objects.restrict(request.user, "change"), pk=pk)
        form = CaseReviewerForm(request.POST, user=request.user)
        if not form.is_valid():
            self.refuse(gettext("choose a compliance login as the reviewer"))
        else:
            try:
                services.set_case_reviewer(case, form.cleaned_data["reviewer"].user, request.user)
            except services.BadInput:
                self.refuse(gettext("a closed case keeps its reviewer"))
            else:
                messages.success(request, gettext("Reviewer set."))
        return redirect("compliance:case", pk=case.pk)


# ---- citations --------------------------------------------------------------------------------


class CiteView(DeskActionView):
    """POST a reg_id to cite it from a finding, a case or a complaint's root cause."""

    permission_required = "compliance.add_citation"
    target = "finding"  # or "case", "complaint"

    def post(self, request, pk):
        from .forms import CiteForm

        target, back = self.target_and_back(request, pk)
        form = CiteForm(request.POST, user=request.user)
        if not form.is_valid():
            self.refuse("; ".join(form.errors["reg_id"]))
        else:
            try:
                services.cite(form.regulation, request.user.get_username(), **{self.target: target})
            except services.BadInput:
                self.refuse(gettext("record the complaint's root cause before citing a regulation for it"))
            else:
                messages.success(request, gettext("Regulation %(id)s cited.") % {"id": form.regulation.pk})
        return redirect(back)

    def target_and_back(self, request, pk):
        from django.urls import reverse

        from bankcrm.complaints.models import Complaint

        from .models import Finding, ScreeningCase

        if self.target == "finding":
            finding = get_object_or_404(Finding.objects.restrict(request.user, "change").select_related("item"), pk=pk)
            return finding, finding_url(finding)
        if self.target == "case":
            case = get_object_or_404(ScreeningCase.objects.restrict(request.user, "change"), pk=pk)
            return case, reverse("compliance:case", args=[case.pk])
        complaint = get_object_or_404(Complaint.objects.restrict(request.user), reference=pk)
        return complaint, reverse("compliance:complaint", args=[complaint.reference])


class UncitView(DeskActionView):
    permission_required = "compliance.delete_citation"

    def post(self, request, pk):
        from .models import Citation

        citation = get_object_or_404(Citation.objects.restrict(request.user, "delete"), pk=pk)
        services.remove_citation(citation)
        messages.success(request, gettext("Citation removed."))
        from django.urls import reverse

        return redirect(_back(request, reverse("compliance:regulations")))


class ComplaintsView(DeskMixin, HtmxTemplateMixin, ListView):
    """Complaints with a root cause, and the regulations their root causes cite."""

    permission_required = "compliance.view_citation"
    template_name = "compliance/complaints.html"
    tab = "complaints"
    paginate_by = 100

    def get_queryset(self):
        from bankcrm.complaints.models import Complaint

        return Complaint.objects.restrict(self.request.user).exclude(root_cause="").order_by("-received_at", "-pk")

    def get_context_data(self, **kwargs):
        from .models import Citation

        context = super().get_context_data(**kwargs)
        ids = [c.pk for c in context["object_list"]]
        counts = dict(
            Citation.objects.filter(complaint_id__in=ids)
            .values("complaint_id")
            .annotate(n=Count("pk"))
            .values_list("complaint_id", "n")
        )
        for complaint in context["object_list"]:
            complaint.citation_count = counts.get(complaint.pk, 0)
        return context


class ComplaintCitationsView(DeskMixin, HtmxTemplateMixin, DetailView):
    """A complaint's root cause and the regulations it cites (compliance sees it here; the complaint
    desk's page, a lower layer, knows nothing of compliance)."""

    permission_required = "compliance.view_citation"
    template_name = "compliance/complaint_detail.html"
    tab = "complaints"
    slug_field = slug_url_kwarg = "reference"

    def get_queryset(self):
        from bankcrm.complaints.models import Complaint

        return Complaint.objects.restrict(self.request.user).select_related("customer", "branch")

    def get_object(self, queryset=None):
        complaint = super().get_object(queryset)
        record_access(
            "view", user=self.request.user, customer_no=complaint.customer_id or "", path=self.request.path,
            detail=f"complaint {complaint.reference} root cause citations",
        )  # fmt: skip
        return complaint

    def get_context_data(self, **kwargs):
        from .forms import CiteForm
        from .models import Citation

        context = super().get_context_data(**kwargs)
        citations = Citation.objects.filter(complaint=self.object).select_related("regulation")
        context.update(
            cited=[(c, c.as_cited()) for c in citations],
            cite_form=CiteForm(user=self.request.user),
        )
        return context


class RegulationDetailView(DeskMixin, HtmxTemplateMixin, DetailView):
    """One regulation; ``?version=N`` shows a replaced version as a citation saw it."""

    permission_required = "compliance.view_regulation"
    template_name = "compliance/regulation_detail.html"
    tab = "regulations"

    def get_queryset(self):
        from .models import Regulation

        return Regulation.objects.restrict(self.request.user)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        reg = self.object
        shown = None
        version = self.request.GET.get("version", "")
        if version.isdigit() and int(version) != reg.version:
            shown = reg.versions.filter(version=int(version)).first()
        context.update(shown=shown, versions=reg.versions.order_by("-version"))
        return context


# ---- indicator trend ---------------------------------------------------------------------------


class IndicatorDetailView(DeskMixin, HtmxTemplateMixin, DetailView):
    """One indicator's values over the quarters, with its limit and warning lines."""

    permission_required = "compliance.view_riskindicator"
    model = RiskIndicator
    template_name = "compliance/indicator_detail.html"
    tab = "indicators"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        trend = services.indicator_trend(self.object)
        context.update(trend=trend, chart=indicator_chart(self.object, trend) if trend else "")
        return context


def indicator_chart(indicator, trend) -> str:
    """A line of the values with the limit and warning as flat lines (ECharts option, static asset)."""
    from bankcrm.core.charts import chart_json

    periods = [p for p, _v, _s in trend]
    number = float  # ECharts plots numbers; the table beside the chart shows the exact decimals

    def flat(name, value, colour, style):
        return {
            "name": name, "type": "line", "data": [number(value)] * len(periods), "symbol": "none",
            "lineStyle": {"type": style, "color": colour}, "itemStyle": {"color": colour},
        }  # fmt: skip

    return chart_json(
        {
            "tooltip": {"trigger": "axis"},
            "legend": {"top": 0},
            "grid": {"left": 50, "right": 20, "top": 40, "bottom": 30},
            "xAxis": {"type": "category", "data": periods},
            "yAxis": {"type": "value", "scale": True},
            "series": [
                {"name": str(indicator.name), "type": "line", "data": [number(v) for _p, v, _s in trend]},
                flat(gettext("Limit"), indicator.limit, "#dc3545", "solid"),
                flat(gettext("Warning"), indicator.warning, "#fd7e14", "dashed"),
            ],
        }
    )


# ---- escalations of overdue findings (compliance and the branch head) --------------------------


class EscalationsView(DeskMixin, HtmxTemplateMixin, ListView):
    """Overdue findings escalated to a branch head: the branch head sees those of their branch."""

    permission_required = "compliance.view_findingescalation"
    template_name = "compliance/escalations.html"
    tab = "escalations"

    def get_queryset(self):
        from .models import FindingEscalation

        return (
            FindingEscalation.objects.restrict(self.request.user)
            .select_related("finding__code", "finding__responsible", "finding__item", "branch")
            .order_by("acknowledged_at", "-escalated_on", "pk")
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["may_acknowledge"] = self.request.user.has_perm("compliance.change_findingescalation")
        context["desk"] = self.request.user.has_perm("compliance.view_finding")
        return context


class AcknowledgeEscalationView(DeskActionView):
    permission_required = "compliance.change_findingescalation"

    def post(self, request, pk):
        from .models import FindingEscalation

        escalation = get_object_or_404(FindingEscalation.objects.restrict(request.user, "change"), pk=pk)
        try:
            services.acknowledge_escalation(escalation, request.user.get_username())
        except services.BadInput:
            self.refuse(gettext("already acknowledged"))
        else:
            messages.success(request, gettext("Escalation acknowledged."))
        return redirect("compliance:escalations")


# ---- the checklist template -------------------------------------------------------------------


class ChecklistQuestionsView(DeskMixin, HtmxTemplateMixin, ListView):
    permission_required = "compliance.view_checklistquestion"
    template_name = "compliance/checklists.html"
    tab = "checklists"

    def get_queryset(self):
        from .models import ChecklistQuestion

        return ChecklistQuestion.objects.restrict(self.request.user).order_by("population", "position", "pk")

    def get_context_data(self, **kwargs):
        from .forms import ChecklistQuestionForm

        context = super().get_context_data(**kwargs)
        context["form"] = kwargs.get("form") or ChecklistQuestionForm()
        context["may_change"] = self.request.user.has_perm("compliance.change_checklistquestion")
        return context

    def post(self, request):
        """Add a question (or, with ``pk``, switch one in or out of use)."""
        from django.core.exceptions import PermissionDenied

        from .forms import ChecklistQuestionForm
        from .models import ChecklistQuestion

        if not request.user.has_perm("compliance.change_checklistquestion"):
            raise PermissionDenied
        if pk := request.POST.get("toggle"):
            question = get_object_or_404(ChecklistQuestion.objects.restrict(request.user, "change"), pk=pk)
            services.set_question_in_use(question, not question.active)
            return redirect("compliance:checklists")
        form = ChecklistQuestionForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            question = services.add_checklist_question(data["population"], data["text"], data["position"] or 0)
            if not data["active"]:
                services.set_question_in_use(question, False)
            messages.success(request, gettext("Question added."))
            return redirect("compliance:checklists")
        self.object_list = self.get_queryset()
        return self.render_to_response(self.get_context_data(form=form), status=400)
