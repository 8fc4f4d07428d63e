from django.db import models
from django.utils.translation import gettext_lazy as _

from bankcrm.core.models import ChangeLoggedModel
from bankcrm.customers.choices import ContactChannel, ContactOutcome, Tier
from bankcrm.customers.models import MONEY

from .choices import ListItemStatus, ListKind


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


class ListItem(ChangeLoggedModel):
    """One customer on one list (名单) of one as-of date, assigned to a person or a branch queue."""

    kind = models.CharField(_("list"), max_length=20, choices=ListKind.choices)
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
    status = models.CharField(
        _("status"), max_length=10, choices=ListItemStatus.choices, default=ListItemStatus.PENDING
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
    outcome = models.CharField(_("outcome"), max_length=12, choices=ContactOutcome.choices)
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

    scope_branch_field = "customer__branch"
    scope_rm_field = "customer__rm"

    class Meta:
        db_table = "customers_contactlog"  # created by customers; moved here with its rows (issue 9)
        ordering = ["-contacted_at", "-pk"]
        verbose_name = _("contact")
        verbose_name_plural = _("contact log")

    def __str__(self) -> str:
        return f"{self.customer_id} {self.contacted_at:%Y-%m-%d} {self.channel}"


class ListItemEvent(models.Model):
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
