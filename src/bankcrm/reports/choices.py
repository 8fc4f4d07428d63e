"""Coded values of spec/indicators.md (labels in Chinese, docs/adr/0005)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class IndicatorKind(models.TextChoices):
    STOCK = "stock", _("时点")
    AVERAGE = "average", _("日均")
    FLOW = "flow", _("累计")


class Basis(models.TextChoices):
    BALANCE = "balance", _("余额")
    INCREASE = "increase", _("新增")
    SUM = "sum", _("累计发生")


# Which bases fit an indicator's kind ("A basis that does not fit the indicator's kind is a rejected row").
BASES_FOR_KIND = {
    IndicatorKind.STOCK: {Basis.BALANCE, Basis.INCREASE},
    IndicatorKind.AVERAGE: {Basis.BALANCE},
    IndicatorKind.FLOW: {Basis.SUM},
}


class Level(models.TextChoices):
    BRANCH = "branch", _("网点")
    RM = "rm", _("客户经理")


class TargetStatus(models.TextChoices):
    AHEAD = "ahead", _("超序时")
    BEHIND = "behind", _("落后序时")
    AT_RISK = "at_risk", _("严重落后")


class RedLineCode(models.TextChoices):
    """电网指标 after 范文第1篇 (spec/indicators.md "Red lines")."""

    MISUSE_OF_FUNDS = "misuse_of_funds", _("挪用资金")
    BRIBERY = "bribery", _("行贿受贿")
    LEAKING_SECRETS = "leaking_secrets", _("泄露秘密")
    COMPETING_BUSINESS = "competing_business", _("同业竞争")
    FALSE_ACCOUNTS = "false_accounts", _("虚假账目")
    ABSENCE = "absence", _("旷工")
    RUMOURS = "rumours", _("散布谣言")
    INFORMATION_FOR_GAIN = "information_for_gain", _("利用银行信息谋利")
    DESTROYING_EVIDENCE = "destroying_evidence", _("销毁证据")
    FALSE_BUDGET = "false_budget", _("虚假预算")
    FABRICATED_DATA = "fabricated_data", _("编造数据")
    KICKBACKS = "kickbacks", _("收受回扣")
    CONCEALMENT = "concealment", _("隐瞒违规")
    OUTSIDE_WORK = "outside_work", _("擅自兼职")
    BREAKING_THE_LAW = "breaking_the_law", _("违法犯罪")


class PeriodType(models.TextChoices):
    DAY = "day", _("日报")
    WEEK = "week", _("周报")
    XUN = "xun", _("旬报")
    MONTH = "month", _("月报")
    QUARTER = "quarter", _("季报")
    YEAR = "year", _("年报")
