"""Staff logins (spec/api.md, spec/cli.md ``bankcrm user``; issue 8 items 3 and 7).

Every change to a login — created, role or scope changed, password changed, disabled, enabled,
API token issued or rotated — goes through one function here and lands in the one change log
(core/changelog.py) with who did it: the signed-in user, the ``--user`` / OS user of the CLI, or
``system`` for the nightly import. Logins are Django's User (not a ChangeLoggedModel), so the
entry is written explicitly, and never holds a password hash or a token key.
"""

from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from rest_framework.authtoken.models import Token

from bankcrm.core.changelog import record_change

from .authentication import token_expires_at
from .choices import StaffStatus, UserRole
from .models import Branch, Staff, UserProfile


def _login_state(user) -> dict:
    """What the change log keeps of a login: enough to audit, nothing secret."""
    profile = UserProfile.objects.filter(user=user).first()
    token = Token.objects.filter(user=user).first()
    return {
        "username": user.username,
        "is_active": user.is_active,
        "role": profile.role if profile else None,
        "staff": profile.staff_id if profile else None,
        "branch": profile.branch_id if profile else None,
        "api_token_issued": token.created.isoformat() if token else None,
    }


def _get_login(username: str):
    user = get_user_model().objects.filter(username=username).first()
    if user is None:
        raise ValidationError(f"no login named {username!r} (create it with: bankcrm user add {username} --role ROLE)")
    return user


def _scope(role: str, staff_no: str | None, branch_code: str | None) -> tuple[Staff | None, Branch | None]:
    if role not in UserRole.values:
        raise ValidationError(f"unknown role {role!r}; one of: {', '.join(UserRole.values)}")
    staff = None
    if staff_no:
        staff = Staff.objects.filter(pk=staff_no).first()
        if staff is None:
            raise ValidationError(f"staff_no {staff_no!r} is not in the staff table (import staff first)")
        if not staff.is_active:
            raise ValidationError(f"staff_no {staff_no!r} has status {staff.status!r} in the staff file")
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
    return staff, branch


def _apply_role(user, role: str, staff: Staff | None, branch: Branch | None) -> None:
    user.is_staff = role == UserRole.ADMIN  # Django admin site for administrators only
    user.save(update_fields=["is_staff"])
    UserProfile.objects.update_or_create(user=user, defaults={"role": role, "staff": staff, "branch": branch})
    # No group to keep in step: permissions and scope follow the profile's role (backends.RoleBackend).
    user.groups.clear()
    for cached in ("_perm_cache", "_user_perm_cache", "_group_perm_cache", "_bankcrm_scope"):
        user.__dict__.pop(cached, None)


def _check_password(password: str, user) -> None:
    """The bank's policy (settings AUTH_PASSWORD_VALIDATORS): ≥ 12 characters, not common, not
    only digits, not like the user's name. Messages come from Django, in the user's language."""
    if not password:
        raise ValidationError("no password: set BANKCRM_PASSWORD or type one at the prompt")
    validate_password(password, user)


@transaction.atomic
def add_user(username: str, *, role: str, password: str, staff_no: str | None = None, branch_code: str | None = None):
    """Create a staff login with its role and scope; an existing login is never overwritten."""
    user_model = get_user_model()
    if user_model.objects.filter(username=username).exists():
        raise ValidationError(
            f"login {username!r} already exists; change it with: bankcrm user set-role {username} --role ROLE "
            f"[--staff-no S] [--branch B], or bankcrm user password {username}"
        )
    staff, branch = _scope(role, staff_no, branch_code)
    user = user_model(username=username, is_active=True)
    _check_password(password, user)
    user.set_password(password)
    user.save()
    _apply_role(user, role, staff, branch)
    record_change(user, "create", None, _login_state(user))
    return user


@transaction.atomic
def set_role(username: str, *, role: str, staff_no: str | None = None, branch_code: str | None = None):
    """Change a login's role and scope (``bankcrm user set-role``)."""
    user = _get_login(username)
    staff, branch = _scope(role, staff_no, branch_code)
    before = _login_state(user)
    _apply_role(user, role, staff, branch)
    record_change(user, "update", before, _login_state(user))
    return user


@transaction.atomic
def set_password(username: str, password: str):
    """Change a login's password. Its other browser sessions end (Django's session hash)."""
    user = _get_login(username)
    _check_password(password, user)
    before = _login_state(user)
    user.set_password(password)
    user.save(update_fields=["password"])
    record_change(user, "update", before, {**_login_state(user), "password": f"changed {timezone.now().isoformat()}"})
    return user


def _disable(user, *, reason: str) -> None:
    before = _login_state(user)
    user.is_active = False  # ModelBackend.get_user refuses it: the next request of any session is anonymous
    user.save(update_fields=["is_active"])
    Token.objects.filter(user=user).delete()  # revoked, not only refused
    record_change(user, "update", before, {**_login_state(user), "reason": reason})


@transaction.atomic
def disable_user(username: str, *, reason: str = "disabled by an operator"):
    user = _get_login(username)
    if user.is_active:
        _disable(user, reason=reason)
    return user


@transaction.atomic
def enable_user(username: str):
    """Let a disabled login sign in again; not while the staff file says its staff member has left."""
    user = _get_login(username)
    profile = UserProfile.objects.filter(user=user).select_related("staff").first()
    if profile and profile.staff and not profile.staff.is_active:
        raise ValidationError(
            f"login {username!r} stands for staff {profile.staff_id}, whose status is {profile.staff.status!r} in "
            f"the staff file; give the login another scope first (bankcrm user set-role {username} ...)"
        )
    if not user.is_active:
        before = _login_state(user)
        user.is_active = True
        user.save(update_fields=["is_active"])
        record_change(user, "update", before, _login_state(user))
    return user


def disable_logins_of_leavers() -> list[str]:
    """Disable every active login whose staff member is no longer active (the staff import calls this
    in its own transaction, so a leaver is locked out by the import that records the leaving)."""
    profiles = (
        UserProfile.objects.filter(user__is_active=True, staff__isnull=False)
        .exclude(staff__status=StaffStatus.ACTIVE)
        .select_related("user", "staff")
        .order_by("user__username")
    )
    disabled = []
    for profile in profiles:
        reason = f"staff {profile.staff_id} has status {profile.staff.status!r} in the staff file (import)"
        _disable(profile.user, reason=reason)
        disabled.append(profile.user.username)
    return disabled


@transaction.atomic
def api_token(username: str, *, rotate: bool = False) -> Token:
    """The login's API token: the current one, or a new one if there is none, it expired or ``rotate``."""
    user = _get_login(username)
    if not user.is_active:
        raise ValidationError(f"login {username!r} is disabled; enable it first: bankcrm user enable {username}")
    token = Token.objects.filter(user=user).first()
    if token is not None and not rotate and timezone.now() < token_expires_at(token):
        return token
    before = _login_state(user)
    Token.objects.filter(user=user).delete()
    token = Token.objects.create(user=user)
    record_change(user, "update", before, {**_login_state(user), "reason": "token rotated" if rotate else "issued"})
    return token


def issue_token(username: str) -> str:
    return api_token(username).key
