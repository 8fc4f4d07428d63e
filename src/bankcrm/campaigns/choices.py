"""Codes of campaigns, sales and suitability, and of the work queue (lists, spec/metrics.md)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class CampaignStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    APPROVED = "approved", _("已审批")
    RUNNING = "running", _("进行中")
    CLOSED = "closed", _("已结束")


class CampaignAction(models.TextChoices):
    CREATE = "create", _("创建")
    APPROVE = "approve", _("审批")
    START = "start", _("启动")
    CLOSE = "close", _("结束")


class CampaignChannel(models.TextChoices):
    COUNTER = "counter", _("柜面")
    PHONE = "phone", _("电话")
    SMS = "sms", _("短信")
    MOBILE_PUSH = "mobile_push", _("手机银行推送")
    EMAIL = "email", _("电子邮件")


class Group(models.TextChoices):
    TARGET = "target", _("目标组")
    CONTROL = "control", _("对照组")


class ExclusionReason(models.TextChoices):
    """spec/campaigns.md "Eligibility", in the order the reasons are tested."""

    NO_CONSENT = "no_consent", _("未授权营销")
    COMPLAINT_OPEN = "complaint_open", _("有未结投诉")
    CONTACT_CAP = "contact_cap", _("近30天营销次数已满")
    SUITABILITY = "suitability", _("不适合购买活动产品")


class SaleChannel(models.TextChoices):
    COUNTER = "counter", _("柜面")
    PAD = "pad", _("厅堂PAD")
    PHONE = "phone", _("电话")
    MOBILE = "mobile", _("手机银行")
    ONLINE = "online", _("网上银行")


class SaleStatus(models.TextChoices):
    BOOKED = "booked", _("已成交")
    PENDING_REVIEW = "pending_review", _("待复核")
    COOLING_OFF = "cooling_off", _("冷静期")
    CANCELLED = "cancelled", _("已撤销")
    REJECTED = "rejected", _("复核拒绝")


class SaleAction(models.TextChoices):
    RECORD = "record", _("录入")
    APPROVE = "approve", _("复核通过")
    REJECT = "reject", _("复核拒绝")
    CANCEL = "cancel", _("冷静期撤销")
    BOOK = "book", _("冷静期满成交")


class Refusal(models.TextChoices):
    """Why the suitability check refuses a recorded sale (spec/campaigns.md)."""

    KYC_MISSING = "kyc_missing", _("无风险测评")
    KYC_EXPIRED = "kyc_expired", _("风险测评已过期")
    SUITABILITY_MISMATCH = "suitability_mismatch", _("产品风险等级高于客户风险承受能力")
    RECORDING_MISSING = "recording_missing", _("缺少双录编号")
    BELOW_MINIMUM = "below_minimum", _("低于信托起购金额")


class Finding(models.TextChoices):
    """What the after-the-fact check finds on an imported sale (the mis-selling report)."""

    KYC_MISSING = "kyc_missing", _("无风险测评")
    KYC_EXPIRED = "kyc_expired", _("风险测评已过期")
    SUITABILITY_MISMATCH = "suitability_mismatch", _("产品风险等级高于客户风险承受能力")
    ELDERLY_HIGH_RISK = "elderly_high_risk", _("65岁以上客户购买R4/R5产品")


# An item assigned to a branch queue rather than a person (spec/metrics.md list assignment).
BRANCH_QUEUE_PREFIX = "branch:"


class ListKind(models.TextChoices):
    EDGE = "edge", _("边缘目标客户")
    DOWNGRADED = "downgraded", _("降级客户挽回")
    DORMANT_POTENTIAL = "dormant_potential", _("潜力睡眠户激活")
    MATURING = "maturing", _("理财产品到账客户")
    KYC_EXPIRING = "kyc_expiring", _("风险评估到期")
    UNASSIGNED = "unassigned", _("未归户客户")
    OVERDUE = "overdue", _("逾期催收")


class ListItemStatus(models.TextChoices):
    PENDING = "pending", _("待跟进")
    CONTACTED = "contacted", _("已联系")
    CONVERTED = "converted", _("已转化")
    DECLINED = "declined", _("已拒绝")
    # set only by the broken-promise rule of the collection list (spec/loans.md), never by a person
    PROMISE_BROKEN = "promise_broken", _("承诺未兑现")


class CollectionOutcome(models.TextChoices):
    """What a collection contact (催收) on an ``overdue`` item ended with, beside customers' ``no_answer``."""

    PROMISE_TO_PAY = "promise_to_pay", _("承诺还款")
    DISPUTE = "dispute", _("有异议")
    PARTIAL_PAYMENT = "partial_payment", _("部分还款")
    RESTRUCTURING_REQUEST = "restructuring_request", _("申请重组")


class TaskKind(models.TextChoices):
    """A relationship manager's own reminder (issue 14): something to do, or a meeting with a customer."""

    TASK = "task", _("任务")
    APPOINTMENT = "appointment", _("预约")
