"""What part of the bank a login covers (spec/api.md roles), computed for the auth backend.

Pages and the API never call this: they get scoped querysets from ``restrict`` (core), which asks
``org.backends.RoleBackend.get_scope``.
"""

from django.utils.translation import gettext as _

from bankcrm.core.scope import NOTHING, Scope, scope_of

from .choices import UserRole


def branch_descendants(code: str) -> frozenset[str]:
    """The branch and every branch below it (the tree is small: a few thousand outlets at most)."""
    from .models import Branch

    children: dict[str | None, list[str]] = {}
    for branch_code, parent_code in Branch.objects.values_list("code", "parent_id"):
        children.setdefault(parent_code, []).append(branch_code)
    found, stack = set(), [code]
    while stack:
        current = stack.pop()
        if current in found:
            continue
        found.add(current)
        stack.extend(children.get(current, []))
    return frozenset(found)


def scope_for(user) -> Scope:
    """The scope a user's login has (cached on the user object by ``core.scope.scope_of``)."""
    return scope_of(user)


def compute_scope(user) -> Scope:
    if user.is_superuser:
        return Scope(everything=True)
    profile = getattr(user, "profile", None)
    scope = NOTHING
    if profile is not None:
        if profile.role in (UserRole.ADMIN, UserRole.HEAD_OFFICE, UserRole.COMPLIANCE, UserRole.MARKETING):
            scope = Scope(everything=True)
        elif profile.role == UserRole.RM:
            scope = Scope(staff_no=profile.staff_id) if profile.staff_id else NOTHING
        elif profile.role in (UserRole.BRANCH_MANAGER, UserRole.LOBBY):
            scope = Scope(branch_codes=branch_descendants(profile.branch_id)) if profile.branch_id else NOTHING
        elif profile.role == UserRole.COMPLAINT_HANDLER:
            # A branch's complaint desk covers its branch; a central desk (no branch) the whole bank.
            scope = (
                Scope(branch_codes=branch_descendants(profile.branch_id))
                if profile.branch_id
                else Scope(everything=True)
            )
    return scope


def scope_label(user) -> str:
    """What the page covers, in words: 全行 / 我的客户：… / …及下辖机构."""
    scope = scope_for(user)
    profile = getattr(user, "profile", None)
    if scope.everything:
        return _("Whole bank")
    if scope.staff_no is not None:
        staff = getattr(profile, "staff", None)
        return _("My portfolio: %(staff)s") % {"staff": staff or scope.staff_no}
    branch = getattr(profile, "branch", None)
    if branch is not None:
        return _("%(branch)s and the branches below it") % {"branch": branch}
    return _("Nothing in scope")
