from decimal import Decimal

from django import template

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
