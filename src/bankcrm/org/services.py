"""Staff logins (spec/api.md, spec/cli.md ``bankcrm user``)."""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db import transaction
from rest_framework.authtoken.models import Token

from .choices import UserRole
from .models import Branch, Staff, UserProfile
from .roles import group_name, sync_role_groups


@transaction.atomic
def add_user(username: str, *, role: str, password: str, staff_no: str | None = None, branch_code: str | None = None):
    """Create (or update) a staff login with its role and scope."""
    if role not in UserRole.values:
        raise ValidationError(f"unknown role {role!r}; one of: {', '.join(UserRole.values)}")
    staff = None
    if staff_no:
        staff = Staff.objects.filter(pk=staff_no).first()
        if staff is None:
            raise ValidationError(f"staff_no {staff_no!r} is not in the staff table (import staff first)")
    branch = None
    if branch_code:
        branch = Branch.objects.filter(pk=branch_code).first()
        if branch is None:
            raise ValidationError(f"branch {branch_code!r} is not in the branches table (import branches first)")
    elif staff is not None:
        branch = staff.branch
    if role == UserRole.RM and staff is None:
        raise ValidationError("role rm needs --staff-no: an rm sees the customers whose rm_staff_no is theirs")
    if role in (UserRole.BRANCH_MANAGER, UserRole.LOBBY) and branch is None:
        raise ValidationError(f"role {role} needs --branch (or a --staff-no whose branch is used)")
    user_model = get_user_model()
    user, _created = user_model.objects.get_or_create(username=username)
    user.set_password(password)
    user.is_staff = role == UserRole.ADMIN  # Django admin site for administrators only
    user.is_active = True
    user.save()
    UserProfile.objects.update_or_create(user=user, defaults={"role": role, "staff": staff, "branch": branch})
    if not Group.objects.filter(name=group_name(role)).exists():
        sync_role_groups()
    user.groups.set([Group.objects.get(name=group_name(role))])
    return user


def issue_token(username: str) -> str:
    user = get_user_model().objects.filter(username=username).first()
    if user is None:
        raise ValidationError(f"no login named {username!r} (create it with: bankcrm user add)")
    token, _ = Token.objects.get_or_create(user=user)
    return token.key
