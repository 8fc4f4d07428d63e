from django.db import models
from django.utils.translation import gettext_lazy as _

# A finding's severity is the bank's one scale (一般 / 较重 / 严重), the complaint desk's too.
from bankcrm.complaints.choices import Severity  # noqa: F401


class Direction(models.TextChoices):
    MIN = "min", _("不低于限额")
    MAX = "max", _("不高于限额")


class IndicatorStatus(models.TextChoices):
    NORMAL = "normal", _("正常")
    WARNING = "warning", _("预警")
    BREACH = "breach", _("超限")


class Population(models.TextChoices):
    NEW_LOANS = "new_loans", _("新发放贷款")
    SALES = "sales", _("销售")


class SampleReason(models.TextChoices):
    FULL = "full", _("大额全检")
    RANDOM = "random", _("随机抽取")


class Rule(models.TextChoices):
    STAFF_CUSTOMER_TRANSFER = "staff_customer_transfer", _("员工与管户客户资金往来")
    BROWSING = "browsing", _("违规查询客户信息")
    EXIT_AUDIT = "exit_audit", _("离任审计")


class CaseStatus(models.TextChoices):
    OPEN = "open", _("待处理")
    EXPLAINED = "explained", _("已说明")
    ESCALATED = "escalated", _("已上报")
    CLOSED = "closed", _("已结案")


class RegulationKind(models.TextChoices):
    EXTERNAL = "external", _("外规")
    INTERNAL = "internal", _("内规")


class RegulationStatus(models.TextChoices):
    IN_FORCE = "in_force", _("现行有效")
    AMENDED = "amended", _("已修订")
    REPEALED = "repealed", _("已废止")


class FindingStatus(models.TextChoices):
    OPEN = "open", _("待整改")
    RECTIFIED = "rectified", _("已整改")
    VERIFIED = "verified", _("已验证")


class Answer(models.TextChoices):
    YES = "yes", _("是")
    NO = "no", _("否")
    NOT_APPLICABLE = "na", _("不适用")


class AccessAlertKind(models.TextChoices):
    """What the access log shows that compliance should look at (issue 14; thresholds in settings)."""

    BULK_EXPORTS = "bulk_exports", _("批量导出")
    MANY_REVEALS = "many_reveals", _("频繁显示完整信息")
    OFF_HOURS = "off_hours", _("非工作时间访问")
