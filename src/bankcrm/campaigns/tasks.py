"""A relationship manager's tasks and appointments, and what their 今日 (today) page gathers (issue 14).

Creating and marking done go through the two functions here (one door, like the list items'
``set_list_item_status``); the change log records both through ``ChangeLoggedModel``.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from bankcrm.core.forms import find_in_scope
from bankcrm.customers.models import Account, Customer
from bankcrm.org.models import Staff

from .choices import ListItemStatus, TaskKind
from .models import ListItem, RmTask

MATURITY_DAYS = 7  # "maturities this week": accounts maturing today and in the next 6 days
BIRTHDAY_DAYS = 7


def staff_of(user) -> Staff | None:
    """The staff member a login acts as (an rm's own record), or None."""
    profile = getattr(user, "profile", None)
    return getattr(profile, "staff", None) if profile is not None else None


@transaction.atomic
def create_task(data: dict, *, user) -> RmTask:
    """A new task or appointment of the signed-in rm; errors name the field, in the user's language."""
    owner = staff_of(user)
    if owner is None or not user.has_perm("campaigns.add_rmtask"):
        raise PermissionDenied(_("Only a relationship manager keeps tasks and appointments."))
    errors: dict[str, list[str]] = {}
    title = (data.get("title") or "").strip()
    if not title:
        errors["title"] = [_("Give the task a title.")]
    elif len(title) > 200:
        errors["title"] = [_("The title is at most 200 characters.")]
    kind = data.get("kind") or TaskKind.TASK
    if kind not in TaskKind.values:
        errors["kind"] = [_("Choose task or appointment.")]
    due = data.get("due")
    if isinstance(due, str):
        try:
            due = parse_datetime(due.strip())  # the datetime-local field's "YYYY-MM-DDTHH:MM"
        except ValueError:
            due = None
        if due is not None and timezone.is_naive(due):
            due = timezone.make_aware(due)
    if not isinstance(due, dt.datetime):
        errors["due"] = [_("Give the due date and time as YYYY-MM-DD HH:MM.")]
    customer = None
    customer_no = (data.get("customer") or "").strip()
    if customer_no:
        customer = find_in_scope(Customer, user, customer_no)
        if customer is None:
            errors["customer"] = [_("No customer %(no)s among your customers.") % {"no": customer_no}]
    if errors:
        raise ValidationError(errors)
    return RmTask.objects.create(
        title=title, kind=kind, due=due, customer=customer, owner=owner, branch_id=owner.branch_id
    )


@transaction.atomic
def mark_task_done(task_id: int, *, user) -> RmTask:
    """Tick a task off (only its owner may: a branch head sees the branch's tasks but does not do them)."""
    task = RmTask.objects.restrict(user, "change").select_for_update().filter(pk=task_id).first()
    owner = staff_of(user)
    if task is None or owner is None or task.owner_id != owner.pk:
        raise PermissionDenied(_("This task is not yours."))
    if not task.done:
        task.done = True
        task.done_at = timezone.now()
        task.save()
    return task


def _open_tasks(user, now: dt.datetime | None):
    """The user's own open tasks and the end of their today (the line between reminders and later)."""
    now = now or timezone.now()
    end_of_today = timezone.localtime(now).replace(hour=23, minute=59, second=59, microsecond=999999)
    owner = staff_of(user)
    if owner is None:
        return RmTask.objects.none(), end_of_today
    tasks = (
        RmTask.objects.restrict(user, "view")
        .filter(owner=owner, done=False)
        .select_related("customer")
        .order_by("due", "pk")
    )
    return tasks, end_of_today


def due_tasks(user, *, now: dt.datetime | None = None):
    """Open tasks of the user's own due by the end of today (today's and overdue ones): the reminders."""
    tasks, end_of_today = _open_tasks(user, now)
    return tasks.filter(due__lte=end_of_today)


def upcoming_tasks(user, *, now: dt.datetime | None = None):
    """Open tasks due after today (shown under the reminders)."""
    tasks, end_of_today = _open_tasks(user, now)
    return tasks.filter(due__gt=end_of_today)


def follow_ups(user):
    """Pending items of the current lists assigned to the user, broken promises first."""
    from .services import current_lists

    owner = staff_of(user)
    if owner is None:
        return ListItem.objects.none()
    return (
        ListItem.objects.restrict(user, "view")
        .filter(current_lists(), assignee=owner.pk)
        .filter(status__in=[ListItemStatus.PROMISE_BROKEN, ListItemStatus.PENDING])
        .select_related("customer")
        .order_by("-status", "kind", "rank", "pk")  # promise_broken sorts before pending
    )


def new_list_items(user, *, now: dt.datetime | None = None):
    """List items given to the user since yesterday's start (a new list, or a reassignment's re-save)."""
    now = now or timezone.now()
    owner = staff_of(user)
    if owner is None:
        return ListItem.objects.none()
    since = timezone.localtime(now).replace(hour=0, minute=0, second=0, microsecond=0) - dt.timedelta(days=1)
    return (
        ListItem.objects.restrict(user, "view")
        .filter(assignee=owner.pk, created__gte=since)
        .select_related("customer")
        .order_by("-created", "pk")
    )


def maturities(user, *, today: dt.date):
    """Accounts of my customers maturing today or in the next six days."""
    owner = staff_of(user)
    if owner is None:
        return Account.objects.none()
    until = today + dt.timedelta(days=MATURITY_DAYS - 1)
    return (
        Account.objects.restrict(user, "view")
        .filter(customer__rm=owner, maturity_date__gte=today, maturity_date__lte=until)
        .select_related("customer", "product")
        .order_by("maturity_date", "pk")
    )


def birthdays(user, *, today: dt.date) -> list[dict]:
    """My customers with a birthday today or in the next six days: the day and age only.

    The birth date itself is a reveal field (docs/security.md): the page shows the weekday/month-day
    and the age they turn, never the year; the query reads the dates to compute that and nothing
    leaves this function but the day and the age.
    """
    owner = staff_of(user)
    if owner is None:
        return []
    days = [today + dt.timedelta(days=n) for n in range(BIRTHDAY_DAYS)]
    wanted = Q()
    for day in days:
        wanted |= Q(birth_date__month=day.month, birth_date__day=day.day)
    rows = []
    for customer in Customer.objects.restrict(user, "view").filter(rm=owner).filter(wanted).order_by("customer_no"):
        born = customer.birth_date
        for day in days:
            if (born.month, born.day) == (day.month, day.day):
                rows.append({"customer": customer, "day": day, "age": day.year - born.year, "today": day == today})
                break
    rows.sort(key=lambda r: (r["day"], r["customer"].customer_no))
    return rows
