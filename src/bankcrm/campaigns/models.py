import datetime as dt
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from bankcrm.core.models import AppendOnlyModel, ChangeLoggedModel, RestrictedModel
from bankcrm.customers.choices import ContactChannel, ContactOutcome, Tier
from bankcrm.customers.models import MONEY

from .choices import (
    CampaignAction,
    CampaignChannel,
    CampaignStatus,
    CollectionOutcome,
    ExclusionReason,
    Finding,
    Group,
    ListItemStatus,
    ListKind,
    Refusal,
    SaleAction,
    SaleChannel,
    SaleStatus,
    TaskKind,
)


class Sale(ChangeLoggedModel):
    """One subscription/purchase of a product, with the fee income it earned (中间业务收入)."""

    sale_id = models.CharField(_("sale id"), max_length=40, primary_key=True)
    sale_date = models.DateField(_("sale date"), db_index=True)
    customer = models.ForeignKey(
        "customers.Customer", on_delete=models.PROTECT, related_name="sales", verbose_name=_("customer")
    )
    product = models.ForeignKey(
        "customers.Product", on_delete=models.PROTECT, related_name="sales", verbose_name=_("product")
    )
    amount = models.DecimalField(_("amount"), **MONEY)
    fee_income = models.DecimalField(_("fee income"), **MONEY)
    staff = models.ForeignKey(
        "org.Staff",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="sales",
        verbose_name=_("staff member"),
    )
    branch = models.ForeignKey("org.Branch", on_delete=models.PROTECT, related_name="sales", verbose_name=_("branch"))
    channel = models.CharField(_("channel"), max_length=20)

    scope_branch_field = "customer__branch"
    scope_rm_field = "customer__rm"

    class Meta:
        ordering = ["-sale_date", "sale_id"]
        verbose_name = _("sale")
        verbose_name_plural = _("sales")

    def __str__(self) -> str:
        return self.sale_id


class Campaign(ChangeLoggedModel):
    """A marketing campaign (营销活动) with its audience rule and its control group."""

    code = models.CharField(_("code"), max_length=30, unique=True)
    name = models.CharField(_("name"), max_length=200)
    products = models.ManyToManyField("customers.Product", related_name="campaigns", verbose_name=_("products"))
    start_date = models.DateField(_("start date"))
    end_date = models.DateField(_("end date"))
    response_days = models.PositiveSmallIntegerField(_("response days"), default=30)
    channel = models.CharField(_("channel"), max_length=15, choices=CampaignChannel.choices)
    control_pct = models.DecimalField(_("control group %"), max_digits=5, decimal_places=2, default=Decimal("10"))
    audience = models.JSONField(_("audience"), default=dict)
    # the contact cap: at most this many campaigns as a target in the 30 days before start_date
    max_campaigns_30d = models.PositiveSmallIntegerField(_("contact cap (30 days)"), default=2)
    status = models.CharField(_("status"), max_length=10, choices=CampaignStatus.choices, default=CampaignStatus.DRAFT)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("author")
    )
    approver = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("approver"),
    )
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)

    class Meta:
        ordering = ["-start_date", "code"]
        verbose_name = _("campaign")
        verbose_name_plural = _("campaigns")
        constraints = [
            models.CheckConstraint(condition=Q(end_date__gte=F("start_date")), name="campaign_dates_in_order"),
            models.CheckConstraint(
                condition=Q(control_pct__gte=0) & Q(control_pct__lte=50), name="campaign_control_pct_0_50"
            ),
        ]

    def __str__(self) -> str:
        return self.code

    @property
    def as_of(self) -> dt.date | None:
        raw = (self.audience or {}).get("as_of")
        return dt.date.fromisoformat(raw) if raw else None

    @property
    def response_until(self) -> dt.date:
        return self.end_date + dt.timedelta(days=self.response_days)

    @property
    def list_kind(self) -> str:
        return f"campaign:{self.code}"


class CampaignEvent(AppendOnlyModel):
    """One entry of a campaign's history (created, approved, started, closed). Never edited."""

    campaign = models.ForeignKey(Campaign, on_delete=models.PROTECT, related_name="events")
    time = models.DateTimeField(_("time"), default=timezone.now, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    user_name = models.CharField(_("by"), max_length=150, blank=True)
    action = models.CharField(_("action"), max_length=10, choices=CampaignAction.choices)
    from_status = models.CharField(_("from"), max_length=10, choices=CampaignStatus.choices, blank=True)
    to_status = models.CharField(_("to"), max_length=10, choices=CampaignStatus.choices, blank=True)
    data = models.JSONField(_("data"), default=dict, blank=True)

    class Meta:
        ordering = ["time", "pk"]
        verbose_name = _("campaign event")
        verbose_name_plural = _("campaign events")

    def __str__(self) -> str:
        return f"{self.campaign_id} {self.action}"


class CampaignMember(RestrictedModel):
    """A customer frozen into a started campaign: target (contacted) or control (never contacted)."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="members")
    customer = models.ForeignKey(
        "customers.Customer", on_delete=models.PROTECT, related_name="campaign_memberships", verbose_name=_("customer")
    )
    group = models.CharField(_("group"), max_length=10, choices=Group.choices)
    branch_code = models.CharField(_("branch"), max_length=20, db_index=True)
    assignee = models.CharField(_("assignee"), max_length=40)  # as for lists: staff_no or branch:<code>

    scope_branch_field = "branch_code"
    scope_rm_field = "assignee"

    class Meta:
        ordering = ["campaign", "customer"]
        verbose_name = _("campaign member")
        verbose_name_plural = _("campaign members")
        constraints = [models.UniqueConstraint(fields=["campaign", "customer"], name="campaign_member_unique")]
        indexes = [models.Index(fields=["customer", "group"])]

    def __str__(self) -> str:
        return f"{self.campaign_id} {self.customer_id} {self.group}"


class CampaignExclusion(RestrictedModel):
    """A customer of the audience left out at start, with the first reason that applied."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="exclusions")
    customer = models.ForeignKey(
        "customers.Customer", on_delete=models.PROTECT, related_name="+", verbose_name=_("customer")
    )
    reason = models.CharField(_("reason"), max_length=20, choices=ExclusionReason.choices)
    detail = models.CharField(_("detail"), max_length=40, blank=True)  # e.g. kyc_expired under suitability
    branch_code = models.CharField(_("branch"), max_length=20)

    scope_branch_field = "branch_code"
    scope_rm_field = "customer__rm"

    class Meta:
        ordering = ["campaign", "customer"]
        verbose_name = _("campaign exclusion")
        verbose_name_plural = _("campaign exclusions")
        constraints = [models.UniqueConstraint(fields=["campaign", "customer"], name="campaign_exclusion_unique")]

    def __str__(self) -> str:
        return f"{self.campaign_id} {self.customer_id} {self.reason}"


class RecordedSale(ChangeLoggedModel):
    """A sale recorded by staff (counter, lobby tablet, API) after the suitability check let it through.

    Kept apart from imported ``Sale`` rows: the nightly sales file for a date replaces that date's
    imported rows, and must never delete a sale a teller recorded.
    """

    sale_id = models.CharField(_("sale id"), max_length=40, unique=True)
    sale_date = models.DateField(_("sale date"), db_index=True)
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now)
    customer = models.ForeignKey(
        "customers.Customer", on_delete=models.PROTECT, related_name="recorded_sales", verbose_name=_("customer")
    )
    product = models.ForeignKey(
        "customers.Product", on_delete=models.PROTECT, related_name="recorded_sales", verbose_name=_("product")
    )
    amount = models.DecimalField(_("amount"), **MONEY)
    fee_income = models.DecimalField(_("fee income"), **MONEY)
    channel = models.CharField(_("channel"), max_length=10, choices=SaleChannel.choices)
    recording_ref = models.CharField(_("recording reference (双录)"), max_length=60, blank=True)
    warning_confirmed = models.BooleanField(_("special risk warning confirmed"), default=False)
    exception = models.BooleanField(_("sold above the risk level on a confirmed warning"), default=False)
    status = models.CharField(_("status"), max_length=15, choices=SaleStatus.choices)
    cooling_off_until = models.DateTimeField(_("cooling-off until"), null=True, blank=True)
    seller = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("seller")
    )
    seller_name = models.CharField(_("seller"), max_length=150)
    staff = models.ForeignKey(
        "org.Staff", on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("staff member")
    )
    branch = models.ForeignKey("org.Branch", on_delete=models.PROTECT, related_name="+", verbose_name=_("branch"))
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("reviewed by"),
    )
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)

    scope_branch_field = "customer__branch"
    scope_rm_field = "customer__rm"

    class Meta:
        ordering = ["-recorded_at", "-pk"]
        verbose_name = _("recorded sale")
        verbose_name_plural = _("recorded sales")
        # approving / rejecting a 65+ customer's R4/R5 sale: a branch manager, never the seller
        permissions = [("review_recordedsale", "Can approve or reject a sale pending review")]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="recorded_sale_amount_positive"),
        ]
        indexes = [models.Index(fields=["customer", "product", "sale_date"])]

    def __str__(self) -> str:
        return self.sale_id


class SaleEvent(AppendOnlyModel):
    """One entry of a recorded sale's history (recorded, approved, rejected, cancelled, booked)."""

    sale = models.ForeignKey(RecordedSale, on_delete=models.PROTECT, related_name="events")
    time = models.DateTimeField(_("time"), default=timezone.now, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    user_name = models.CharField(_("by"), max_length=150, blank=True)
    action = models.CharField(_("action"), max_length=10, choices=SaleAction.choices)
    from_status = models.CharField(_("from"), max_length=15, choices=SaleStatus.choices, blank=True)
    to_status = models.CharField(_("to"), max_length=15, choices=SaleStatus.choices, blank=True)
    note = models.TextField(_("note"), blank=True)

    scope_branch_field = "sale__customer__branch"
    scope_rm_field = "sale__customer__rm"

    class Meta:
        ordering = ["time", "pk"]
        verbose_name = _("sale event")
        verbose_name_plural = _("sale events")

    def __str__(self) -> str:
        return f"{self.sale_id} {self.action}"


class RefusedSale(RestrictedModel):
    """An attempted sale the suitability check refused: kept for compliance, never counted."""

    time = models.DateTimeField(_("time"), default=timezone.now, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    user_name = models.CharField(_("by"), max_length=150)
    customer = models.ForeignKey(
        "customers.Customer", on_delete=models.PROTECT, related_name="+", verbose_name=_("customer")
    )
    product = models.ForeignKey("customers.Product", on_delete=models.PROTECT, related_name="+")
    amount = models.DecimalField(_("amount"), **MONEY)
    channel = models.CharField(_("channel"), max_length=10, choices=SaleChannel.choices)
    sale_date = models.DateField(_("sale date"))
    reason = models.CharField(_("reason"), max_length=25, choices=Refusal.choices)

    scope_branch_field = "customer__branch"
    scope_rm_field = "customer__rm"

    class Meta:
        ordering = ["-time", "-pk"]
        verbose_name = _("refused sale")
        verbose_name_plural = _("refused sales")

    def __str__(self) -> str:
        return f"{self.customer_id} {self.product_id} {self.reason}"


class SuitabilityFinding(RestrictedModel):
    """An imported sale that breaks the suitability rules (the mis-selling report)."""

    sale = models.ForeignKey(Sale, on_delete=models.CASCADE, related_name="findings")
    finding = models.CharField(_("finding"), max_length=20, choices=Finding.choices)
    checked_at = models.DateTimeField(_("checked at"), default=timezone.now)

    scope_branch_field = "sale__customer__branch"
    scope_rm_field = "sale__customer__rm"

    class Meta:
        ordering = ["sale", "finding"]
        verbose_name = _("suitability finding")
        verbose_name_plural = _("suitability findings")
        constraints = [models.UniqueConstraint(fields=["sale", "finding"], name="suitability_finding_unique")]

    def __str__(self) -> str:
        return f"{self.sale_id} {self.finding}"


class ListItem(ChangeLoggedModel):
    """One customer on one list (名单) of one as-of date, assigned to a person or a branch queue."""

    # a ListKind, or "campaign:<code>" for a started campaign's targets (spec/campaigns.md)
    kind = models.CharField(_("list"), max_length=40, choices=ListKind.choices)
    as_of = models.DateField(_("as of"))
    rank = models.PositiveIntegerField(_("rank"))
    customer = models.ForeignKey(
        "customers.Customer",
        on_delete=models.CASCADE,
        related_name="list_items",
        db_constraint=False,
        verbose_name=_("customer"),
    )
    branch_code = models.CharField(_("branch"), max_length=20)
    # rm's staff_no, or "branch:<code>" for the branch queue (spec/cli.md export list)
    assignee = models.CharField(_("assignee"), max_length=40, db_index=True)
    aum_avg = models.DecimalField(_("AUM daily average"), **MONEY)
    tier = models.CharField(_("tier"), max_length=10, choices=Tier.choices)
    detail = models.CharField(_("detail"), max_length=200, blank=True)
    # What the detail says, as data (tiers, amounts in cents, dates): pages render it translated and
    # formatted for the reader's language (campaigns/details.py); ``detail`` stays the plain-text
    # form for exports and for items written before the facts existed.
    facts = models.JSONField(_("facts"), default=dict, blank=True)
    status = models.CharField(
        _("status"), max_length=15, choices=ListItemStatus.choices, default=ListItemStatus.PENDING
    )
    status_changed = models.DateTimeField(_("status changed"), null=True, blank=True)

    scope_branch_field = "branch_code"
    scope_rm_field = "assignee"

    class Meta:
        ordering = ["kind", "as_of", "rank"]
        verbose_name = _("list item")
        verbose_name_plural = _("list items")
        db_table = "analytics_listitem"  # created by analytics; moved here with its rows (issue 9)
        constraints = [models.UniqueConstraint(fields=["kind", "as_of", "customer"], name="list_item_unique")]
        indexes = [
            models.Index(fields=["assignee", "status"], name="analytics_l_assigne_10f08e_idx"),
            models.Index(fields=["branch_code", "kind", "as_of"], name="analytics_l_branch__7032b2_idx"),
            # recomputing an as-of reads all its items; export list reads one kind in rank order
            models.Index(fields=["as_of", "kind", "rank"], name="analytics_l_as_of_a0ea7d_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.as_of} #{self.rank} {self.customer_id}"


class ContactLog(ChangeLoggedModel):
    """A relationship manager's contact with a customer (名单 follow-up, 客户维护)."""

    customer = models.ForeignKey(
        "customers.Customer", on_delete=models.CASCADE, related_name="contacts", verbose_name=_("customer")
    )
    staff = models.ForeignKey(
        "org.Staff",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="contacts",
        verbose_name=_("staff member"),
    )
    user_name = models.CharField(_("entered by"), max_length=150)
    contacted_at = models.DateTimeField(_("contacted at"), db_index=True)
    channel = models.CharField(_("channel"), max_length=10, choices=ContactChannel.choices)
    # the customers' outcomes, plus the collection ones (offered only on an ``overdue`` list item)
    outcome = models.CharField(
        _("outcome"), max_length=25, choices=[*ContactOutcome.choices, *CollectionOutcome.choices]
    )
    note = models.TextField(_("note"), blank=True)
    next_follow_up = models.DateField(_("next follow-up"), null=True, blank=True, db_index=True)
    confidential = models.BooleanField(_("confidential"), default=False)
    list_item = models.ForeignKey(
        ListItem,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="contacts",
        verbose_name=_("list item"),
    )
    # a promise to pay (承诺还款): both required, the date not before the contact's day
    promised_date = models.DateField(_("promised date"), null=True, blank=True)
    promised_amount = models.DecimalField(_("promised amount"), null=True, blank=True, **MONEY)
    # a partial payment (部分还款): what the customer says they paid
    paid_amount = models.DecimalField(_("amount paid"), null=True, blank=True, **MONEY)

    scope_branch_field = "customer__branch"
    scope_rm_field = "customer__rm"

    class Meta:
        db_table = "customers_contactlog"  # created by customers; moved here with its rows (issue 9)
        ordering = ["-contacted_at", "-pk"]
        verbose_name = _("contact")
        verbose_name_plural = _("contact log")
        constraints = [
            models.CheckConstraint(
                condition=~Q(outcome="promise_to_pay") | (Q(promised_date__isnull=False) & Q(promised_amount__gt=0)),
                name="contact_promise_has_date_and_amount",
                violation_error_message=_("A promise to pay needs a promised date and an amount above 0."),
            ),
            models.CheckConstraint(
                condition=Q(outcome="promise_to_pay")
                | (Q(promised_date__isnull=True) & Q(promised_amount__isnull=True)),
                name="contact_promised_fields_only_on_promise",
                violation_error_message=_("A promised date or amount goes only with a promise to pay."),
            ),
            models.CheckConstraint(
                condition=Q(outcome="partial_payment") | Q(paid_amount__isnull=True),
                name="contact_paid_amount_only_on_partial_payment",
                violation_error_message=_("An amount paid goes only with a partial payment."),
            ),
            models.CheckConstraint(
                condition=~Q(outcome="partial_payment") | Q(paid_amount__gt=0),
                name="contact_partial_payment_positive",
                violation_error_message=_("A partial payment needs an amount paid above 0."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.customer_id} {self.contacted_at:%Y-%m-%d} {self.channel}"


class ListItemEvent(AppendOnlyModel):
    """What happened to a list item, append-only (like complaints' events): who, when, from → to."""

    class Kind(models.TextChoices):
        STATUS = "status", _("status changed")
        REASSIGNED = "reassigned", _("reassigned")

    item = models.ForeignKey(ListItem, on_delete=models.CASCADE, related_name="events", verbose_name=_("list item"))
    time = models.DateTimeField(_("time"), auto_now_add=True, db_index=True)
    user_name = models.CharField(_("user"), max_length=150)
    kind = models.CharField(_("event"), max_length=12, choices=Kind.choices)
    from_value = models.CharField(_("from"), max_length=40, blank=True)
    to_value = models.CharField(_("to"), max_length=40, blank=True)
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        ordering = ["time", "pk"]
        verbose_name = _("list item event")
        verbose_name_plural = _("list item events")

    def __str__(self) -> str:
        return f"{self.item_id} {self.kind} {self.from_value}→{self.to_value}"


class RmTask(ChangeLoggedModel):
    """A task or appointment a relationship manager keeps for themself (issue 14, 今日 page).

    Scoped like the rm's customers: the owner sees their own, their branch head the branch's
    (core/scope.py); every create and "done" lands in the change log through ChangeLoggedModel.
    """

    title = models.CharField(_("title"), max_length=200)
    kind = models.CharField(_("kind"), max_length=15, choices=TaskKind.choices, default=TaskKind.TASK)
    customer = models.ForeignKey(
        "customers.Customer",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="rm_tasks",
        verbose_name=_("customer"),
    )
    due = models.DateTimeField(_("due"), db_index=True)
    done = models.BooleanField(_("done"), default=False)
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)
    owner = models.ForeignKey("org.Staff", on_delete=models.PROTECT, related_name="rm_tasks", verbose_name=_("owner"))
    branch = models.ForeignKey(
        "org.Branch", on_delete=models.PROTECT, related_name="rm_tasks", verbose_name=_("branch")
    )

    scope_branch_field = "branch"
    scope_rm_field = "owner"

    class Meta:
        ordering = ["done", "due", "pk"]
        verbose_name = _("task or appointment")
        verbose_name_plural = _("tasks and appointments")
        indexes = [models.Index(fields=["owner", "done", "due"], name="campaigns_rmtask_due_idx")]

    def __str__(self) -> str:
        return self.title
