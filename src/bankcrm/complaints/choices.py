"""Codes of the complaint desk (spec/complaints.md): the values are the contract, labels are Chinese."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop, pgettext_lazy


class Status(models.TextChoices):
    RECEIVED = "received", _("已登记")
    ACKNOWLEDGED = "acknowledged", _("已受理")
    INVESTIGATING = "investigating", _("调查中")
    ESCALATED = "escalated", _("已升级")
    RESPONDED = "responded", _("已答复")
    REOPENED = "reopened", _("复核中")
    REFERRED = "referred", _("已转外部")
    CLOSED = "closed", _("已结案")


class Action(models.TextChoices):
    """State-changing actions of the API, plus the desk's own bookkeeping events."""

    REGISTER = "register", _("登记")
    REGISTERED_LATE = "registered_late", _("逾期登记")  # received more than a day before it was registered
    ACKNOWLEDGE = "acknowledge", _("受理")
    INVESTIGATE = "investigate", _("调查")
    RESPOND = "respond", _("答复")
    CLOSE = "close", _("结案")
    ESCALATE = "escalate", _("升级")
    REOPEN = "reopen", _("复核")
    REFER = "refer", _("转外部")
    EXTEND = "extend", _("延期")
    HOLDING_REPLY = "holding_reply", _("临时答复")
    ASSIGN = "assign", _("分派")
    EDIT = "edit", _("更正登记信息")
    ATTACH = "attach", _("添加附件")  # category, amount in dispute or customer corrected after registration
    DUE_SOON = "due_soon", _("即将到期")
    BREACH = "breach", _("超时")


# The actions a user may ask for through POST .../transition/ (spec/api.md), in that order.
TRANSITION_ACTIONS = (
    Action.ACKNOWLEDGE,
    Action.INVESTIGATE,
    Action.RESPOND,
    Action.CLOSE,
    Action.ESCALATE,
    Action.REOPEN,
    Action.REFER,
    Action.EXTEND,
    Action.HOLDING_REPLY,
    Action.ASSIGN,
)


class Policy(models.TextChoices):
    CN = "cn", _("中国（银行业保险业消费投诉处理管理办法）")
    UK = "uk", _("英国（FCA DISP）")
    IN = "in", _("印度（RBI 综合监察员计划）")


class Channel(models.TextChoices):
    COUNTER = "counter", _("柜面")
    PHONE = "phone", _("电话")
    LETTER = "letter", _("信函")
    EMAIL = "email", _("电子邮件")
    ONLINE = "online", _("网上")
    REGULATOR_REFERRAL = "regulator_referral", _("监管转办")


class Category(models.TextChoices):
    FEES_PRICING = "fees_pricing", _("收费定价")
    SERVICE_ATTITUDE = "service_attitude", _("服务态度")
    PRODUCT_MIS_SELLING = "product_mis_selling", _("产品误导销售")
    ACCOUNT_OPERATION = "account_operation", _("账户操作")
    CARD_PAYMENT = "card_payment", _("银行卡与支付")
    LOAN = "loan", _("贷款")
    WEALTH_PRODUCT = "wealth_product", _("理财产品")
    PRIVACY = "privacy", _("个人信息")
    FACILITY = "facility", _("网点设施")
    OTHER = "other", _("其他")


class Tier(models.IntegerChoices):
    FRONT = 1, _("一级：网点 / 电话")
    SPECIALIST = 2, _("二级：投诉专业团队")
    SENIOR = 3, _("三级：总行客户关系部")


class Severity(models.TextChoices):
    LOW = "low", _("一般")
    MEDIUM = "medium", _("较重")
    HIGH = "high", _("严重")


class Satisfaction(models.TextChoices):
    SATISFIED = "satisfied", _("满意")
    NEUTRAL = "neutral", pgettext_lazy("satisfaction", "一般")  # "一般" alone is the severity "minor"
    DISSATISFIED = "dissatisfied", _("不满意")


class RootCause(models.TextChoices):
    """Coded root causes so the Pareto chart groups like with like (docs/adr/0101)."""

    PROCESS = "process", _("流程缺陷")
    STAFF_CONDUCT = "staff_conduct", _("员工行为")
    STAFF_KNOWLEDGE = "staff_knowledge", _("业务不熟")
    SYSTEM = "system", _("系统故障")
    PRODUCT_DESIGN = "product_design", _("产品设计")
    DISCLOSURE = "disclosure", _("信息披露不充分")
    THIRD_PARTY = "third_party", _("第三方原因")
    CUSTOMER_MISUNDERSTANDING = "customer_misunderstanding", _("客户误解")
    OTHER = "other", _("其他")


class ClockState(models.TextChoices):
    PENDING = "pending", _("计时中")
    DUE_SOON = "due_soon", _("即将到期")
    BREACHED = "breached", _("已超时")
    MET = "met", _("已达成")
    STOPPED = "stopped", _("已停止")


OPEN_CLOCK_STATES = (ClockState.PENDING, ClockState.DUE_SOON)

# Clock names are codes of the policies (policies.py, spec/complaints.md); pages show these labels.
# The msgids are kept apart so a stored notification can name a clock and be translated when shown.
CLOCK_MSGIDS = {
    "decision": gettext_noop("处理决定"),
    "decision_extended": gettext_noop("处理决定（延期）"),
    "decision_extended_2": gettext_noop("处理决定（第二次延期）"),
    "review_request": gettext_noop("申请核查期限"),
    "summary_resolution": gettext_noop("简易办结（三个工作日）"),
    "final_response": gettext_noop("最终答复"),
    "final_response_exceptional": gettext_noop("最终答复（特殊情况）"),
    "ombudsman_referral": gettext_noop("转申诉专员期限"),
    "response": gettext_noop("答复时限"),
}
CLOCK_LABELS = {code: _(msgid) for code, msgid in CLOCK_MSGIDS.items()}
