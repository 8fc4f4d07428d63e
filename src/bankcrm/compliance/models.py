"""The compliance desk's own records (the access log it reads lives in core: every app writes it).

Risk indicators and their values, inspection plans with their frozen samples, screening cases and
the regulation library (spec/compliance.md). State changes go through ``services``.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from bankcrm.core.models import ChangeLoggedModel, RestrictedModel

from .choices import (
    AccessAlertKind,
    Answer,
    CaseStatus,
    Direction,
    FindingStatus,
    IndicatorStatus,
    Population,
    RegulationKind,
    RegulationStatus,
    Rule,
    SampleReason,
    Severity,
)

MONEY = {"max_digits": 18, "decimal_places": 2}
RATIO = {"max_digits": 12, "decimal_places": 4}


class RiskIndicator(ChangeLoggedModel):
    """One line of the catalogue (editable by compliance; the spec's defaults come with migration 0003)."""

    code = models.CharField(_("code"), max_length=40, primary_key=True)
    name = models.CharField(_("name"), max_length=100)
    direction = models.CharField(_("direction"), max_length=3, choices=Direction.choices)
    limit = models.DecimalField(_("limit"), **RATIO)
    warning = models.DecimalField(_("warning"), **RATIO)
    source = models.CharField(_("regulation"), max_length=200, blank=True)
    computed = models.BooleanField(_("computed by bankcrm"), default=False)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        ordering = ["position", "code"]
        verbose_name = _("risk indicator")
        verbose_name_plural = _("risk indicators")

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class IndicatorValue(ChangeLoggedModel):
    period = models.CharField(_("period"), max_length=7, db_index=True)  # 2026Q3
    indicator = models.ForeignKey(RiskIndicator, on_delete=models.PROTECT, related_name="values")
    # the bank, or ``branch:<code>`` for the per-branch deposit deviation (spec/compliance.md)
    unit = models.CharField(_("unit"), max_length=30, default="bank", db_default="bank")
    value = models.DecimalField(_("value"), **RATIO)
    status = models.CharField(_("status"), max_length=10, choices=IndicatorStatus.choices)
    # what a computed value was computed from (the loans file's date, the worst month); empty if imported
    basis = models.CharField(_("computed from"), max_length=200, blank=True, default="", db_default="")

    class Meta:
        ordering = ["period", "indicator__position", "indicator__code", "unit"]
        constraints = [models.UniqueConstraint(fields=["period", "indicator", "unit"], name="compliance_value_once")]
        verbose_name = _("indicator value")
        verbose_name_plural = _("indicator values")


class IndicatorAlert(ChangeLoggedModel):
    """Raised by a warning or breach value; stays until a compliance user acknowledges it with a note."""

    value = models.ForeignKey(IndicatorValue, on_delete=models.CASCADE, related_name="alerts")
    status = models.CharField(_("status"), max_length=10, choices=IndicatorStatus.choices)
    acknowledged_at = models.DateTimeField(_("acknowledged at"), null=True, blank=True)
    acknowledged_by = models.CharField(_("acknowledged by"), max_length=150, blank=True)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        ordering = ["-created", "-pk"]
        verbose_name = _("indicator alert")
        verbose_name_plural = _("indicator alerts")


class InspectionPlan(ChangeLoggedModel):
    code = models.CharField(_("code"), max_length=40, primary_key=True)
    population = models.CharField(_("population"), max_length=10, choices=Population.choices)
    period = models.CharField(_("quarter"), max_length=6)
    rate_pct = models.DecimalField(_("rate %"), max_digits=6, decimal_places=2)
    full_above = models.DecimalField(_("inspect in full from"), **MONEY)
    drawn_at = models.DateTimeField(_("drawn at"), null=True, blank=True)
    drawn_by = models.CharField(_("drawn by"), max_length=150, blank=True)
    population_count = models.PositiveIntegerField(_("population"), null=True, blank=True)

    class Meta:
        ordering = ["-period", "code"]
        verbose_name = _("inspection plan")
        verbose_name_plural = _("inspection plans")


class SampleItem(RestrictedModel):
    """One drawn item, stored at the draw and never changed (the frozen sample)."""

    plan = models.ForeignKey(InspectionPlan, on_delete=models.CASCADE, related_name="items")
    key = models.CharField(_("key"), max_length=40)
    amount = models.DecimalField(_("amount"), **MONEY)
    reason = models.CharField(_("reason"), max_length=10, choices=SampleReason.choices)
    digest = models.CharField(_("sha256"), max_length=64)
    inspected_at = models.DateTimeField(_("inspected at"), null=True, blank=True)
    inspected_by = models.CharField(_("inspected by"), max_length=150, blank=True)

    class Meta:
        ordering = ["plan", "key"]
        constraints = [models.UniqueConstraint(fields=["plan", "key"], name="compliance_sample_once")]
        verbose_name = _("sampled item")
        verbose_name_plural = _("sampled items")


class ScreeningCase(ChangeLoggedModel):
    quarter = models.CharField(_("quarter"), max_length=6, db_index=True)
    staff = models.ForeignKey("org.Staff", on_delete=models.PROTECT, related_name="+", verbose_name=_("staff"))
    rule = models.CharField(_("rule"), max_length=30, choices=Rule.choices)
    detail = models.TextField(_("detail"))
    status = models.CharField(_("status"), max_length=10, choices=CaseStatus.choices, default=CaseStatus.OPEN)
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    notes = models.TextField(_("notes"), blank=True)

    class Meta:
        ordering = ["quarter", "staff_id", "rule"]
        constraints = [models.UniqueConstraint(fields=["quarter", "staff", "rule"], name="compliance_case_once")]
        verbose_name = _("screening case")
        verbose_name_plural = _("screening cases")


class Regulation(ChangeLoggedModel):
    """The stored version of a regulation; an import row with the same reg_id replaces it (version + 1)."""

    reg_id = models.CharField(_("regulation id"), max_length=60, primary_key=True)
    kind = models.CharField(_("kind"), max_length=10, choices=RegulationKind.choices)
    title = models.CharField(_("title"), max_length=300)
    issuer = models.CharField(_("issuer"), max_length=200, blank=True)
    doc_no = models.CharField(_("document no."), max_length=100, blank=True)
    issued_date = models.DateField(_("issued on"), null=True, blank=True)
    effective_date = models.DateField(_("effective from"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=RegulationStatus.choices)
    text = models.TextField(_("text"), blank=True)
    version = models.PositiveIntegerField(_("version"), default=1)

    class Meta:
        ordering = ["reg_id"]
        verbose_name = _("regulation")
        verbose_name_plural = _("regulations")


class RegulationVersion(RestrictedModel):
    """A replaced version, kept so a finding that cited it can still be read as it was."""

    regulation = models.ForeignKey(Regulation, on_delete=models.CASCADE, related_name="versions")
    version = models.PositiveIntegerField(_("version"))
    title = models.CharField(_("title"), max_length=300)
    doc_no = models.CharField(_("document no."), max_length=100, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=RegulationStatus.choices)
    text = models.TextField(_("text"), blank=True)
    replaced_at = models.DateTimeField(_("replaced at"), auto_now_add=True)

    class Meta:
        ordering = ["regulation", "-version"]
        constraints = [models.UniqueConstraint(fields=["regulation", "version"], name="compliance_regversion_once")]


class RegulationTerm(models.Model):
    """The search index: Chinese character bigrams and lower-cased Latin words of title, doc_no and text.

    Chinese has no spaces, so a word like 适当性 is found through its bigrams 适当 + 当性 (all must be
    present); an indexed equality lookup per term instead of a LIKE scan over every text.
    """

    regulation = models.ForeignKey(Regulation, on_delete=models.CASCADE, related_name="terms")
    term = models.CharField(max_length=40, db_index=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["regulation", "term"], name="compliance_term_once")]

    def __str__(self) -> str:
        return self.term


class FindingCode(ChangeLoggedModel):
    """The bank's catalogue of finding codes (edited by compliance)."""

    code = models.CharField(_("code"), max_length=40, primary_key=True)
    name = models.CharField(_("name"), max_length=200)

    class Meta:
        ordering = ["code"]
        verbose_name = _("finding code")
        verbose_name_plural = _("finding codes")

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class Finding(ChangeLoggedModel):
    """A finding on a sampled item, tracked to its rectification (整改) with four eyes."""

    item = models.ForeignKey(SampleItem, on_delete=models.PROTECT, related_name="findings")
    code = models.ForeignKey(FindingCode, on_delete=models.PROTECT, related_name="+", verbose_name=_("code"))
    severity = models.CharField(_("severity"), max_length=10, choices=Severity.choices)
    description = models.TextField(_("description"))
    responsible = models.ForeignKey(
        "org.Staff", on_delete=models.PROTECT, related_name="+", verbose_name=_("responsible staff")
    )
    due_date = models.DateField(_("rectification due"))
    status = models.CharField(_("status"), max_length=10, choices=FindingStatus.choices, default=FindingStatus.OPEN)
    inspector = models.CharField(_("inspector"), max_length=150)
    rectified_at = models.DateTimeField(_("rectified at"), null=True, blank=True)
    rectified_by = models.CharField(_("rectified by"), max_length=150, blank=True)
    verified_at = models.DateTimeField(_("verified at"), null=True, blank=True)
    verified_by = models.CharField(_("verified by"), max_length=150, blank=True)
    notes = models.TextField(_("notes"), blank=True)

    class Meta:
        ordering = ["due_date", "pk"]
        verbose_name = _("finding")
        verbose_name_plural = _("findings")

    def is_overdue(self, today) -> bool:
        """Past its due date without rectification (a rectified or verified finding is never overdue)."""
        return self.status == FindingStatus.OPEN and self.due_date < today


# ---------------------------------------------------------------- checklists (issue 13)


class ChecklistQuestion(ChangeLoggedModel):
    """One line of the bank's checklist template for a population (edited in the admin and on the desk)."""

    population = models.CharField(_("population"), max_length=10, choices=Population.choices)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    text = models.CharField(_("question"), max_length=500)
    active = models.BooleanField(_("in use"), default=True)

    class Meta:
        ordering = ["population", "position", "pk"]
        verbose_name = _("checklist question")
        verbose_name_plural = _("checklist questions")

    def __str__(self) -> str:
        return self.text


class ChecklistAnswer(ChangeLoggedModel):
    """The inspector's answer to one question for one sampled item. The question's wording is copied,
    so editing the template later does not change what an inspection answered."""

    item = models.ForeignKey(SampleItem, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(ChecklistQuestion, on_delete=models.PROTECT, related_name="answers")
    question_text = models.CharField(_("question"), max_length=500)
    answer = models.CharField(_("answer"), max_length=3, choices=Answer.choices)
    note = models.TextField(_("note"), blank=True)
    answered_by = models.CharField(_("answered by"), max_length=150)

    class Meta:
        ordering = ["item", "question__position", "question_id"]
        constraints = [models.UniqueConstraint(fields=["item", "question"], name="compliance_answer_once")]
        verbose_name = _("checklist answer")
        verbose_name_plural = _("checklist answers")


# ---------------------------------------------------------------- escalation of overdue findings


class FindingEscalation(ChangeLoggedModel):
    """An overdue finding escalated to the head of the responsible staff member's branch — once
    (one-to-one), by ``bankcrm compliance sweep``. The branch head sees it (scoped to the branch) and
    acknowledges it; it is the in-app notice."""

    finding = models.OneToOneField(Finding, on_delete=models.CASCADE, related_name="escalation")
    branch = models.ForeignKey("org.Branch", on_delete=models.PROTECT, related_name="+", verbose_name=_("branch"))
    escalated_on = models.DateField(_("escalated on"))
    acknowledged_at = models.DateTimeField(_("acknowledged at"), null=True, blank=True)
    acknowledged_by = models.CharField(_("acknowledged by"), max_length=150, blank=True)

    scope_branch_field = "branch"

    class Meta:
        ordering = ["acknowledged_at", "-escalated_on", "pk"]
        verbose_name = _("finding escalation")
        verbose_name_plural = _("finding escalations")


# ---------------------------------------------------------------- citations of the regulation library


class Citation(ChangeLoggedModel):
    """A regulation cited by a finding, a screening case or a complaint's root cause, at the version
    cited. The complaint is a lower layer (complaints, layer 3), so the link lives here, pointing down."""

    regulation = models.ForeignKey(Regulation, on_delete=models.PROTECT, related_name="citations")
    version = models.PositiveIntegerField(_("version cited"))
    finding = models.ForeignKey(Finding, on_delete=models.CASCADE, null=True, blank=True, related_name="citations")
    case = models.ForeignKey(ScreeningCase, on_delete=models.CASCADE, null=True, blank=True, related_name="citations")
    complaint = models.ForeignKey(
        "complaints.Complaint", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    cited_by = models.CharField(_("cited by"), max_length=150)

    class Meta:
        ordering = ["created", "pk"]
        verbose_name = _("citation")
        verbose_name_plural = _("citations")
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(finding__isnull=False, case__isnull=True, complaint__isnull=True)
                    | models.Q(finding__isnull=True, case__isnull=False, complaint__isnull=True)
                    | models.Q(finding__isnull=True, case__isnull=True, complaint__isnull=False)
                ),
                name="compliance_citation_one_target",
            ),
        ]

    def as_cited(self) -> dict:
        """Title, document no. and status of the version cited (the stored one, or a kept old one)."""
        reg = self.regulation
        if self.version == reg.version:
            return {"title": reg.title, "doc_no": reg.doc_no, "status": reg.get_status_display(), "current": True}
        old = reg.versions.filter(version=self.version).first()
        if old is None:
            return {"title": reg.title, "doc_no": reg.doc_no, "status": reg.get_status_display(), "current": False}
        return {"title": old.title, "doc_no": old.doc_no, "status": old.get_status_display(), "current": False}


class AccessAlert(ChangeLoggedModel):
    """One login's day in the access log that crossed a threshold (``compliance.access.scan_access_log``).

    Stays until a compliance user acknowledges it with a note, like an indicator alert. One per
    kind × login × day (a constraint): a later scan of the same day updates the count of an open one.
    """

    kind = models.CharField(_("kind"), max_length=20, choices=AccessAlertKind.choices)
    user_name = models.CharField(_("user"), max_length=150)
    day = models.DateField(_("day"))
    count = models.PositiveIntegerField(_("lines"))
    threshold = models.PositiveIntegerField(_("threshold"))
    first_time = models.DateTimeField(_("first"))
    last_time = models.DateTimeField(_("last"))
    acknowledged_at = models.DateTimeField(_("acknowledged at"), null=True, blank=True)
    acknowledged_by = models.CharField(_("acknowledged by"), max_length=150, blank=True)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        ordering = ["-day", "kind", "user_name"]
        verbose_name = _("access alert")
        verbose_name_plural = _("access alerts")
        constraints = [
            models.UniqueConstraint(fields=["kind", "user_name", "day"], name="compliance_access_alert_once_a_day")
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.user_name} {self.kind} ({self.count})"
