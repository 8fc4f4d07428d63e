from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Tier(models.TextChoices):
    MASS = "mass", _("大众")
    VIP = "vip", _("贵宾")
    WEALTH = "wealth", _("财富")
    PRIVATE = "private", _("私行")


TIER_RANK = {"mass": 0, "vip": 1, "wealth": 2, "private": 3}


class Migration(models.TextChoices):
    NEW = "new", _("新增")
    UP = "up", pgettext_lazy("tier migration", "升级")  # "升级" alone is also the complaint action "escalate"
    DOWN = "down", _("降级")
    SAME = "same", _("持平")


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
