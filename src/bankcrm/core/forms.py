"""The one helper forms and serializers use for records they offer or look up: the user's scope.

Choices in a form (branches, staff, list items) and a number typed into one (a customer number)
come from ``restrict`` through here, so a form can never offer or accept a record its user may not
see — and an out-of-scope number gets the same "not found" as a number that does not exist.
"""

from django.db import models


def scoped_choices(model: type[models.Model], user, action: str = "view") -> models.QuerySet:
    """The records of ``model`` a form may offer ``user`` (a ModelChoiceField's queryset)."""
    return model.objects.restrict(user, action)


def find_in_scope(model: type[models.Model], user, pk, action: str = "view") -> models.Model | None:
    """The record with that key if the user may see it, else None (missing and out of scope alike)."""
    return model.objects.restrict(user, action).filter(pk=pk).first()
