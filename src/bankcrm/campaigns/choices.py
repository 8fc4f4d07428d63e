"""Codes of the work queue: lists (名单, spec/metrics.md) and the state of an item on one."""

from django.db import models
from django.utils.translation import gettext_lazy as _

# An item assigned to a branch queue rather than a person (spec/metrics.md list assignment).
BRANCH_QUEUE_PREFIX = "branch:"


class ListKind(models.TextChoices):
    EDGE = "edge", _("边缘目标客户")
    DOWNGRADED = "downgraded", _("降级客户挽回")
    DORMANT_POTENTIAL = "dormant_potential", _("潜力睡眠户激活")
    MATURING = "maturing", _("理财产品到账客户")
    KYC_EXPIRING = "kyc_expiring", _("风险评估到期")
    UNASSIGNED = "unassigned", _("未归户客户")


class ListItemStatus(models.TextChoices):
    PENDING = "pending", _("待跟进")
    CONTACTED = "contacted", _("已联系")
    CONVERTED = "converted", _("已转化")
    DECLINED = "declined", _("已拒绝")
