from django.contrib import admin

from .models import ContactLog, Sale


@admin.register(Sale)
class SaleAdmin(admin.ModelAdmin):
    list_display = ("sale_id", "sale_date", "customer", "product", "amount", "fee_income", "staff", "branch")
    search_fields = ("sale_id", "customer__customer_no")
    raw_id_fields = ("customer", "product", "staff", "branch")


@admin.register(ContactLog)
class ContactLogAdmin(admin.ModelAdmin):
    list_display = ("customer", "contacted_at", "channel", "outcome", "user_name", "next_follow_up")
    list_filter = ("channel", "outcome")
    raw_id_fields = ("customer", "staff", "list_item")
