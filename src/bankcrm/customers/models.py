from django.db import models
from django.utils.translation import gettext_lazy as _

from bankcrm.core.models import ChangeLoggedModel, RestrictedModel, source_date_field

from .choices import (
    AccountStatus,
    CustomerStatus,
    Gender,
    IdType,
    KycChannel,
    KycRiskLevel,
    Migration,
    ProductCategory,
    RiskLevel,
    Tier,
)
from .search_keys import search_keys

MONEY = {"max_digits": 18, "decimal_places": 2}


class Product(ChangeLoggedModel):
    code = models.CharField(_("product code"), max_length=30, primary_key=True)
    name = models.CharField(_("name"), max_length=100)
    category = models.CharField(_("category"), max_length=20, choices=ProductCategory.choices, db_index=True)
    risk_level = models.CharField(_("risk level"), max_length=2, choices=RiskLevel.choices, blank=True)
    term_days = models.PositiveIntegerField(_("term (days)"), null=True, blank=True)
    fee_rate = models.DecimalField(_("fee rate"), max_digits=9, decimal_places=6, null=True, blank=True)
    source_date = source_date_field()

    class Meta:
        ordering = ["code"]
        verbose_name = _("product")
        verbose_name_plural = _("products")

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class Customer(ChangeLoggedModel):
    customer_no = models.CharField(_("customer no."), max_length=30, primary_key=True)
    name = models.CharField(_("name"), max_length=100, db_index=True)
    id_type = models.CharField(_("ID type"), max_length=15, choices=IdType.choices)
    id_number = models.CharField(_("ID number"), max_length=40)
    gender = models.CharField(_("gender"), max_length=1, choices=Gender.choices, blank=True)
    birth_date = models.DateField(_("birth date"), null=True, blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True, db_index=True)
    address = models.CharField(_("address"), max_length=255, blank=True)
    occupation = models.CharField(_("occupation"), max_length=100, blank=True)
    branch = models.ForeignKey(
        "org.Branch", on_delete=models.PROTECT, related_name="customers", verbose_name=_("branch")
    )
    rm = models.ForeignKey(
        "org.Staff",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="customers",
        verbose_name=_("relationship manager"),
    )
    onboard_date = models.DateField(_("onboard date"))
    status = models.CharField(_("status"), max_length=10, choices=CustomerStatus.choices, default=CustomerStatus.ACTIVE)
    marketing_consent = models.BooleanField(_("marketing consent"), null=True, blank=True)
    source_date = source_date_field()
    # Search keys (customers/search_keys.py), written with the record by the import and by save().
    name_pinyin = models.CharField(_("name in pinyin"), max_length=255, blank=True, editable=False)
    name_initials = models.CharField(_("pinyin initials of the name"), max_length=100, blank=True, editable=False)
    phone_last4 = models.CharField(_("last 4 digits of the mobile"), max_length=4, blank=True, editable=False)
    # the household view's exact match on the normalized address (search_keys.address_key)
    address_key = models.CharField(_("normalized address"), max_length=255, blank=True, editable=False)

    scope_branch_field = "branch"
    scope_rm_field = "rm"

    class Meta:
        ordering = ["customer_no"]
        verbose_name = _("customer")
        verbose_name_plural = _("customers")
        permissions = [("reveal_customer", "Can see personal data unmasked (logged, with a reason)")]
        indexes = [
            models.Index(fields=["id_type", "id_number"]),
            models.Index(fields=["branch", "rm"]),
            # The search matches an ID number exactly without knowing its type (docs/adr/0601).
            models.Index(fields=["id_number"], name="customer_id_number_idx"),
            # Name searches walk this in order and stop after one page (no sort of every match).
            models.Index(fields=["name", "customer_no"], name="customer_name_no_idx"),
            # spec/api.md's pinyin and last-4-digits searches: index ranges, no scan (issue 14); on
            # PostgreSQL pattern opclasses so LIKE 'oyn%' uses them under any collation.
            models.Index(
                fields=["name_pinyin", "customer_no"],
                name="customer_pinyin_idx",
                opclasses=["varchar_pattern_ops", "varchar_pattern_ops"],
            ),
            models.Index(
                fields=["name_initials", "customer_no"],
                name="customer_initials_idx",
                opclasses=["varchar_pattern_ops", "varchar_pattern_ops"],
            ),
            models.Index(fields=["phone_last4"], name="customer_phone_last4_idx"),
            models.Index(fields=["address_key"], name="customer_address_key_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.customer_no} {self.name}"

    def save(self, *args, **kwargs):
        keys = search_keys(self.name, self.phone, self.address)
        for field_name, value in keys.items():
            setattr(self, field_name, value)
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and {"name", "phone", "address"} & set(update_fields):
            kwargs["update_fields"] = {*update_fields, *keys}
        super().save(*args, **kwargs)


class Account(ChangeLoggedModel):
    account_no = models.CharField(_("account no."), max_length=40, primary_key=True)
    customer = models.ForeignKey(
        Customer, on_delete=models.PROTECT, related_name="accounts", verbose_name=_("customer")
    )
    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="accounts", verbose_name=_("product"))
    open_date = models.DateField(_("open date"))
    maturity_date = models.DateField(_("maturity date"), null=True, blank=True)
    close_date = models.DateField(_("close date"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=AccountStatus.choices)
    branch = models.ForeignKey(
        "org.Branch", on_delete=models.PROTECT, null=True, blank=True, related_name="accounts", verbose_name=_("branch")
    )
    source_date = source_date_field()

    scope_branch_field = "customer__branch"
    scope_rm_field = "customer__rm"

    class Meta:
        ordering = ["account_no"]
        verbose_name = _("account")
        verbose_name_plural = _("accounts")

    def __str__(self) -> str:
        return self.account_no


class KycAssessment(ChangeLoggedModel):
    customer = models.ForeignKey(
        Customer, on_delete=models.CASCADE, related_name="kyc_assessments", verbose_name=_("customer")
    )
    assessed_date = models.DateField(_("assessed on"))
    risk_level = models.CharField(_("risk level"), max_length=2, choices=KycRiskLevel.choices)
    expires_date = models.DateField(_("expires on"))
    channel = models.CharField(_("channel"), max_length=10, choices=KycChannel.choices, blank=True)
    source_date = source_date_field()

    scope_branch_field = "customer__branch"
    scope_rm_field = "customer__rm"

    class Meta:
        ordering = ["customer", "-assessed_date"]
        verbose_name = _("KYC assessment")
        verbose_name_plural = _("KYC assessments")
        constraints = [models.UniqueConstraint(fields=["customer", "assessed_date"], name="kyc_one_per_customer_day")]

    def __str__(self) -> str:
        return f"{self.customer_id} {self.assessed_date} {self.risk_level}"


class CustomerTag(ChangeLoggedModel):
    """A free tag a relationship manager puts on a customer (issue 14), e.g. "教师" or "有车贷意向".

    Tags are the customer's, not the rm's: anyone who has the customer in scope sees them, and a
    new rm inherits them with the customer. Adding and removing are change-logged.
    """

    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="tags", verbose_name=_("customer"))
    name = models.CharField(_("tag"), max_length=30)

    scope_branch_field = "customer__branch"
    scope_rm_field = "customer__rm"

    class Meta:
        ordering = ["customer", "name"]
        verbose_name = _("customer tag")
        verbose_name_plural = _("customer tags")
        constraints = [models.UniqueConstraint(fields=["customer", "name"], name="customer_tag_once")]
        indexes = [models.Index(fields=["name"], name="customer_tag_name")]

    def __str__(self) -> str:
        return f"{self.customer_id} {self.name}"


class CustomerMonth(RestrictedModel):
    """One customer's snapshot for one month (spec/metrics.md "The snapshot row").

    Written in bulk by ``bankcrm metrics`` (analytics computes it; recomputing a month replaces its
    rows). Stored here, with the customer, because search, the 360, campaigns' audiences and the
    reports all read it and sit below or beside analytics (docs/architecture.md).
    """

    month = models.CharField(_("month"), max_length=7)  # YYYY-MM
    as_of = models.DateField(_("as of"))
    customer = models.ForeignKey(
        Customer,
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
        db_table = "analytics_customermonth"  # created by analytics; moved here with its rows (issue 9)
        indexes = [
            models.Index(fields=["month", "branch_code", "tier"], name="analytics_c_month_02bd7f_idx"),
            models.Index(fields=["customer", "month"], name="analytics_c_custome_118de3_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.customer_id} {self.month}"
