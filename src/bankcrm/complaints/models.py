"""The complaint desk's records: complaints, their append-only history and their clocks."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from bankcrm.core.models import AppendOnlyModel, ChangeLoggedModel, RestrictedModel

from .choices import (
    OPEN_CLOCK_STATES,
    Action,
    Category,
    Channel,
    ClockState,
    Policy,
    Satisfaction,
    Severity,
    Status,
    Tier,
)

MONEY = {"max_digits": 18, "decimal_places": 2}


class ReferenceCounter(models.Model):
    """One row per registration day; locked to hand out CP-YYYYMMDD-NNNNNN numbers without gaps or reuse."""

    day = models.DateField(primary_key=True)
    last = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("reference counter")

    def __str__(self) -> str:
        return f"{self.day} #{self.last}"


class Complaint(ChangeLoggedModel):
    reference = models.CharField(_("reference"), max_length=20, unique=True, editable=False)
    status = models.CharField(_("status"), max_length=15, choices=Status.choices, default=Status.RECEIVED)
    tier = models.PositiveSmallIntegerField(
        pgettext_lazy("complaint", "tier"), choices=Tier.choices, default=Tier.FRONT
    )
    policy = models.CharField(_("deadline policy"), max_length=2, choices=Policy.choices, default=Policy.CN)
    payment_service = models.BooleanField(_("payment-services complaint"), default=False)
    received_at = models.DateTimeField(_("received at"), db_index=True)
    customer = models.ForeignKey(
        "customers.Customer",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="complaints",
        verbose_name=_("customer"),
    )
    branch = models.ForeignKey(
        "org.Branch", on_delete=models.PROTECT, related_name="complaints", verbose_name=_("branch")
    )
    channel = models.CharField(_("channel"), max_length=20, choices=Channel.choices)
    category = models.CharField(_("category"), max_length=20, choices=Category.choices, db_index=True)
    product = models.ForeignKey(
        "customers.Product",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="complaints",
        verbose_name=_("product"),
    )
    staff_involved = models.ForeignKey(
        "org.Staff",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="complaints_involved",
        verbose_name=_("staff involved"),
    )
    amount_in_dispute = models.DecimalField(_("amount in dispute"), null=True, blank=True, **MONEY)
    severity = models.CharField(_("severity"), max_length=10, choices=Severity.choices, default=Severity.LOW)
    vulnerable = models.BooleanField(_("vulnerable customer (aged 65+)"), default=False)
    description = models.TextField(_("description"))
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="assigned_complaints",
        verbose_name=_("assignee"),
    )
    extensions = models.PositiveSmallIntegerField(_("extensions"), default=0)
    escalations = models.PositiveSmallIntegerField(_("escalations"), default=0)
    reopens = models.PositiveSmallIntegerField(_("reopens"), default=0)
    holding_reply_at = models.DateTimeField(_("holding reply sent at"), null=True, blank=True)
    responded_at = models.DateTimeField(_("responded at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    summary_resolution = models.BooleanField(_("summary (first-contact) resolution"), default=False)
    # A RootCause code (what the desk's form offers) or, from other systems, a short text.
    root_cause = models.CharField(_("root cause"), max_length=200, blank=True, db_index=True)
    remedy = models.TextField(_("remedy"), blank=True)
    compensation = models.DecimalField(_("compensation paid"), default=0, **MONEY)
    satisfaction = models.CharField(_("satisfaction"), max_length=15, choices=Satisfaction.choices, blank=True)

    scope_branch_field = "branch"
    scope_rm_field = "customer__rm"

    class Meta:
        ordering = ["-received_at", "-pk"]
        verbose_name = _("complaint")
        verbose_name_plural = _("complaints")
        constraints = [
            models.CheckConstraint(condition=models.Q(tier__gte=1, tier__lte=3), name="complaint_tier_1_to_3"),
            models.CheckConstraint(condition=models.Q(compensation__gte=0), name="complaint_compensation_not_negative"),
        ]
        indexes = [models.Index(fields=["status", "branch"])]
        permissions = [("approve_extension", "Can approve a second extension of a complaint deadline")]

    def __str__(self) -> str:
        return self.reference

    def get_root_cause_display(self) -> str:
        return root_cause_label(self.root_cause)

    @property
    def decided_at(self):
        """The decision (答复) under the cn rules is the response."""
        return self.responded_at


def root_cause_label(value: str) -> str:
    from .choices import RootCause

    return str(RootCause(value).label) if value in RootCause.values else value


class ComplaintEvent(AppendOnlyModel):
    """One entry of a complaint's history. Never edited, never deleted."""

    complaint = models.ForeignKey(Complaint, on_delete=models.PROTECT, related_name="events")
    time = models.DateTimeField(_("time"), default=timezone.now, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    user_name = models.CharField(_("by"), max_length=150, blank=True)
    action = models.CharField(_("action"), max_length=15, choices=Action.choices)
    from_status = models.CharField(_("from"), max_length=15, choices=Status.choices, blank=True)
    to_status = models.CharField(_("to"), max_length=15, choices=Status.choices, blank=True)
    note = models.TextField(_("note"), blank=True)
    data = models.JSONField(_("data"), default=dict, blank=True)

    scope_branch_field = "complaint__branch"
    scope_rm_field = "complaint__customer__rm"

    class Meta:
        ordering = ["time", "pk"]
        verbose_name = _("complaint event")
        verbose_name_plural = _("complaint events")

    def __str__(self) -> str:
        return f"{self.complaint_id} {self.action} {self.time:%Y-%m-%d %H:%M}"


class Deadline(RestrictedModel):
    """One clock of one complaint: due at the end of its due date, in the policy's local time."""

    complaint = models.ForeignKey(Complaint, on_delete=models.CASCADE, related_name="deadlines")
    clock = models.CharField(_("clock"), max_length=30)
    binding = models.BooleanField(_("bank obligation"), default=True)
    started_at = models.DateTimeField(_("started at"))
    due_date = models.DateField(_("due date"))
    due_at = models.DateTimeField(_("due at"), db_index=True)
    state = models.CharField(_("state"), max_length=10, choices=ClockState.choices, default=ClockState.PENDING)
    met_at = models.DateTimeField(_("met at"), null=True, blank=True)
    stopped_at = models.DateTimeField(_("stopped at"), null=True, blank=True)

    scope_branch_field = "complaint__branch"
    scope_rm_field = "complaint__customer__rm"

    class Meta:
        ordering = ["due_at", "pk"]
        verbose_name = _("deadline")
        verbose_name_plural = _("deadlines")
        constraints = [models.UniqueConstraint(fields=["complaint", "clock"], name="deadline_one_per_clock")]

    def __str__(self) -> str:
        return f"{self.complaint_id} {self.clock} {self.due_date}"

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_CLOCK_STATES

    def live_state(self, now=None) -> str:
        """The state as of now, even if the sweep has not run since it passed (breaches are never hidden)."""
        now = now or timezone.now()
        if self.is_open and now > self.due_at:
            return ClockState.BREACHED if self.binding else ClockState.STOPPED
        return self.state


class LetterTemplate(ChangeLoggedModel):
    """A response letter the bank words itself (edited in admin); ``{placeholder}``s are filled per complaint.

    The placeholders are ``letters.PLACEHOLDERS``; an unknown one is refused when the template is saved.
    """

    name = models.CharField(_("name"), max_length=100, unique=True)
    subject = models.CharField(_("subject"), max_length=200, blank=True)
    body = models.TextField(_("body"))
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("response-letter template")
        verbose_name_plural = _("response-letter templates")

    def __str__(self) -> str:
        return self.name

    def clean(self):
        from django.core.exceptions import ValidationError

        from .letters import unknown_placeholders

        errors = {}
        for field in ("subject", "body"):
            if unknown := unknown_placeholders(getattr(self, field)):
                errors[field] = _("unknown placeholder(s) %(names)s; use: %(known)s") % {
                    "names": ", ".join("{" + n + "}" for n in unknown),
                    "known": ", ".join("{" + n + "}" for n in _known_placeholders()),
                }
        if errors:
            raise ValidationError(errors)


def _known_placeholders():
    from .letters import PLACEHOLDERS

    return PLACEHOLDERS


def _attachments_storage():
    from django.core.files.storage import storages

    return storages["complaint_attachments"]


def attachment_path(instance, filename: str) -> str:
    # The stored name is ours (reference + a random part): the customer's file name is kept as data only.
    import uuid

    suffix = filename.rsplit(".", 1)[-1].lower() if "." in filename else "bin"
    return f"{instance.complaint.reference}/{uuid.uuid4().hex}.{suffix}"


class Attachment(ChangeLoggedModel):
    """Evidence or a recording of a complaint, stored by the ``complaint_attachments`` storage."""

    class Kind(models.TextChoices):
        EVIDENCE = "evidence", _("证据材料")
        RECORDING = "recording", _("录音录像")
        LETTER = "letter", _("往来函件")
        OTHER = "other", _("其他")

    class Scan(models.TextChoices):
        NOT_SCANNED = "not_scanned", _("未扫描")
        CLEAN = "clean", _("无病毒")

    complaint = models.ForeignKey(Complaint, on_delete=models.PROTECT, related_name="attachments")
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.EVIDENCE)
    file = models.FileField(_("file"), upload_to=attachment_path, storage=_attachments_storage, max_length=200)
    original_name = models.CharField(_("file name"), max_length=200)
    size = models.PositiveBigIntegerField(_("size (bytes)"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), default=timezone.now)
    scan = models.CharField(_("virus scan"), max_length=12, choices=Scan.choices)
    scan_detail = models.CharField(_("scan detail"), max_length=200, blank=True)

    scope_branch_field = "complaint__branch"
    scope_rm_field = "complaint__customer__rm"

    class Meta:
        ordering = ["uploaded_at", "pk"]
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")

    def __str__(self) -> str:
        return f"{self.complaint_id} {self.original_name}"
