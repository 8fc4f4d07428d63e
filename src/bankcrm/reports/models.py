"""Targets, scorecard rules and red lines of spec/indicators.md (all change-logged).

Targets and bonus bases belong to a unit; the unit's branch and rm are stored beside it so the one
scoping door (``restrict``) can limit them: an rm sees their own ``rm:`` rows, a branch manager the
rows of their branches and of the rms of those branches, head office everything. Bank-wide rows
(``bank``) carry no branch and are head office's only. Weights and coefficient tables are the
bank's published rules (reference data): the model permission alone decides who reads them.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from bankcrm.core.models import ChangeLoggedModel
from bankcrm.customers.models import MONEY

from .choices import Basis, Level, RedLineCode

PCT = {"max_digits": 9, "decimal_places": 2}


class UnitScopedModel(ChangeLoggedModel):
    unit = models.CharField(_("unit"), max_length=40)
    # Derived from the unit when saved through services (scoping keys, see the module docstring).
    branch_code = models.CharField(_("branch"), max_length=20, blank=True, db_index=True)
    rm_staff_no = models.CharField(_("relationship manager"), max_length=20, blank=True, db_index=True)

    scope_branch_field = "branch_code"
    scope_rm_field = "rm_staff_no"

    class Meta:
        abstract = True


class Target(UnitScopedModel):
    period = models.CharField(_("period"), max_length=12)
    period_start = models.DateField(_("period start"))
    period_end = models.DateField(_("period end"))
    indicator = models.CharField(_("indicator"), max_length=40)
    basis = models.CharField(_("basis"), max_length=10, choices=Basis.choices)
    target = models.DecimalField(_("target"), **MONEY)
    # The 层层加码 warning, shown beside the target (rm targets of a branch above the branch's).
    warning = models.CharField(_("warning"), max_length=300, blank=True)

    class Meta:
        ordering = ["period", "unit", "indicator"]
        verbose_name = _("target")
        verbose_name_plural = _("targets")
        constraints = [
            models.UniqueConstraint(fields=["period", "unit", "indicator"], name="target_one_per_unit_indicator"),
            models.CheckConstraint(condition=models.Q(target__gt=0), name="target_positive"),
        ]
        indexes = [models.Index(fields=["period_start", "period_end"])]

    def __str__(self) -> str:
        return f"{self.period} {self.unit} {self.indicator}"


class Weight(ChangeLoggedModel):
    period = models.CharField(_("period"), max_length=12)
    level = models.CharField(_("level"), max_length=10, choices=Level.choices)
    indicator = models.CharField(_("indicator"), max_length=40)
    basis = models.CharField(_("basis"), max_length=10, choices=Basis.choices)
    weight = models.DecimalField(_("weight"), **PCT)
    cap_pct = models.DecimalField(_("cap (%)"), default=120, **PCT)

    class Meta:
        ordering = ["period", "level", "indicator"]
        verbose_name = _("weight")
        verbose_name_plural = _("weights")
        constraints = [
            models.UniqueConstraint(fields=["period", "level", "indicator"], name="weight_one_per_indicator"),
        ]

    def __str__(self) -> str:
        return f"{self.period} {self.level} {self.indicator} {self.weight}"


class Coefficient(ChangeLoggedModel):
    period = models.CharField(_("period"), max_length=12)
    level = models.CharField(_("level"), max_length=10, choices=Level.choices)
    min_score = models.DecimalField(_("minimum score"), **PCT)
    coefficient = models.DecimalField(_("coefficient"), max_digits=6, decimal_places=3)

    class Meta:
        ordering = ["period", "level", "min_score"]
        verbose_name = _("coefficient")
        verbose_name_plural = _("coefficients")
        constraints = [
            models.UniqueConstraint(fields=["period", "level", "min_score"], name="coefficient_no_overlap"),
        ]

    def __str__(self) -> str:
        return f"{self.period} {self.level} ≥{self.min_score} → {self.coefficient}"


class BonusBase(UnitScopedModel):
    period = models.CharField(_("period"), max_length=12)
    bonus_base = models.DecimalField(_("bonus base"), **MONEY)

    class Meta:
        ordering = ["period", "unit"]
        verbose_name = _("bonus base")
        verbose_name_plural = _("bonus bases")
        constraints = [models.UniqueConstraint(fields=["period", "unit"], name="bonus_one_per_unit")]

    def __str__(self) -> str:
        return f"{self.period} {self.unit} {self.bonus_base}"


class RedLine(ChangeLoggedModel):
    """A red-line (电网) violation recorded by compliance: zeroes the staff member's coefficient."""

    staff = models.ForeignKey(
        "org.Staff", on_delete=models.PROTECT, related_name="red_lines", verbose_name=_("staff member")
    )
    code = models.CharField(_("violation"), max_length=30, choices=RedLineCode.choices)
    date = models.DateField(_("date"))
    note = models.CharField(_("note"), max_length=500, blank=True)
    recorded_by = models.CharField(_("recorded by"), max_length=150)

    scope_branch_field = "staff__branch"
    scope_rm_field = "staff"

    class Meta:
        ordering = ["-date", "-pk"]
        verbose_name = _("red line")
        verbose_name_plural = _("red lines")

    def __str__(self) -> str:
        return f"{self.staff_id} {self.code} {self.date}"
