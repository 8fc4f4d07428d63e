from django import template

from bankcrm.campaigns.details import describe

register = template.Library()


@register.filter
def list_detail(item) -> str:
    """``{{ item|list_detail }}``: the item's detail in the reader's language (campaigns/details.py)."""
    if isinstance(item, dict):
        return describe(item.get("kind", ""), item.get("facts"), item.get("detail", ""))
    return describe(getattr(item, "kind", ""), getattr(item, "facts", None), getattr(item, "detail", ""))
