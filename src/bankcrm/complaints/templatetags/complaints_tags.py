from decimal import Decimal

from django import template
from django.core.exceptions import FieldDoesNotExist

from bankcrm.complaints.choices import CLOCK_LABELS, Status

register = template.Library()


@register.filter
def pct(value, places: int = 1) -> str:
    """A ratio (0.0125) as a percentage ('1.3%'); '—' when there is nothing to divide."""
    if value is None or value == "":
        return "—"
    return f"{Decimal(value) * 100:.{int(places)}f}%"


@register.filter
def clock_label(code: str) -> str:
    """The label of a policy clock in the user's language; an unknown code shows as it is."""
    return CLOCK_LABELS.get(code, code)


@register.filter
def status_label(code: str) -> str:
    """The label of a complaint status code stored on an event."""
    try:
        return Status(code).label
    except ValueError:
        return code


@register.filter
def detail_label(field: str) -> str:
    """The label of a corrected complaint field (an ``edit`` event names fields by their code)."""
    from bankcrm.complaints.models import Complaint

    try:
        return str(Complaint._meta.get_field(field).verbose_name)
    except FieldDoesNotExist:  # a field renamed since the event was written still shows its old code
        return field


@register.filter
def detail_value(value, field: str) -> str:
    """A corrected field's old or new value as the user reads it: a category's label, else as stored."""
    from bankcrm.complaints.choices import Category

    if value in (None, ""):
        return "—"
    if field == "category" and value in Category.values:
        return str(Category(value).label)
    return str(value)
