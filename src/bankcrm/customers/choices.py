from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class ProductCategory(models.TextChoices):
    DEPOSIT_DEMAND = "deposit_demand", _("活期存款")
    DEPOSIT_TIME = "deposit_time", _("定期存款")
    WEALTH = "wealth", _("理财")
    FUND = "fund", _("基金")
    INSURANCE = "insurance", _("保险")
    PRECIOUS_METAL = "precious_metal", _("贵金属")
    TRUST = "trust", _("信托")
    LOAN = "loan", _("贷款")
    CREDIT_CARD = "credit_card", _("信用卡")
    MOBILE_BANKING = "mobile_banking", _("手机银行")
    PAYROLL = "payroll", _("代发工资")


# spec/metrics.md: categories whose balance is AUM (管理资产)
AUM_CATEGORIES = ("deposit_demand", "deposit_time", "wealth", "fund", "insurance", "precious_metal", "trust")
DEPOSIT_CATEGORIES = ("deposit_demand", "deposit_time")


class RiskLevel(models.TextChoices):
    R1 = "R1", _("R1 低风险")
    R2 = "R2", _("R2 中低风险")
    R3 = "R3", _("R3 中风险")
    R4 = "R4", _("R4 中高风险")
    R5 = "R5", _("R5 高风险")


class IdType(models.TextChoices):
    ID_CARD = "ID_CARD", _("居民身份证")
    PASSPORT = "PASSPORT", _("护照")
    HK_MACAO_PASS = "HK_MACAO_PASS", _("港澳通行证")
    TAIWAN_PASS = "TAIWAN_PASS", _("台湾通行证")
    FOREIGN_PR = "FOREIGN_PR", _("外国人永久居留证")
    OTHER = "OTHER", _("其他")


class Gender(models.TextChoices):
    MALE = "M", _("男")
    FEMALE = "F", _("女")


class CustomerStatus(models.TextChoices):
    ACTIVE = "active", _("正常")
    CLOSED = "closed", _("销户")


class AccountStatus(models.TextChoices):
    ACTIVE = "active", _("正常")
    DORMANT = "dormant", _("久悬")
    FROZEN = "frozen", _("冻结")
    CLOSED = "closed", _("销户")


class KycRiskLevel(models.TextChoices):
    C1 = "C1", _("C1 保守型")
    C2 = "C2", _("C2 稳健型")
    C3 = "C3", _("C3 平衡型")
    C4 = "C4", _("C4 成长型")
    C5 = "C5", _("C5 进取型")


class KycChannel(models.TextChoices):
    BRANCH = "branch", _("网点")
    MOBILE = "mobile", _("手机银行")
    ONLINE = "online", _("网上银行")


class ContactChannel(models.TextChoices):
    PHONE = "phone", _("电话")
    VISIT = "visit", _("上门拜访")
    BRANCH = "branch", _("网点面谈")
    WECHAT = "wechat", _("企业微信")
    SMS = "sms", _("短信")
    OTHER = "other", _("其他")


class ContactOutcome(models.TextChoices):
    REACHED = "reached", _("已联系")
    NO_ANSWER = "no_answer", _("未接通")
    INTERESTED = "interested", _("有意向")
    CONVERTED = "converted", _("已成交")
    DECLINED = "declined", _("拒绝")
    CALLBACK = "callback", _("约定回访")


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
