from decimal import Decimal

from django import template

register = template.Library()


@register.filter
def pct(value, places: int = 1) -> str:
    """A ratio (0.0125) as a percentage ('1.3%'); '—' when there is nothing to divide."""
    if value is None or value == "":
        return "—"
    return f"{Decimal(value) * 100:.{int(places)}f}%"
