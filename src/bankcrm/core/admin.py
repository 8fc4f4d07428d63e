from django.contrib import admin
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from .models import ObjectChange, WebhookAttempt, WebhookDelivery, WebhookSubscription


def field_label(model, name: str) -> str:
    """A stored field name as the model labels it, in the reader's language (``rm_id`` → 客户经理)."""
    if model is not None:
        for candidate in (name, name.removesuffix("_id")):
            try:
                return str(model._meta.get_field(candidate).verbose_name)
            except FieldDoesNotExist:
                continue
    return name


@admin.register(ObjectChange)
class ObjectChangeAdmin(admin.ModelAdmin):
    list_display = ("time", "user_name", "action", "content_type", "object_repr")
    list_filter = ("action", "content_type")
    search_fields = ("object_repr", "object_id", "user_name")
    readonly_fields = ["changed_fields", *[f.name for f in ObjectChange._meta.fields]]

    @admin.display(description=_("changed fields"))
    def changed_fields(self, obj: ObjectChange) -> str:
        """The fields that changed, by their labels, before and after (the raw JSON stays below)."""
        before, after = obj.prechange_data or {}, obj.postchange_data or {}
        model = obj.content_type.model_class() if obj.content_type_id else None
        names = [n for n in dict.fromkeys([*before, *after]) if before.get(n) != after.get(n)]
        if not names:
            return "—"
        rows = format_html_join(
            "",
            "<tr><th>{}</th><td>{}</td><td>{}</td></tr>",
            ((field_label(model, n), before.get(n, "—"), after.get(n, "—")) for n in names),
        )
        return format_html(
            "<table><thead><tr><th>{}</th><th>{}</th><th>{}</th></tr></thead><tbody>{}</tbody></table>",
            _("field"), _("before"), _("after"), rows,
        )  # fmt: skip

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(WebhookSubscription)
class WebhookSubscriptionAdmin(admin.ModelAdmin):
    list_display = ("name", "url", "active", "created")
    list_filter = ("active",)
    # An URL typed without a scheme is https (Django 6's default; silences its deprecation warning).
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    search_fields = ("name", "url")


class WebhookAttemptInline(admin.TabularInline):
    model = WebhookAttempt
    fields = ("number", "time", "status_code", "error", "duration_ms")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(admin.ModelAdmin):
    """The delivery log: read-only (the worker writes it); one row per event and subscriber, attempts inline."""

    list_display = (
        "created",
        "event_type",
        "subscription",
        "status",
        "attempts",
        "last_status_code",
        "next_attempt_at",
    )
    list_filter = ("status", "event_type", "subscription")
    search_fields = ("delivery_id",)
    readonly_fields = [f.name for f in WebhookDelivery._meta.fields]
    inlines = [WebhookAttemptInline]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
