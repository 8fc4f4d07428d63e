from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from .letters import PLACEHOLDERS
from .models import Attachment, Complaint, ComplaintEvent, Deadline, LetterTemplate


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


class AttachmentInline(admin.TabularInline):
    model = Attachment
    extra = 0
    can_delete = False  # evidence is kept (docs/complaints.md "Attachments")
    fields = ("original_name", "kind", "size", "sha256", "uploaded_by", "uploaded_at", "scan", "scan_detail")
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False  # added on the desk, where limits and the virus scan apply


@admin.register(Complaint)
class ComplaintAdmin(admin.ModelAdmin):
    list_display = ("reference", "status", "tier", "policy", "branch", "category", "received_at")
    list_filter = ("status", "tier", "policy", "category", "channel")
    search_fields = ("reference", "customer__customer_no", "description")
    inlines = [DeadlineInline, EventInline, AttachmentInline]
    raw_id_fields = ("customer", "product", "staff_involved", "assignee")

    def has_change_permission(self, request, obj=None):
        return False  # state changes go through the desk (services.transition), never a raw edit

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(LetterTemplate)
class LetterTemplateAdmin(admin.ModelAdmin):
    """The bank words its own response letters; saving checks every placeholder (model ``clean``)."""

    list_display = ("name", "subject", "active", "last_updated")
    list_filter = ("active",)
    search_fields = ("name", "subject", "body")

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        form.base_fields["body"].help_text = _("Placeholders: %(names)s") % {
            "names": ", ".join("{" + name + "}" for name in PLACEHOLDERS)
        }
        return form
