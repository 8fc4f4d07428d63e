from django import template

register = template.Library()


@register.simple_tag(takes_context=True)
def reminder_count(context) -> int:
    """``{% reminder_count as n %}``: the rm's open tasks due today or overdue (the nav badge)."""
    from bankcrm.campaigns.tasks import due_tasks

    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return 0
    return due_tasks(user).count()
