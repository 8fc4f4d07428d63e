"""``bankcrm export risk-indicators | sample | cases`` (spec/compliance.md). Each returns the row count."""

from __future__ import annotations

from pathlib import Path

from bankcrm.core.spreadsheets import CsvWriter, money_cell, open_csv

from . import services
from .models import InspectionPlan, ScreeningCase

INDICATOR_COLUMNS = ("period", "code", "value", "status", "prev_value", "change")
SAMPLE_COLUMNS = ("plan", "key", "amount", "reason")
CASE_COLUMNS = ("quarter", "staff_no", "rule", "detail", "status")


def _write(out: Path, header, rows) -> int:
    n = 0
    with open_csv(out) as fh:
        writer = CsvWriter(fh)
        writer.writeheader(header)
        for row in rows:
            writer.writerow(row)
            n += 1
    return n


def export_risk_indicators(period: str, out: Path) -> int:
    """The quarter's values; the computed ones (retail_npl_ratio, deposit_deviation) are computed
    first, from the data as it stands, so the file is complete without a separate step."""
    from .computed import compute_indicators

    services.parse_quarter(period)
    compute_indicators(period, required=False)
    rows = services.indicator_rows(period)
    return _write(out, INDICATOR_COLUMNS, ([r[c] for c in INDICATOR_COLUMNS] for r in rows))


def export_sample(plan_code: str, out: Path) -> int:
    plan = InspectionPlan.objects.filter(pk=plan_code).first()
    if plan is None:
        raise services.BadInput(f"no inspection plan with code {plan_code!r}")
    if plan.drawn_at is None:
        raise services.BadInput(f"plan {plan_code} is not drawn yet (bankcrm compliance plan draw {plan_code})")
    items = plan.items.order_by("key")
    return _write(out, SAMPLE_COLUMNS, ((plan.code, i.key, money_cell(i.amount), i.reason) for i in items))


def export_cases(quarter: str, out: Path) -> int:
    services.parse_quarter(quarter)
    cases = ScreeningCase.objects.filter(quarter=quarter).order_by("staff_id", "rule")
    return _write(out, CASE_COLUMNS, ((c.quarter, c.staff_id, c.rule, c.detail, c.status) for c in cases))


def plan_report_workbook(plan: InspectionPlan, today=None):
    """The plan's report as an Excel workbook (issue 13): a report sheet (population, sampled,
    inspected, findings by code and severity, overdue, on-time rate), the sample and the findings.
    Every row goes through ``append_row`` (descriptions and notes are typed by people)."""
    from django.utils import timezone
    from django.utils.translation import gettext as _
    from openpyxl import Workbook

    from bankcrm.core.spreadsheets import append_row

    from .models import Finding

    today = today or timezone.localdate()
    report = services.plan_report(plan, today)
    book = Workbook(write_only=True)
    sheet = book.create_sheet(_("Report"))
    # column A the figure's name as in the API report (for a program), B its label (for a person), C the value
    for key, label, value in (
        ("plan", _("Inspection plan"), plan.code),
        ("population_kind", _("Population"), plan.population),
        ("period", _("Quarter"), plan.period),
        ("population", _("Population size"), report["population"]),
        ("sampled", _("Sampled"), report["sampled"]),
        ("inspected", _("Inspected"), report["inspected"]),
        ("overdue", _("Overdue findings"), report["overdue"]),
        ("on_time_rate_pct", _("Rectified on time %"), report["on_time_rate_pct"]),
        ("as_of", _("As of"), today),
    ):
        append_row(sheet, [key, label, value])
    append_row(sheet, [])
    append_row(sheet, ["code", "severity", "count", _("Finding code"), _("Severity"), _("Findings")])
    for row in report["findings"]:
        append_row(sheet, [row["code"], row["severity"], row["count"]])

    sample = book.create_sheet(_("Sample"))
    append_row(sample, ["plan", "key", "amount", "reason", "inspected_at", "inspected_by"])
    for item in plan.items.order_by("key"):
        inspected = timezone.localtime(item.inspected_at).replace(tzinfo=None) if item.inspected_at else None
        append_row(sample, [plan.code, item.key, money_cell(item.amount), item.reason, inspected, item.inspected_by])

    findings = book.create_sheet(_("Inspection findings"))
    append_row(
        findings,
        ["id", "key", "code", "severity", "description", "responsible", "due_date", "status", "overdue",
         "rectified_by", "verified_by", "escalated_on"],
    )  # fmt: skip
    rows = Finding.objects.filter(item__plan=plan).select_related("item", "escalation").order_by("item__key", "pk")
    for f in rows:
        escalation = getattr(f, "escalation", None)
        append_row(
            findings,
            [f.pk, f.item.key, f.code_id, f.severity, f.description, f.responsible_id, f.due_date, f.status,
             "yes" if f.is_overdue(today) else "no", f.rectified_by, f.verified_by,
             escalation.escalated_on if escalation else None],
        )  # fmt: skip
    return book
