"""The one door for scoping queries (after NetBox ``utilities/querysets.py``).

``Model.objects.restrict(user, "view")`` returns exactly the rows that user may
act on: nothing without the model permission, and within it only the user's
scope (spec/api.md roles) — both answered by the authentication backend
(``org.backends.RoleBackend``), so core never imports the app that knows roles.
A model opts into scoping by naming the lookup paths of its owning branch and
relationship manager::

    scope_branch_field = "branch"        # FK to org.Branch, or a path to one ("customer__branch")
    scope_rm_field = "rm"                # FK to org.Staff, or a path to one ("customer__rm")

Models that name neither are reference data (products, branches): the model
permission alone decides.
"""

from django.db import models
from django.db.models import Q

from .scope import scope_of


class RestrictedQuerySet(models.QuerySet):
    def restrict(self, user, action: str = "view") -> "RestrictedQuerySet":
        if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
            return self.none()
        if user.is_superuser:
            return self
        opts = self.model._meta
        if not user.has_perm(f"{opts.app_label}.{action}_{opts.model_name}"):
            return self.none()
        scope = scope_of(user)
        if scope.everything:
            return self
        condition = scope_condition(self.model, scope)
        if condition is None:
            return self
        return self.filter(condition).distinct() if scope_needs_distinct(self.model) else self.filter(condition)


def still_in_scope(obj, user, action: str = "view") -> bool:
    """After a write: may the user still see (or act on) ``obj``? The one re-check pages and API share.

    A write can move a record out of its author's scope (a complaint registered for another
    branch, a customer given to another rm): it is kept, and the author is told so instead of being
    sent to a page that would answer 404.
    """
    return type(obj).objects.restrict(user, action).filter(pk=obj.pk).exists()


def scope_condition(model, scope) -> Q | None:
    """The Q that limits ``model`` to ``scope``; None when the model is not scoped."""
    branch_field = getattr(model, "scope_branch_field", None)
    rm_field = getattr(model, "scope_rm_field", None)
    if branch_field is None and rm_field is None:
        return None
    if scope.staff_no is not None:
        if rm_field is None:
            return Q(pk__in=[])
        return Q(**{rm_field: scope.staff_no})
    if scope.branch_codes is not None:
        if branch_field is None:
            return Q(pk__in=[])
        return Q(**{f"{branch_field}__in": sorted(scope.branch_codes)})
    return Q(pk__in=[])


def scope_needs_distinct(model) -> bool:
    return bool(getattr(model, "scope_distinct", False))
