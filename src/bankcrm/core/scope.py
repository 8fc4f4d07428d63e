"""What part of the bank a login covers, as the scoping door (querysets.restrict) reads it.

The value lives here, at the bottom; who gets which scope is decided by the authentication
backend (``org.backends.RoleBackend``), as NetBox resolves object permissions in its backend:
core asks ``django.contrib.auth``'s backends and never imports the app that knows the roles.
"""

from dataclasses import dataclass

from django.contrib import auth


@dataclass(frozen=True)
class Scope:
    everything: bool = False
    branch_codes: frozenset[str] | None = None  # a branch and everything below it
    staff_no: str | None = None  # an rm's own portfolio

    @property
    def is_empty(self) -> bool:
        return not self.everything and not self.branch_codes and self.staff_no is None


NOTHING = Scope(branch_codes=frozenset())
EVERYTHING = Scope(everything=True)


def scope_of(user) -> Scope:
    """The user's scope from the first backend that knows scopes (cached on the user object)."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return NOTHING
    if user.is_superuser:
        return EVERYTHING
    cached = getattr(user, "_bankcrm_scope", None)
    if cached is not None:
        return cached
    scope = NOTHING
    for backend in auth.get_backends():
        if hasattr(backend, "get_scope"):
            scope = backend.get_scope(user)
            break
    user._bankcrm_scope = scope
    return scope
