"""The authentication backend that answers for roles: permissions and scope from one role table.

``ROLE_RULES`` (roles.py) is the only place a role's rights are written. Django's ``has_perm`` and
bankcrm's ``restrict`` both come here — permissions by matching the role's rules against every
model's permissions, scope from ``scope.compute_scope`` — so changing a login's role (CLI, admin)
takes effect on its next request, with no group to keep in step.
"""

from django.contrib.auth.backends import ModelBackend

from bankcrm.core.scope import NOTHING, Scope

from .roles import permissions_for_role
from .scope import compute_scope


class RoleBackend(ModelBackend):
    def get_group_permissions(self, user_obj, obj=None) -> set[str]:
        # Django groups are not used: the role is the group (one table, ROLE_RULES).
        if not user_obj.is_active or user_obj.is_anonymous or obj is not None:
            return set()
        profile = getattr(user_obj, "profile", None)
        return set(permissions_for_role(profile.role)) if profile is not None else set()

    def get_scope(self, user_obj) -> Scope:
        if not user_obj.is_active or user_obj.is_anonymous:
            return NOTHING
        return compute_scope(user_obj)
