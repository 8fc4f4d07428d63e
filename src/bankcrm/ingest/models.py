from django.db import models
from django.utils.translation import gettext_lazy as _

from bankcrm.core.models import RestrictedModel


class ImportRun(RestrictedModel):
    """One ``bankcrm import DIR`` run."""

    class Status(models.TextChoices):
        RUNNING = "running", _("进行中")
        FINISHED = "finished", _("完成")
        FAILED = "failed", _("失败")

    started = models.DateTimeField(_("started"), auto_now_add=True)
    finished = models.DateTimeField(_("finished"), null=True, blank=True)
    directory = models.CharField(_("delivery folder"), max_length=500)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.RUNNING)
    user_name = models.CharField(_("run by"), max_length=150, blank=True)
    report = models.JSONField(_("report"), default=dict, blank=True)

    class Meta:
        ordering = ["-started", "-pk"]
        verbose_name = _("import run")
        verbose_name_plural = _("import runs")

    def __str__(self) -> str:
        return f"{self.started:%Y-%m-%d %H:%M} {self.directory}"


class ImportedFile(RestrictedModel):
    """One file of a delivery and what became of it (spec/cli.md import report)."""

    class Status(models.TextChoices):
        IMPORTED = "imported", _("已导入")
        SKIPPED_DUPLICATE = "skipped_duplicate", _("重复跳过")
        REFUSED = "refused", _("拒收")

    run = models.ForeignKey(ImportRun, on_delete=models.CASCADE, related_name="files", verbose_name=_("import run"))
    file_name = models.CharField(_("file"), max_length=255)
    table = models.CharField(_("table"), max_length=20)
    business_date = models.DateField(_("business date"))
    sha256 = models.CharField(_("SHA-256"), max_length=64, db_index=True)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices)
    reason = models.CharField(_("reason"), max_length=500, blank=True)
    rows_read = models.PositiveIntegerField(_("rows read"), default=0)
    rows_loaded = models.PositiveIntegerField(_("rows loaded"), default=0)
    rows_rejected = models.PositiveIntegerField(_("rows rejected"), default=0)
    warnings = models.JSONField(_("warnings"), default=list, blank=True)
    # The file's header as it came, so quarantined raw lines can be masked column by column.
    header = models.JSONField(_("header"), default=list, blank=True)
    finished = models.DateTimeField(_("finished"), null=True, blank=True)

    class Meta:
        ordering = ["run", "pk"]
        verbose_name = _("imported file")
        verbose_name_plural = _("imported files")

    def __str__(self) -> str:
        return self.file_name


# Reason codes of a quarantined row (spec/batch-files.md, plus too_long and stale_row of issue 8):
# the code is stored and exported, pages show the label.
REJECT_REASONS = {
    "missing_field": _("缺少必填字段"),
    "bad_date": _("日期格式错误"),
    "bad_number": _("数值格式错误"),
    "bad_code": _("代码不在允许范围"),
    "duplicate_key": _("文件内主键重复"),
    "unknown_reference": _("引用的记录不存在"),
    "bad_row": _("行格式错误"),
    "too_long": _("超出字段长度"),
    "stale_row": _("旧文件数据（未应用）"),
}


def reason_label(code: str) -> str:
    return REJECT_REASONS.get(code, code)


class RejectedRow(RestrictedModel):
    """A quarantined row: kept with its raw line so nothing is lost."""

    imported_file = models.ForeignKey(
        ImportedFile, on_delete=models.CASCADE, related_name="rejects", verbose_name=_("file")
    )
    line = models.PositiveIntegerField(_("line"))
    column = models.CharField(_("column"), max_length=50, blank=True)
    reason = models.CharField(_("reason"), max_length=20)
    detail = models.CharField(_("detail"), max_length=300, blank=True)
    raw = models.TextField(_("raw line"))

    class Meta:
        ordering = ["imported_file", "line"]
        verbose_name = _("rejected row")
        verbose_name_plural = _("quarantine")

    def __str__(self) -> str:
        return f"{self.imported_file} line {self.line}: {self.reason}"

    @property
    def reason_label(self) -> str:
        return reason_label(self.reason)


class QualityFinding(RestrictedModel):
    """A stored record with a wrong value, flagged for correction (spec/batch-files.md codes)."""

    customer = models.ForeignKey(
        "customers.Customer",
        on_delete=models.CASCADE,
        related_name="quality_findings",
        db_constraint=False,
        verbose_name=_("customer"),
    )
    finding = models.CharField(_("finding"), max_length=30, db_index=True)
    detail = models.CharField(_("detail"), max_length=300, blank=True)
    branch_code = models.CharField(_("branch"), max_length=20, db_index=True)
    rm_staff_no = models.CharField(_("relationship manager"), max_length=20, blank=True)
    found = models.DateTimeField(_("found"), auto_now_add=True)

    scope_branch_field = "branch_code"
    scope_rm_field = "rm_staff_no"

    class Meta:
        ordering = ["customer", "finding"]
        verbose_name = _("quality finding")
        verbose_name_plural = _("quality findings")
        constraints = [models.UniqueConstraint(fields=["customer", "finding"], name="quality_finding_unique")]

    def __str__(self) -> str:
        return f"{self.customer_id} {self.finding}"
