from django.db import models
from django.utils.translation import gettext_lazy as _

from bankcrm.core.models import ChangeLoggedModel
from bankcrm.customers.models import MONEY


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
