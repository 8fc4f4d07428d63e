from decimal import Decimal, InvalidOperation

from django import template

register = template.Library()


@register.filter
def money(value) -> str:
    """12345.6 → "12,345.60": CNY amounts the way bank staff read them, from Decimal (never float)."""
    if value is None or value == "":
        return ""
    try:
        amount = Decimal(value)
    except (InvalidOperation, TypeError, ValueError):
        return str(value)
    return f"{amount.quantize(Decimal('0.01')):,}"
