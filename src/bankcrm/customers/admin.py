from django.contrib import admin
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .masking import age_on, mask_id_number, mask_phone
from .models import Account, Customer, KycAssessment, Product


@admin.register(Product)
class ProductAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "category", "risk_level", "term_days", "fee_rate")
    list_filter = ("category", "risk_level")
    search_fields = ("code", "name")


@admin.register(Customer)
class CustomerAdmin(admin.ModelAdmin):
    """Personal data stays masked in the admin too; the full values are a logged page of the app."""

    list_display = ("customer_no", "name", "masked_id_number", "masked_phone", "branch", "rm", "status")
    list_filter = ("status", "id_type")
    search_fields = ("customer_no", "name")
    raw_id_fields = ("branch", "rm")
    # The birth date beside a masked ID number gives the number back (docs/security.md): age only.
    exclude = ("id_number", "phone", "address", "birth_date")
    readonly_fields = ("masked_id_number", "masked_phone", "age")

    @admin.display(description=_("age"))
    def age(self, obj):
        return age_on(obj.birth_date, timezone.localdate())

    @admin.display(description=_("ID number"))
    def masked_id_number(self, obj):
        return mask_id_number(obj.id_number)

    @admin.display(description=_("phone"))
    def masked_phone(self, obj):
        return mask_phone(obj.phone)


@admin.register(Account)
class AccountAdmin(admin.ModelAdmin):
    list_display = ("account_no", "customer", "product", "open_date", "maturity_date", "close_date", "status")
    list_filter = ("status",)
    search_fields = ("account_no", "customer__customer_no")
    raw_id_fields = ("customer", "product", "branch")


@admin.register(KycAssessment)
class KycAssessmentAdmin(admin.ModelAdmin):
    list_display = ("customer", "assessed_date", "risk_level", "expires_date", "channel")
    list_filter = ("risk_level", "channel")
    search_fields = ("customer__customer_no",)
    raw_id_fields = ("customer",)
