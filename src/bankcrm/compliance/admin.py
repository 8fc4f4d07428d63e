from django.contrib import admin

from .models import ChecklistQuestion, FindingCode, RiskIndicator


@admin.register(ChecklistQuestion)
class ChecklistQuestionAdmin(admin.ModelAdmin):
    """The bank's checklist templates (one per population), also editable on the desk's page."""

    list_display = ("population", "position", "text", "active")
    list_filter = ("population", "active")
    list_editable = ("position", "active")
    ordering = ("population", "position", "pk")


@admin.register(FindingCode)
class FindingCodeAdmin(admin.ModelAdmin):
    list_display = ("code", "name")
    search_fields = ("code", "name")


@admin.register(RiskIndicator)
class RiskIndicatorAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "direction", "limit", "warning", "computed")
    list_editable = ("limit", "warning")
