from django.db import models
from django.utils.translation import gettext_lazy as _

from bankcrm.core.models import RestrictedModel
from bankcrm.customers.models import MONEY

from .choices import Migration, Tier


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
