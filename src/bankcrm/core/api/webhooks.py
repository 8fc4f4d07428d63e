"""The admins' API for webhooks (ADR 0606): subscriptions (the secret write-only) and the delivery log."""

from django.utils.translation import gettext_lazy as _
from rest_framework import permissions, serializers, viewsets

from bankcrm.core.models import WebhookAttempt, WebhookDelivery, WebhookEventType, WebhookSubscription

from .views import ModelPermissions


class WebhookPermissions(ModelPermissions):
    """Reads need the view permission of the model, which only admins hold (org/roles.py WEBHOOK_MODELS)."""


class WebhookSubscriptionSerializer(serializers.ModelSerializer):
    event_types = serializers.ListField(
        child=serializers.ChoiceField(choices=WebhookEventType.choices), allow_empty=False
    )
    # Never shown back: whoever reads the list later must not be able to forge the signature.
    secret = serializers.CharField(write_only=True, min_length=16, max_length=200)

    class Meta:
        model = WebhookSubscription
        fields = ["id", "name", "url", "secret", "event_types", "active", "created"]
        read_only_fields = ["created"]

    def validate_event_types(self, value: list[str]) -> list[str]:
        if len(set(value)) != len(value):
            raise serializers.ValidationError(_("每种事件类型只能出现一次。"))
        return value

    def validate_url(self, value: str) -> str:
        if not value.lower().startswith(("http://", "https://")):
            raise serializers.ValidationError(_("URL 必须以 http:// 或 https:// 开头。"))
        return value


class WebhookAttemptSerializer(serializers.ModelSerializer):
    class Meta:
        model = WebhookAttempt
        fields = ["number", "time", "status_code", "error", "duration_ms"]


class WebhookDeliverySerializer(serializers.ModelSerializer):
    log = WebhookAttemptSerializer(many=True, read_only=True)

    class Meta:
        model = WebhookDelivery
        fields = ["id", "subscription", "event_type", "delivery_id", "status", "attempts", "next_attempt_at",
                  "last_status_code", "last_error", "delivered_at", "created", "body", "log"]  # fmt: skip


class WebhookSubscriptionViewSet(viewsets.ModelViewSet):
    queryset = WebhookSubscription.objects.all()
    serializer_class = WebhookSubscriptionSerializer
    permission_classes = [permissions.IsAuthenticated, WebhookPermissions]
    filterset_fields = ["active"]


class WebhookDeliveryViewSet(viewsets.ReadOnlyModelViewSet):
    queryset = WebhookDelivery.objects.select_related("subscription").prefetch_related("log")
    serializer_class = WebhookDeliverySerializer
    permission_classes = [permissions.IsAuthenticated, WebhookPermissions]
    filterset_fields = ["status", "event_type", "subscription"]
