from django import template
from django.template.defaultfilters import floatformat

from bankcrm.reports.choices import Basis, RedLineCode, TargetStatus
from bankcrm.reports.indicators import indicator_label as _indicator_label

register = template.Library()


@register.filter
def indicator_label(code: str) -> str:
    """An indicator code as its label in the user's language (存款日均 / Deposit daily average)."""
    return _indicator_label(code)


@register.filter
def figure(value) -> str:
    """Money with 2 decimals, counts as whole numbers, both grouped (1,234,567.89 / 1,234)."""
    if value is None or value == "":
        return "—"
    return floatformat(value, "0g" if isinstance(value, int) else "2g")


@register.filter
def status_label(code: str) -> str:
    try:
        return TargetStatus(code).label
    except ValueError:
        return code


@register.filter
def basis_label(code: str) -> str:
    try:
        return Basis(code).label
    except ValueError:
        return code


@register.filter
def redline_label(code: str) -> str:
    try:
        return RedLineCode(code).label
    except ValueError:
        return code


@register.filter
def unit_name(unit: str, names: dict) -> str:
    return names.get(unit, unit)
