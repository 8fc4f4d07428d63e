from django.contrib import admin

from .models import Sale


@admin.register(Sale)
class SaleAdmin(admin.ModelAdmin):
    list_display = ("sale_id", "sale_date", "customer", "product", "amount", "fee_income", "staff", "branch")
    search_fields = ("sale_id", "customer__customer_no")
    raw_id_fields = ("customer", "product", "staff", "branch")
