"""Data-quality and import pages (see docs/adr/0501-who-sees-imports-and-quality.md).

* Data quality (客户资料准确率): admin, head office, compliance and branch
  managers, each within their scope (findings and customers go through ``restrict``).
* Imports and quarantine: import runs, files and rejected rows belong to the
  whole delivery, not to a branch, and raw quarantined lines carry personal
  data of any branch — so only admin, head office and compliance see them.
"""

import csv
import datetime as dt
import io
import json

import django_filters
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Case, Count, Prefetch, Q, Value, When
from django.http import HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext
from django.views.generic import DetailView, ListView, View

from bankcrm.core.accesslog import record_access
from bankcrm.core.charts import chart_json
from bankcrm.core.money import percent
from bankcrm.core.spreadsheets import append_row, csv_line_writer
from bankcrm.core.views import HtmxTemplateMixin, RestrictedViewMixin, render_page
from bankcrm.customers.masking import mask_id_number, mask_phone
from bankcrm.customers.models import Customer
from bankcrm.org.choices import UserRole
from bankcrm.org.models import Branch

from .models import ImportedFile, ImportRun, QualityFinding, RejectedRow, reason_label
from .privacy import mask_detail, mask_raw
from .quality import detail_for_people

QUALITY_ROLES = (UserRole.ADMIN, UserRole.HEAD_OFFICE, UserRole.COMPLIANCE, UserRole.BRANCH_MANAGER)
IMPORT_ROLES = (UserRole.ADMIN, UserRole.HEAD_OFFICE, UserRole.COMPLIANCE)

# Finding codes of spec/cli.md (export quality); unknown codes are shown as they are.
FINDING_LABELS = {
    "bad_id_checksum": gettext_lazy("ID number check digit wrong"),
    "id_birthdate_mismatch": gettext_lazy("ID number and birth date disagree"),
    "id_gender_mismatch": gettext_lazy("ID number and gender disagree"),
    "bad_mobile": gettext_lazy("Invalid mobile number"),
    "duplicate_id": gettext_lazy("ID number shared by several customers"),
    "no_rm": gettext_lazy("No relationship manager"),
}


def finding_label(code: str) -> str:
    return str(FINDING_LABELS.get(code, code))


def has_role(user, roles) -> bool:
    if user.is_superuser:
        return True
    profile = getattr(user, "profile", None)
    return getattr(profile, "role", None) in roles


class RoleRequiredMixin(LoginRequiredMixin):
    """Pages for some roles only: others get 403 (the scoping door still applies within)."""

    allowed_roles: tuple = ()

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not has_role(request.user, self.allowed_roles):
            raise PermissionDenied(_("This page is not for your role."))
        return super().dispatch(request, *args, **kwargs)


# --------------------------------------------------------------------------- data quality


class FindingFilterSet(django_filters.FilterSet):
    finding = django_filters.CharFilter(label=gettext_lazy("Finding"))
    branch = django_filters.CharFilter(label=gettext_lazy("Branch"), field_name="branch_code")
    customer = django_filters.CharFilter(label=gettext_lazy("Customer no."), field_name="customer_id")

    class Meta:
        model = QualityFinding
        fields = ["finding", "branch", "customer"]


def quality_summary(user) -> dict:
    """Findings by branch × finding, and the accuracy rate of customer records, in scope."""
    findings = QualityFinding.objects.restrict(user, "view")
    counts: dict[str, dict[str, int]] = {}
    codes = set()
    for row in findings.values("branch_code", "finding").annotate(n=Count("id")).order_by():
        counts.setdefault(row["branch_code"], {})[row["finding"]] = row["n"]
        codes.add(row["finding"])
    codes = [c for c in FINDING_LABELS if c in codes] + sorted(codes - set(FINDING_LABELS))

    # Two cheap GROUP BYs instead of an EXISTS probe per customer: customers per branch (index on
    # branch), and distinct flagged customers per branch (findings are few; join them to customers).
    customers = Customer.objects.restrict(user, "view").order_by()
    per_branch = {
        row["branch"]: {"total": row["n"], "flagged": 0} for row in customers.values("branch").annotate(n=Count("pk"))
    }
    flagged_rows = (
        customers.filter(quality_findings__isnull=False).values("branch").annotate(n=Count("pk", distinct=True))
    )
    for row in flagged_rows:
        per_branch.setdefault(row["branch"], {"total": 0, "flagged": 0})["flagged"] = row["n"]
    names = dict(Branch.objects.filter(code__in=set(counts) | set(per_branch)).values_list("code", "name"))
    rows = []
    for code in sorted(set(counts) | set(per_branch)):
        by_finding = counts.get(code, {})
        total = per_branch.get(code, {}).get("total", 0)
        flagged_n = per_branch.get(code, {}).get("flagged", 0)
        rows.append(
            {
                "branch": code,
                "name": names.get(code, ""),
                "cells": [(c, by_finding.get(c, 0)) for c in codes],
                "findings": sum(by_finding.values()),
                "customers": total,
                "flagged": flagged_n,
                "accuracy": percent(total - flagged_n, total),
            }
        )
    total_customers = sum(r["customers"] for r in rows)
    total_flagged = sum(r["flagged"] for r in rows)
    chart = chart_json(
        {
            "tooltip": {"trigger": "axis", "axisPointer": {"type": "shadow"}},
            "legend": {"top": 0, "type": "scroll"},
            "grid": {"left": 50, "right": 20, "top": 50, "bottom": 40},
            "xAxis": {"type": "category", "data": [r["branch"] for r in rows]},
            "yAxis": {"type": "value", "name": _("Findings")},
            "series": [
                {
                    "name": finding_label(c),
                    "type": "bar",
                    "stack": "findings",
                    "data": [dict(r["cells"])[c] for r in rows],
                }
                for c in codes
            ],
        }
    )
    return {
        "codes": [(c, finding_label(c)) for c in codes],
        "rows": rows,
        "totals": [sum(dict(r["cells"])[c] for r in rows) for c in codes],
        "findings": sum(r["findings"] for r in rows),
        "customers": total_customers,
        "flagged": total_flagged,
        "accuracy": percent(total_customers - total_flagged, total_customers),
        "chart": chart,
    }


LOAN_FINDINGS_SHOWN = 200  # the page lists this many; the count and the loan book carry the rest


def loan_findings(user) -> dict:
    """The latest loans file's ``class_too_lenient`` findings whose borrower is in the user's scope.

    The check itself is loans.checks' SQL over the partition; accounts are mapped to their customers
    through the scoping door (``Customer.objects.restrict``), so a branch sees its own loans only.
    """
    from bankcrm.core.warehouse import partition_dates
    from bankcrm.customers.models import Account
    from bankcrm.loans.checks import too_lenient_loans
    from bankcrm.loans.choices import FiveClass

    days = partition_dates("loans")
    if not days:
        return {"as_of": None, "count": 0, "rows": []}
    found = too_lenient_loans(days[-1])
    visible = Customer.objects.restrict(user, "view").order_by()
    owners = {
        account: (customer, branch)
        for account, customer, branch in Account.objects.filter(
            account_no__in=[f["account_no"] for f in found], customer__in=visible
        ).values_list("account_no", "customer_id", "customer__branch_id")
    }
    rows = []
    for f in found:
        if f["account_no"] not in owners:
            continue
        rows.append(
            {
                **f,
                "customer_no": owners[f["account_no"]][0],
                "branch": owners[f["account_no"]][1],
                "five_class_display": FiveClass(f["five_class"]).label,
                "minimum_class_display": FiveClass(f["minimum_class"]).label,
            }
        )
    return {"as_of": days[-1], "count": len(rows), "rows": rows[:LOAN_FINDINGS_SHOWN]}


class QualityView(RoleRequiredMixin, RestrictedViewMixin, HtmxTemplateMixin, ListView):
    """Counts and accuracy on top; below, the drill-down to the records (masked, linked to the 360)."""

    model = QualityFinding
    allowed_roles = QUALITY_ROLES
    template_name = "ingest/quality.html"
    partial_template_name = "ingest/_findings.html"
    paginate_by = 50

    def get_queryset(self):
        queryset = super().get_queryset().select_related("customer")
        self.filterset = FindingFilterSet(self.request.GET or None, queryset=queryset)
        return self.filterset.qs.order_by("branch_code", "finding", "customer_id")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        for finding in context["object_list"]:
            finding.label = finding_label(finding.finding)
            finding.detail_shown = detail_for_people(finding.detail)
            finding.customer_url = reverse("customers:detail", args=[finding.customer_id])
            finding.id_masked = mask_id_number(finding.customer.id_number)
            finding.phone_masked = mask_phone(finding.customer.phone)
        context["filterset"] = self.filterset
        query = self.request.GET.copy()
        query.pop("page", None)
        context["query_string"] = query.urlencode()
        context["drilled"] = bool(self.request.GET.get("finding") or self.request.GET.get("branch"))
        if not getattr(self.request, "htmx", False):
            context["summary"] = quality_summary(self.request.user)
            context["loan_findings"] = loan_findings(self.request.user)
        return context


class QualityExportView(RoleRequiredMixin, RestrictedViewMixin, View):
    """The findings in scope (with the page's filters) as an Excel workbook; the export is logged."""

    model = QualityFinding
    allowed_roles = QUALITY_ROLES

    def get_queryset(self):
        return QualityFinding.objects.restrict(self.request.user, self.restrict_action)

    def get(self, request):
        from openpyxl import Workbook

        findings = FindingFilterSet(request.GET or None, queryset=self.get_queryset()).qs.order_by(
            "branch_code", "finding", "customer_id"
        )
        book = Workbook(write_only=True)
        sheet = book.create_sheet(_("Findings"))
        append_row(sheet, ["customer_no", "finding", _("Finding"), "detail", "branch_code", "rm_staff_no", "found"])
        count = 0
        for f in findings.values_list(
            "customer_id", "finding", "detail", "branch_code", "rm_staff_no", "found"
        ).iterator(chunk_size=2000):
            found = timezone.localtime(f[5]).replace(tzinfo=None) if f[5] else None  # Excel has no time zones
            append_row(sheet, [f[0], f[1], finding_label(f[1]), f[2], f[3], f[4], found])
            count += 1
        summary = quality_summary(request.user)
        totals = book.create_sheet(_("By branch"))
        append_row(
            totals,
            [
                _("Branch"),
                *[label for _code, label in summary["codes"]],
                pgettext("count", "Customers"),
                _("Accuracy %"),
            ],
        )
        for row in summary["rows"]:
            append_row(
                totals,
                [row["branch"], *[n for _code, n in row["cells"]], row["customers"], float(row["accuracy"] or 0)],
            )
        response = HttpResponse(content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
        response["Content-Disposition"] = f'attachment; filename="quality-{timezone.localdate():%Y%m%d}.xlsx"'
        book.save(response)
        record_access(
            "export", user=request.user, path=request.get_full_path(), detail=f"quality findings: {count} rows"
        )
        return response


# --------------------------------------------------------------------------- imports and quarantine


class ImportRunListView(RoleRequiredMixin, RestrictedViewMixin, HtmxTemplateMixin, ListView):
    model = ImportRun
    allowed_roles = IMPORT_ROLES
    template_name = "ingest/imports.html"
    partial_template_name = "ingest/_runs.html"
    paginate_by = 20

    # A full delivery is a thousand files or more: the list shows each run's first few (refused and
    # rejecting files first) and links to the run, whose files are paginated (issue 14: 1,149 files
    # in one table).
    files_per_run = 10

    def get_queryset(self):
        files = ImportedFile.objects.restrict(self.request.user, "view")
        problems_first = Case(
            When(~Q(status=ImportedFile.Status.IMPORTED) | Q(rows_rejected__gt=0), then=Value(0)), default=Value(1)
        )
        first = files.order_by(problems_first, "pk")[: self.files_per_run]
        return (
            super()
            .get_queryset()
            .annotate(file_count=Count("files"))
            .prefetch_related(Prefetch("files", queryset=first, to_attr="first_files"))
            .order_by("-started", "-pk")  # newest run first, a stable order for the pages
        )


class ImportRunDetailView(RoleRequiredMixin, RestrictedViewMixin, DetailView):
    model = ImportRun
    allowed_roles = IMPORT_ROLES
    template_name = "ingest/import_run.html"

    def get_queryset(self):
        files = ImportedFile.objects.restrict(self.request.user, "view").annotate(quarantined=Count("rejects"))
        return super().get_queryset().prefetch_related(Prefetch("files", queryset=files.order_by("pk")))

    files_per_page = 50

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        files = self.object.files.all()  # prefetched, restricted, in file order
        context["files_page"] = Paginator(files, self.files_per_page).get_page(self.request.GET.get("page"))
        context["report_json"] = json.dumps(masked_report(self.object), ensure_ascii=False, indent=2, default=str)
        return context

    def get(self, request, *args, **kwargs):
        response = super().get(request, *args, **kwargs)
        record_access("view", user=request.user, path=request.path, detail=f"import run {self.object.pk} report")
        return response


def masked_report(run: ImportRun) -> dict:
    """The run's JSON report with every quarantined raw line and detail masked (ingest/privacy.py)."""
    headers = {f.file_name: (f.table, f.header) for f in run.files.all()}
    report = json.loads(json.dumps(run.report, default=str))
    files = report.get("files") if isinstance(report, dict) else None
    for entry in files if isinstance(files, list) else []:
        if not isinstance(entry, dict):
            continue
        table, header = headers.get(entry.get("file"), (entry.get("table", ""), []))
        table = entry.get("table", table)
        for reject in entry.get("rejects") or []:
            if not isinstance(reject, dict):
                continue
            if "raw" in reject:
                reject["raw"] = mask_raw(table, header, reject["raw"] or "")
            if reject.get("detail"):
                reject["detail"] = mask_detail(table, reject.get("column", ""), reject["detail"])
    return report


def mask_reject(row: RejectedRow) -> RejectedRow:
    row.raw_masked = mask_raw(row.imported_file.table, row.imported_file.header, row.raw)
    row.detail_masked = mask_detail(row.imported_file.table, row.column, row.detail)
    return row


class RejectedRowFilterSet(django_filters.FilterSet):
    run = django_filters.NumberFilter(label=gettext_lazy("Import run"), field_name="imported_file__run")
    file = django_filters.CharFilter(
        label=gettext_lazy("File"), field_name="imported_file__file_name", lookup_expr="icontains"
    )
    table = django_filters.CharFilter(label=gettext_lazy("Table"), field_name="imported_file__table")
    reason = django_filters.CharFilter(label=gettext_lazy("Reason"))
    column = django_filters.CharFilter(label=gettext_lazy("Column"))
    business_date = django_filters.DateFilter(
        label=gettext_lazy("Business date"), field_name="imported_file__business_date"
    )

    class Meta:
        model = RejectedRow
        fields = ["run", "file", "table", "reason", "column", "business_date"]


class QuarantineMixin(RoleRequiredMixin, RestrictedViewMixin):
    model = RejectedRow
    allowed_roles = IMPORT_ROLES

    def filtered(self):
        queryset = RejectedRow.objects.restrict(self.request.user, self.restrict_action).select_related("imported_file")
        self.filterset = RejectedRowFilterSet(self.request.GET or None, queryset=queryset)
        return self.filterset.qs.order_by("imported_file__run", "imported_file", "line", "pk")


class QuarantineView(QuarantineMixin, HtmxTemplateMixin, ListView):
    template_name = "ingest/quarantine.html"
    partial_template_name = "ingest/_rejects.html"
    paginate_by = 100

    def get_queryset(self):
        return self.filtered()

    def get(self, request, *args, **kwargs):
        response = super().get(request, *args, **kwargs)
        shown = len(response.context_data["object_list"]) if hasattr(response, "context_data") else 0
        record_access("view", user=request.user, path=request.get_full_path(), detail=f"quarantine: {shown} rows")
        return response

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        for row in context["object_list"]:
            mask_reject(row)
        context["can_reveal"] = self.request.user.has_perm("customers.reveal_customer")
        context["filterset"] = self.filterset
        query = self.request.GET.copy()
        query.pop("page", None)
        context["query_string"] = query.urlencode()
        context["reasons"] = [
            (code, reason_label(code))
            for code in RejectedRow.objects.restrict(self.request.user, "view")
            .values_list("reason", flat=True)
            .order_by("reason")
            .distinct()
        ]
        return context


RAW_PARTIAL = "ingest/_raw_line.html"


class QuarantineRevealView(QuarantineMixin, View):
    """One raw line unmasked: the reveal permission, a reason, and a line in the access log."""

    def post(self, request, pk: int):
        if not request.user.has_perm("customers.reveal_customer"):
            raise PermissionDenied(_("You may not see personal data unmasked."))
        row = get_object_or_404(self.filtered(), pk=pk)
        reason = request.POST.get("reason", "").strip()
        if len(reason) < 2:
            context = {"r": mask_reject(row), "error": _("Give a reason."), "can_reveal": True}
            return render_page(request, "ingest/raw_line.html", context, partial_template_name=RAW_PARTIAL, status=400)
        record_access(
            "reveal",
            user=request.user,
            customer_no=customer_no_of(row),
            fields="raw",
            reason=reason,
            path=request.path,
            detail=f"{row.imported_file.file_name} line {row.line}",
        )
        context = {"r": mask_reject(row), "revealed": True}
        return render_page(request, "ingest/raw_line.html", context, partial_template_name=RAW_PARTIAL)


def customer_no_of(row: RejectedRow) -> str:
    """The customer a quarantined line is about, when its file has a customer_no column."""
    header = row.imported_file.header
    if "customer_no" not in header:
        return ""
    try:
        fields = next(csv.reader(io.StringIO(row.raw, newline="")))
    except (csv.Error, StopIteration):
        return ""
    return fields[header.index("customer_no")][:30] if len(fields) == len(header) else ""


class QuarantineDownloadView(QuarantineMixin, View):
    """The quarantine (with the page's filters) as CSV, UTF-8 with BOM so Excel opens Chinese text."""

    def get(self, request):
        rows = self.filtered()
        writer = csv_line_writer()  # raw lines and details are imported text: never a formula
        header = ["run", "file", "table", "business_date", "line", "column", "reason", "detail", "raw"]

        def stream():
            yield "\ufeff" + writer.writeheader(header)
            for r in rows.iterator(chunk_size=2000):
                f = r.imported_file
                yield writer.writerow(
                    [
                        f.run_id,
                        f.file_name,
                        f.table,
                        f.business_date,
                        r.line,
                        r.column,
                        r.reason,
                        mask_detail(f.table, r.column, r.detail),
                        mask_raw(f.table, f.header, r.raw),
                    ]
                )

        record_access(
            "export", user=request.user, path=request.get_full_path(), detail=f"quarantine csv: {rows.count()} rows"
        )
        response = StreamingHttpResponse(stream(), content_type="text/csv; charset=utf-8")
        stamp = dt.datetime.now(tz=dt.UTC).strftime("%Y%m%d")
        response["Content-Disposition"] = f'attachment; filename="quarantine-{stamp}.csv"'
        return response
