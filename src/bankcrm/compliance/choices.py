from django.db import models
from django.utils.translation import gettext_lazy as _


class Direction(models.TextChoices):
    MIN = "min", _("at least the limit")
    MAX = "max", _("at most the limit")


class IndicatorStatus(models.TextChoices):
    NORMAL = "normal", _("normal")
    WARNING = "warning", _("warning")
    BREACH = "breach", _("breach")


class Population(models.TextChoices):
    NEW_LOANS = "new_loans", _("new loans")
    SALES = "sales", _("sales")


class SampleReason(models.TextChoices):
    FULL = "full", _("above the full-inspection amount")
    RANDOM = "random", _("drawn")


class Rule(models.TextChoices):
    STAFF_CUSTOMER_TRANSFER = "staff_customer_transfer", _("transfers between staff and managed customers")
    BROWSING = "browsing", _("unjustified browsing of accounts")
    EXIT_AUDIT = "exit_audit", _("exit audit")


class CaseStatus(models.TextChoices):
    OPEN = "open", _("open")
    EXPLAINED = "explained", _("explained")
    ESCALATED = "escalated", _("escalated")
    CLOSED = "closed", _("closed")


class RegulationKind(models.TextChoices):
    EXTERNAL = "external", _("external")
    INTERNAL = "internal", _("internal")


class RegulationStatus(models.TextChoices):
    IN_FORCE = "in_force", _("in force")
    AMENDED = "amended", _("amended")
    REPEALED = "repealed", _("repealed")
