from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from bankcrm.core.models import ChangeLoggedModel, source_date_field

from .choices import StaffRole, StaffStatus, UserRole


class Branch(ChangeLoggedModel):
    code = models.CharField(_("branch code"), max_length=20, primary_key=True)
    name = models.CharField(_("name"), max_length=100)
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("parent branch"),
    )
    city = models.CharField(_("city"), max_length=50, blank=True)
    source_date = source_date_field()

    scope_branch_field = "code"  # a branch is in scope for its own and its parents' managers

    class Meta:
        ordering = ["code"]
        verbose_name = _("branch")
        verbose_name_plural = _("branches")

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class Staff(ChangeLoggedModel):
    # personal data shown nowhere in full (docs/compliance.md): the change log records only that it changed
    changelog_redacted_fields = ("id_number",)

    staff_no = models.CharField(_("staff no."), max_length=20, primary_key=True)
    name = models.CharField(_("name"), max_length=50)
    branch = models.ForeignKey(Branch, on_delete=models.PROTECT, related_name="staff", verbose_name=_("branch"))
    role = models.CharField(_("role"), max_length=10, choices=StaffRole.choices)
    status = models.CharField(_("status"), max_length=10, choices=StaffStatus.choices, default=StaffStatus.ACTIVE)
    # Personal data (spec/batch-files.md staff, optional): the PRC ID number linking the staff member to
    # their own customer records for compliance screening. Stored upper-case; masked wherever shown,
    # never in an API or export. db_default: the import's upsert omits it for files without the column.
    id_number = models.CharField(_("ID number"), max_length=18, blank=True, default="", db_default="", db_index=True)
    source_date = source_date_field()

    scope_branch_field = "branch"
    scope_rm_field = "staff_no"  # an rm sees themself

    class Meta:
        ordering = ["staff_no"]
        verbose_name = _("staff member")
        verbose_name_plural = _("staff")

    def __str__(self) -> str:
        return f"{self.staff_no} {self.name}"

    @property
    def is_active(self) -> bool:
        return self.status == StaffStatus.ACTIVE


class UserProfile(ChangeLoggedModel):
    """What a login may see: its role, and the staff member or branch it stands for."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="profile")
    role = models.CharField(_("role"), max_length=20, choices=UserRole.choices)
    staff = models.ForeignKey(
        Staff, on_delete=models.SET_NULL, null=True, blank=True, related_name="logins", verbose_name=_("staff member")
    )
    branch = models.ForeignKey(
        Branch, on_delete=models.SET_NULL, null=True, blank=True, related_name="logins", verbose_name=_("branch")
    )

    class Meta:
        verbose_name = _("user profile")

    def __str__(self) -> str:
        return f"{self.user} ({self.role})"
