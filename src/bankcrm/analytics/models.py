from django.db import models
from django.utils.translation import gettext_lazy as _

from bankcrm.core.models import ChangeLoggedModel, RestrictedModel
from bankcrm.customers.models import MONEY

from .choices import ListItemStatus, ListKind, Migration, Tier


class CustomerMonth(RestrictedModel):
    """One customer's snapshot for one month (spec/metrics.md "The snapshot row").

    Written in bulk by ``bankcrm metrics``; recomputing a month replaces its rows.
    """

    month = models.CharField(_("month"), max_length=7)  # YYYY-MM
    as_of = models.DateField(_("as of"))
    customer = models.ForeignKey(
        "customers.Customer",
        on_delete=models.CASCADE,
        related_name="months",
        db_constraint=False,
        verbose_name=_("customer"),
    )
    branch_code = models.CharField(_("branch"), max_length=20, db_index=True)
    rm_staff_no = models.CharField(_("relationship manager"), max_length=20, blank=True, db_index=True)
    days = models.PositiveSmallIntegerField(_("days"))
    aum_avg = models.DecimalField(_("AUM daily average"), **MONEY)
    aum_end = models.DecimalField(_("AUM at as-of"), **MONEY)
    deposit_avg = models.DecimalField(_("deposit daily average"), **MONEY)
    loan_end = models.DecimalField(_("loans at as-of"), **MONEY)
    tier = models.CharField(_("tier"), max_length=10, choices=Tier.choices)
    prev_tier = models.CharField(_("previous tier"), max_length=10, choices=Tier.choices, blank=True)
    migration = models.CharField(_("migration"), max_length=5, choices=Migration.choices)
    categories_held = models.PositiveSmallIntegerField(_("categories held"))
    cross_sell_qualified = models.BooleanField(_("cross-sell qualified"))
    dormant = models.BooleanField(_("dormant"))
    dormant_potential = models.BooleanField(_("dormant with potential"))
    edge = models.BooleanField(_("edge"))
    downgraded = models.BooleanField(_("downgraded"))
    maturing = models.BooleanField(_("maturing"))
    kyc_expiring = models.BooleanField(_("KYC expiring"))

    # Scoped by the snapshot's own branch/rm columns (the owner at the time of the snapshot).
    scope_branch_field = "branch_code"
    scope_rm_field = "rm_staff_no"

    class Meta:
        ordering = ["month", "customer"]
        verbose_name = _("customer month")
        verbose_name_plural = _("customer months")
        constraints = [models.UniqueConstraint(fields=["month", "customer"], name="customer_month_unique")]
        indexes = [models.Index(fields=["month", "branch_code", "tier"]), models.Index(fields=["customer", "month"])]

    def __str__(self) -> str:
        return f"{self.customer_id} {self.month}"


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
        constraints = [models.UniqueConstraint(fields=["kind", "as_of", "customer"], name="list_item_unique")]
        indexes = [
            models.Index(fields=["assignee", "status"]),
            models.Index(fields=["branch_code", "kind", "as_of"]),
            # recomputing an as-of reads all its items; export list reads one kind in rank order
            models.Index(fields=["as_of", "kind", "rank"]),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.as_of} #{self.rank} {self.customer_id}"
