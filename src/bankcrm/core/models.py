from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils.translation import gettext_lazy as _

from .querysets import RestrictedQuerySet


class RestrictedModel(models.Model):
    """Base for every bankcrm model: the scoping door is the default manager."""

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        abstract = True


class AppendOnlyQuerySet(RestrictedQuerySet):
    def update(self, **kwargs):
        raise TypeError("history is append-only: events cannot be updated")

    def delete(self):
        raise TypeError("history is append-only: events cannot be deleted")


class AppendOnlyModel(RestrictedModel):
    """Base of every history record (complaint, campaign and sale events): written once, never
    edited or deleted — not one row, not a queryset."""

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise TypeError("history is append-only: events cannot be updated")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise TypeError("history is append-only: events cannot be deleted")


class ChangeLoggedModel(RestrictedModel):
    """A model whose every create, update and delete through the ORM lands in ObjectChange.

    Bulk loads (the nightly import) bypass per-row logging on purpose: they
    are recorded once per file in the import run instead (docs/adr/0002).
    """

    created = models.DateTimeField(_("created"), auto_now_add=True, null=True)
    last_updated = models.DateTimeField(_("last updated"), auto_now=True, null=True)

    class Meta:
        abstract = True

    def snapshot(self) -> dict:
        from .changelog import serialize_object

        return serialize_object(self)


def source_date_field() -> models.DateField:
    """The business date of the delivery file that last wrote a record (docs/adr/0201, "Stale rows").

    An older file re-sent later does not roll a record back: its rows for records written by a
    newer file are reported as ``stale_row`` and not applied (issue 8, item 11). Empty for records
    entered otherwise than by the import.
    """
    return models.DateField(_("source file date"), null=True, blank=True, editable=False)


class ObjectChange(models.Model):
    """One change to one record (after NetBox core/models/change_logging.py)."""

    class Action(models.TextChoices):
        CREATE = "create", _("created")
        UPDATE = "update", _("updated")
        DELETE = "delete", _("deleted")

    time = models.DateTimeField(_("time"), auto_now_add=True, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    user_name = models.CharField(_("user name"), max_length=150, editable=False)
    request_id = models.UUIDField(_("request id"), editable=False, db_index=True)
    action = models.CharField(_("action"), max_length=10, choices=Action.choices)
    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, related_name="+")
    object_id = models.CharField(_("object id"), max_length=64, db_index=True)
    object_repr = models.CharField(_("object"), max_length=200, editable=False)
    prechange_data = models.JSONField(_("before"), null=True, blank=True, editable=False)
    postchange_data = models.JSONField(_("after"), null=True, blank=True, editable=False)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["-time", "-pk"]
        verbose_name = _("change")
        verbose_name_plural = _("change log")
        indexes = [models.Index(fields=["content_type", "object_id"])]

    def __str__(self) -> str:
        return f"{self.object_repr} {self.action} by {self.user_name}"


class AccessLog(RestrictedModel):
    """Who looked at or exported whose personal data, when, from where and why (append-only)."""

    class Action(models.TextChoices):
        VIEW = "view", _("查看")
        REVEAL = "reveal", _("显示完整信息")
        SEARCH = "search", _("搜索")
        EXPORT = "export", _("导出")

    time = models.DateTimeField(_("time"), auto_now_add=True, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    user_name = models.CharField(_("user"), max_length=150, db_index=True)
    action = models.CharField(_("action"), max_length=10, choices=Action.choices)
    customer_no = models.CharField(_("customer no."), max_length=30, blank=True, db_index=True)
    fields = models.CharField(_("fields revealed"), max_length=200, blank=True)
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    path = models.CharField(_("page or endpoint"), max_length=300, blank=True)
    remote_addr = models.CharField(_("from"), max_length=64, blank=True)
    request_id = models.UUIDField(_("request id"), null=True, blank=True)
    detail = models.CharField(_("detail"), max_length=300, blank=True)

    class Meta:
        ordering = ["-time", "-pk"]
        verbose_name = _("access log entry")
        verbose_name_plural = _("access log")
        db_table = "compliance_accesslog"  # created by the compliance app; moved to core with its rows
        indexes = [
            models.Index(fields=["customer_no", "time"], name="compliance__custome_062fe1_idx"),
            models.Index(fields=["user_name", "time"], name="compliance__user_na_fdf648_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.time:%Y-%m-%d %H:%M} {self.user_name} {self.action} {self.customer_no}"


class IdempotencyKey(models.Model):
    """The first answer to a POST sent with an ``Idempotency-Key`` header, kept 24 hours (issue 15.3).

    Scoped per user: two integrators who happen to pick the same key never see each other's answer.
    Not a RestrictedModel and not change-logged: it is plumbing of the API, never shown or scoped.
    ``status_code`` is null while the first request is still being processed.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=255)
    fingerprint = models.CharField(max_length=64, help_text="sha256 of method, path and body")
    created = models.DateTimeField(db_index=True)
    status_code = models.PositiveSmallIntegerField(null=True)
    content_type = models.CharField(max_length=100, blank=True)
    body = models.BinaryField(default=b"")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "key"], name="idempotency_key_once_per_user")]

    def __str__(self) -> str:
        return f"{self.user_id} {self.key}"


class JobRun(RestrictedModel):
    """One run of a nightly command (import, metrics): when, how it ended, rows, duration (issue 15.11).

    Written by the command itself, read by /metrics and the operator; one row per run, kept.
    """

    class Status(models.TextChoices):
        RUNNING = "running", _("进行中")
        SUCCEEDED = "succeeded", _("成功")
        FAILED = "failed", _("失败")

    kind = models.CharField(_("kind"), max_length=30, db_index=True)
    started = models.DateTimeField(_("started"))
    finished = models.DateTimeField(_("finished"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.RUNNING)
    rows = models.BigIntegerField(_("rows"), default=0)
    detail = models.CharField(_("detail"), max_length=300, blank=True)

    class Meta:
        ordering = ["-started", "-pk"]
        verbose_name = _("job run")
        verbose_name_plural = _("job runs")

    def __str__(self) -> str:
        return f"{self.kind} {self.started:%Y-%m-%d %H:%M} {self.status}"


class Notification(RestrictedModel):
    """A message in one user's in-app inbox (nav badge, list, mark read).

    ``message`` is the English msgid with ``%(name)s`` placeholders, translated when shown, so a
    notification written by a nightly job reads in the language the user has chosen when they look.
    ``key`` names what it is about; one per recipient and key, so a job that runs every few minutes
    notifies once (e.g. ``complaint:CP-20261129-000123:decision:1wd``).
    """

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications", verbose_name=_("recipient")
    )
    created = models.DateTimeField(_("created"), db_index=True)
    key = models.CharField(_("about"), max_length=200)
    message = models.CharField(_("message"), max_length=300)
    params = models.JSONField(_("details"), default=dict, blank=True)
    link = models.CharField(_("link"), max_length=300, blank=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)

    class Meta:
        ordering = ["-created", "-pk"]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        constraints = [models.UniqueConstraint(fields=["recipient", "key"], name="notification_once_per_key")]
        indexes = [models.Index(fields=["recipient", "read_at"], name="notification_unread_idx")]

    def __str__(self) -> str:
        return f"{self.recipient_id} {self.key}"

    @property
    def text(self) -> str:
        from .notifications import render

        return render(self)


class WebhookEventType(models.TextChoices):
    """What an integrator can subscribe to (issue 15.7); the value is the ``type`` of the payload."""

    COMPLAINT_REGISTERED = "complaint.registered", _("投诉登记")
    COMPLAINT_TRANSITIONED = "complaint.transitioned", _("投诉状态变更")
    COMPLAINT_BREACHED = "complaint.breached", _("投诉时限超期")
    LIST_ITEM_ASSIGNED = "list_item.assigned", _("名单客户分配")
    IMPORT_FINISHED = "import.finished", _("导入完成")


class WebhookSubscription(ChangeLoggedModel):
    """An integrator's endpoint: where to POST, the shared secret of the signature, which event types.

    Change-logged like every record a person edits, but the secret never reaches the change log
    (``changelog_redacted_fields``): the log is read by compliance, who must not be able to forge a
    signature.
    """

    changelog_redacted_fields = ("secret",)

    name = models.CharField(_("name"), max_length=100)
    url = models.URLField(_("URL"), max_length=500)
    secret = models.CharField(_("secret"), max_length=200, help_text=_("用于 HMAC-SHA256 签名的共享密钥"))
    event_types = models.JSONField(_("event types"), default=list, help_text=_("订阅的事件类型列表"))
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["name", "pk"]
        verbose_name = _("webhook subscription")
        verbose_name_plural = _("webhook subscriptions")

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        """The admin's form: event types a list of known ones, each once (the API checks the same)."""
        from django.core.exceptions import ValidationError

        known = WebhookEventType.values
        if not isinstance(self.event_types, list) or not self.event_types:
            raise ValidationError(
                {"event_types": _("请填写事件类型列表，例如 %(example)s") % {"example": f'["{known[0]}"]'}}
            )
        unknown = [t for t in self.event_types if t not in known]
        if unknown:
            raise ValidationError(
                {"event_types": _("未知的事件类型：%(unknown)s；可用：%(known)s")
                 % {"unknown": ", ".join(map(str, unknown)), "known": ", ".join(known)}}
            )  # fmt: skip


class WebhookDelivery(models.Model):
    """One event to POST to one subscription (the outbox row), queued in the event's transaction.

    ``body`` is the exact JSON sent on every attempt, so the signature and the integrator's
    de-duplication by ``id`` hold across retries.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("待发送")
        DELIVERED = "delivered", _("已送达")
        FAILED = "failed", _("已放弃")

    subscription = models.ForeignKey(
        WebhookSubscription, on_delete=models.CASCADE, related_name="deliveries", verbose_name=_("subscription")
    )
    event_type = models.CharField(_("event type"), max_length=40, choices=WebhookEventType.choices)
    delivery_id = models.UUIDField(_("delivery id"), unique=True)
    body = models.TextField(_("body"))
    created = models.DateTimeField(_("created"), db_index=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt at"), null=True, blank=True)
    last_status_code = models.PositiveSmallIntegerField(_("last status code"), null=True, blank=True)
    last_error = models.CharField(_("last error"), max_length=300, blank=True)
    delivered_at = models.DateTimeField(_("delivered at"), null=True, blank=True)

    class Meta:
        ordering = ["-created", "-pk"]
        verbose_name = _("webhook delivery")
        verbose_name_plural = _("webhook deliveries")
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="webhook_due_idx")]

    def __str__(self) -> str:
        return f"{self.event_type} → {self.subscription} ({self.status})"


class WebhookAttempt(AppendOnlyModel):
    """The delivery log: one row per POST tried, with what came back and how long it took."""

    delivery = models.ForeignKey(
        WebhookDelivery, on_delete=models.CASCADE, related_name="log", verbose_name=_("delivery")
    )
    time = models.DateTimeField(_("time"))
    number = models.PositiveSmallIntegerField(_("attempt"))
    status_code = models.PositiveSmallIntegerField(_("status code"), null=True, blank=True)
    error = models.CharField(_("error"), max_length=300, blank=True)
    duration_ms = models.PositiveIntegerField(_("duration (ms)"))

    class Meta:
        ordering = ["delivery", "number"]
        verbose_name = _("webhook delivery attempt")
        verbose_name_plural = _("webhook delivery log")

    def __str__(self) -> str:
        return f"{self.delivery_id} #{self.number} {self.status_code or self.error}"
