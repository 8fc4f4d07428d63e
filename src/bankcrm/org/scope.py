"""What part of the bank a login covers (spec/api.md roles)."""

from dataclasses import dataclass

from .choices import UserRole


@dataclass(frozen=True)
class Scope:
    everything: bool = False
    branch_codes: frozenset[str] | None = None  # a branch and everything below it
    staff_no: str | None = None  # an rm's own portfolio

    @property
    def is_empty(self) -> bool:
        return not self.everything and not self.branch_codes and self.staff_no is None


NOTHING = Scope(branch_codes=frozenset())


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
    if user.is_superuser:
        return Scope(everything=True)
    cached = getattr(user, "_bankcrm_scope", None)
    if cached is not None:
        return cached
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
    user._bankcrm_scope = scope
    return scope
