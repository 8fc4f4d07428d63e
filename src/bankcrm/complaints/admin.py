from django.contrib import admin

from .models import Complaint, ComplaintEvent, Deadline


class DeadlineInline(admin.TabularInline):
    model = Deadline
    extra = 0
    can_delete = False
    readonly_fields = ("clock", "binding", "started_at", "due_date", "due_at", "state", "met_at", "stopped_at")


class EventInline(admin.TabularInline):
    model = ComplaintEvent
    extra = 0
    can_delete = False
    readonly_fields = ("time", "user_name", "action", "from_status", "to_status", "note", "data")

    def has_add_permission(self, request, obj=None):
        return False  # history is written by the services only


@admin.register(Complaint)
class ComplaintAdmin(admin.ModelAdmin):
    list_display = ("reference", "status", "tier", "policy", "branch", "category", "received_at")
    list_filter = ("status", "tier", "policy", "category", "channel")
    search_fields = ("reference", "customer__customer_no", "description")
    inlines = [DeadlineInline, EventInline]
    raw_id_fields = ("customer", "product", "staff_involved", "assignee")

    def has_change_permission(self, request, obj=None):
        return False  # state changes go through the desk (services.transition), never a raw edit

    def has_delete_permission(self, request, obj=None):
        return False
