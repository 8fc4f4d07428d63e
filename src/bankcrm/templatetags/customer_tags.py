from decimal import Decimal, InvalidOperation

from django import template
from django.core.exceptions import FieldDoesNotExist
from django.utils.text import capfirst

from bankcrm.customers.choices import Tier
from bankcrm.customers.models import CustomerMonth

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


@register.filter
def tier_label(code) -> str:
    """A tier code from an annotation ("vip") as its label in the user's language (贵宾 / VIP)."""
    try:
        return Tier(code).label
    except ValueError:
        return code or ""


@register.filter
def flag_label(name: str) -> str:
    """A snapshot flag (a CustomerMonth field name such as "dormant") as its translated field name."""
    try:
        return capfirst(CustomerMonth._meta.get_field(name).verbose_name)
    except FieldDoesNotExist:  # an unknown flag shows as it is
        return name
