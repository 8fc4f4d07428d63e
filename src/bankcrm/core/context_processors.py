"""Template context every page gets: the unread count of the user's inbox (the nav badge)."""

from .notifications import unread_count


def notifications(request) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"unread_notifications": unread_count(user)}
