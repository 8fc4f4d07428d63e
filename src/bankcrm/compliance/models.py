from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from bankcrm.core.models import RestrictedModel


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
        indexes = [models.Index(fields=["customer_no", "time"]), models.Index(fields=["user_name", "time"])]

    def __str__(self) -> str:
        return f"{self.time:%Y-%m-%d %H:%M} {self.user_name} {self.action} {self.customer_no}"
