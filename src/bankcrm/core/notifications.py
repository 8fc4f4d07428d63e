"""The in-app inbox: jobs and services ``notify``; pages show the unread count and the list.

Any app may notify (core is layer 0); what a notification is about is the caller's business, named
by its ``key``. A user's inbox is their own: it is read by recipient, not through a role's scope.
"""

import datetime as dt

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext

from .models import Notification


def notify(recipient, *, key: str, message: str, params: dict | None = None, link: str = "", now=None) -> bool:
    """Put one notification in ``recipient``'s inbox unless one with this key is already there.

    ``message`` is an English msgid marked with ``gettext_noop`` by the caller (translated when shown);
    ``params`` fill its placeholders, and string values that are themselves msgids (a clock's label)
    are translated too. Returns True when a new one was written.
    """
    if recipient is None or not recipient.is_active:
        return False
    try:
        with transaction.atomic():  # a concurrent run writing the same key is refused by the constraint
            _, created = Notification.objects.get_or_create(
                recipient=recipient,
                key=key[:200],
                defaults={"message": message, "params": params or {}, "link": link, "created": now or timezone.now()},
            )
    except IntegrityError:
        return False
    return created


def render(notification: Notification) -> str:
    params = {k: gettext(v) if isinstance(v, str) and v else v for k, v in (notification.params or {}).items()}
    try:
        return gettext(notification.message) % params
    except (KeyError, TypeError, ValueError):  # a message whose placeholders changed since it was written
        return gettext(notification.message)


def inbox(user):
    return Notification.objects.filter(recipient=user)


def unread_count(user) -> int:
    if not getattr(user, "is_authenticated", False):
        return 0
    return inbox(user).filter(read_at__isnull=True).count()


def mark_read(user, *, pk: int | None = None, now: dt.datetime | None = None) -> int:
    """Mark one (``pk``) or all of the user's unread notifications read; someone else's are untouched."""
    unread = inbox(user).filter(read_at__isnull=True)
    if pk is not None:
        unread = unread.filter(pk=pk)
    return unread.update(read_at=now or timezone.now())


def safe_link(notification: Notification) -> str | None:
    """The notification's link if it stays on this site (it is data: never redirect elsewhere)."""
    link = notification.link or ""
    if link.startswith("/") and url_has_allowed_host_and_scheme(link, allowed_hosts=None):
        return link
    return None
