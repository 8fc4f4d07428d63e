from django.db import models
from django.utils.translation import gettext_lazy as _


class StaffRole(models.TextChoices):
    RM = "rm", _("客户经理")
    ADVISOR = "advisor", _("财富顾问")
    MANAGER = "manager", _("网点负责人")
    TELLER = "teller", _("柜员")
    OTHER = "other", _("其他")


class StaffStatus(models.TextChoices):
    ACTIVE = "active", _("在职")
    LEFT = "left", _("离职")


class UserRole(models.TextChoices):
    """Login roles of spec/api.md."""

    ADMIN = "admin", _("系统管理员")
    HEAD_OFFICE = "head_office", _("总行")
    BRANCH_MANAGER = "branch_manager", _("支行行长")
    RM = "rm", _("客户经理")
    COMPLAINT_HANDLER = "complaint_handler", _("投诉处理员")
    COMPLIANCE = "compliance", _("合规")
    MARKETING = "marketing", _("营销管理")
    LOBBY = "lobby", _("大堂经理")
