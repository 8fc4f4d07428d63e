"""The compliance desk's reading of the access log: unjustified views, the export, and the alerts
(bulk exports, many reveals, access out of working hours) raised from it."""

import datetime as dt
import operator
from dataclasses import dataclass, field
from functools import reduce

from bankcrm.core.models import AccessLog


def unjustified_views(queryset=None):
    """Views of a customer by a relationship manager outside their portfolio with nothing to justify them.

    An access-log ``view`` by a user whose role is ``rm`` where the customer's (current) rm is not
    the user's staff member, and there is no list item assigned to them for that customer, no
    contact logged by them and no complaint about the customer.
    """
    from django.db.models import Exists, OuterRef, Q, Subquery

    from bankcrm.campaigns.models import ContactLog, ListItem
    from bankcrm.complaints.models import Complaint
    from bankcrm.customers.models import Customer
    from bankcrm.org.choices import UserRole
    from bankcrm.org.models import UserProfile

    staff_of_user = UserProfile.objects.filter(user_id=OuterRef("user_id")).values("staff_id")[:1]
    queryset = (
        (AccessLog.objects.all() if queryset is None else queryset)
        .filter(action=AccessLog.Action.VIEW)
        .filter(user_id__in=UserProfile.objects.filter(role=UserRole.RM).values("user_id"))
        .annotate(user_staff=Subquery(staff_of_user))
        .filter(
            ~Exists(Customer.objects.filter(pk=OuterRef("customer_no"), rm_id=OuterRef("user_staff"))),
            ~Exists(ListItem.objects.filter(customer_id=OuterRef("customer_no"), assignee=OuterRef("user_staff"))),
            ~Exists(
                ContactLog.objects.filter(customer_id=OuterRef("customer_no")).filter(
                    Q(user_name=OuterRef("user_name")) | Q(staff_id=OuterRef("user_staff"))
                )
            ),
        )
    )
    queryset = queryset.filter(~Exists(Complaint.objects.filter(customer_id=OuterRef("customer_no"))))
    return queryset.order_by("-time", "-pk")


# ---- who the user is: the staff member's name and branch beside the login (issue 14) ---------------


def with_staff(queryset):
    """Each entry with ``staff_name`` and ``branch_name`` of the login's staff member *today*.

    A login that stands for a branch rather than a person (a branch head without a staff number)
    shows that branch. Joins, not a query per row: the page and the export read thousands.
    """
    from django.db.models import F
    from django.db.models.functions import Coalesce

    return queryset.annotate(
        staff_name=F("user__profile__staff__name"),
        branch_name=Coalesce(F("user__profile__staff__branch__name"), F("user__profile__branch__name")),
    )


# ---- the export (spec/api.md: ``?format=csv|xlsx`` returns the same rows, itself logged) ----------

EXPORT_FORMATS = ("csv", "xlsx")
# The API's field names first (a program reads the download like the JSON), then the two columns of
# the page that say who the login is.
EXPORT_COLUMNS = (
    "id",
    "time",
    "user",
    "action",
    "customer_no",
    "fields",
    "reason",
    "path",
    "remote_addr",
    "detail",
    "staff_name",
    "branch",
)
XLSX_ROW_LIMIT = 1_048_575  # Excel's sheet height less the header


class TooManyRowsForExcel(ValueError):
    """More rows than one Excel sheet holds: refused rather than cut short (CSV has no limit)."""

    def __init__(self, count: int) -> None:
        from django.utils.translation import gettext

        super().__init__(
            gettext(
                "%(count)s rows do not fit in one Excel sheet (at most %(limit)s): narrow the filters or export CSV."
            )
            % {"count": f"{count:,}", "limit": f"{XLSX_ROW_LIMIT:,}"}
        )


def _export_row(entry, *, naive_time: bool) -> list:
    from django.utils import timezone

    time = timezone.localtime(entry.time)
    return [
        entry.pk,
        time.replace(tzinfo=None) if naive_time else time.isoformat(timespec="seconds"),
        entry.user_name,
        entry.action,
        entry.customer_no,
        entry.fields,
        entry.reason,
        entry.path,
        entry.remote_addr,
        entry.detail,
        entry.staff_name or "",
        entry.branch_name or "",
    ]


def export_response(queryset, fmt: str, *, user, path: str):
    """The filtered access log as a download (every matching row, not one page), logged as an export.

    The export is written to the log *before* the rows are read, so it names itself as the newest
    line only in the next export — the log stays what it was when the officer asked for it.
    """
    from django.http import HttpResponse, StreamingHttpResponse
    from django.utils import timezone

    from bankcrm.core.accesslog import record_access
    from bankcrm.core.spreadsheets import append_row, csv_line_writer

    if fmt not in EXPORT_FORMATS:
        raise ValueError(fmt)
    queryset = with_staff(queryset).order_by("-time", "-pk")
    count = queryset.count()
    if fmt == "xlsx" and count > XLSX_ROW_LIMIT:
        raise TooManyRowsForExcel(count)
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    record_access("export", user=user, path=path[:300], detail=f"access log {fmt}, {count} rows")
    if fmt == "csv":
        writer = csv_line_writer()

        def lines():
            yield "\ufeff" + writer.writeheader(EXPORT_COLUMNS)  # the BOM: Excel opens UTF-8 Chinese as such
            for entry in queryset.iterator(chunk_size=2000):
                yield writer.writerow(_export_row(entry, naive_time=False))

        response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    else:
        from openpyxl import Workbook

        book = Workbook(write_only=True)
        sheet = book.create_sheet("access_log")
        append_row(sheet, EXPORT_COLUMNS)
        for entry in queryset.iterator(chunk_size=2000):
            append_row(sheet, _export_row(entry, naive_time=True))
        response = HttpResponse(content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
        book.save(response)
    response["Content-Disposition"] = f'attachment; filename="access-log-{stamp}.{fmt}"'
    return response


# ---- alerts from the access log (issue 14) -------------------------------------------------------
# Computed by SQL aggregates (GROUP BY login and local day), never by reading every line into Python:
# the log grows by a line per customer view. The state changes of these alerts live here, beside
# the reading they come from, rather than in ``services`` (the desk's other rules).


@dataclass(frozen=True)
class AlertRules:
    bulk_exports_per_day: int
    reveals_per_day: int
    start_minute: int  # working hours [start, end) in minutes after local midnight
    end_minute: int
    weekends_off: bool
    scan_days: int

    @property
    def working_hours(self) -> str:
        return "–".join(f"{m // 60:02d}:{m % 60:02d}" for m in (self.start_minute, self.end_minute))


def alert_rules(conf: dict | None = None) -> AlertRules:
    """``settings.BANKCRM_ACCESS_ALERTS`` checked: a bad value is named, never silently ignored."""
    from django.conf import settings
    from django.core.exceptions import ImproperlyConfigured

    conf = settings.BANKCRM_ACCESS_ALERTS if conf is None else conf

    def count(name: str) -> int:
        value = conf.get(name)
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise ImproperlyConfigured(f"[access_alerts] {name} must be a whole number ≥ 1, not {value!r}")
        return value

    def minute(text) -> int:
        try:
            hours, minutes = str(text).split(":")
            value = int(hours) * 60 + int(minutes)
        except ValueError:
            value = -1
        if not 0 <= value <= 24 * 60 or len(str(text)) != 5:
            raise ImproperlyConfigured(f"[access_alerts] working_hours: {text!r} is not a time HH:MM")
        return value

    hours = conf.get("working_hours")
    if not isinstance(hours, list | tuple) or len(hours) != 2:
        raise ImproperlyConfigured(f"[access_alerts] working_hours must be [start, end], not {hours!r}")
    start, end = minute(hours[0]), minute(hours[1])
    if start >= end:
        raise ImproperlyConfigured(f"[access_alerts] working_hours: start {hours[0]} is not before end {hours[1]}")
    return AlertRules(
        bulk_exports_per_day=count("bulk_exports_per_day"),
        reveals_per_day=count("reveals_per_day"),
        start_minute=start,
        end_minute=end,
        weekends_off=bool(conf.get("weekends_off", True)),
        scan_days=count("scan_days"),
    )


def _local_moment(day: dt.date, minute: int) -> dt.datetime:
    """``minute`` minutes after local midnight of ``day``, aware (24:00 is the next midnight)."""
    from django.utils import timezone

    midnight = dt.datetime.combine(day, dt.time(0), tzinfo=timezone.get_current_timezone())
    # wall-clock arithmetic on the local day, then zoneinfo finds the offset of that moment
    return (midnight.replace(tzinfo=None) + dt.timedelta(minutes=minute)).replace(tzinfo=midnight.tzinfo)


def alert_candidates(since: dt.date, until: dt.date, rules: AlertRules | None = None) -> list[dict]:
    """Every (kind, login, day) of [since, until] at or over its threshold: **one** GROUP BY query.

    The local day and "outside working hours" are not computed per row with time-zone functions
    (on SQLite those are Python callbacks, one per line, and defeat the index on ``time``): the
    boundaries of each local day and of its working hours are computed here, a few per day, and
    the database only compares ``time`` with them — a range scan of the window on the index.
    """
    from django.db.models import Case, Count, DateField, Max, Min, Q, Value, When

    from .choices import AccessAlertKind

    rules = rules or alert_rules()
    days = [since + dt.timedelta(days=i) for i in range((until - since).days + 1)]
    if not days:
        return []
    local_day = Case(
        *[When(time__lt=_local_moment(day, 24 * 60), then=Value(day)) for day in days], output_field=DateField()
    )
    outside_ranges = []
    for day in days:
        start, end = _local_moment(day, 0), _local_moment(day, 24 * 60)
        if rules.weekends_off and day.isoweekday() >= 6:
            outside_ranges.append(Q(time__gte=start, time__lt=end))
        else:
            outside_ranges.append(Q(time__gte=start, time__lt=_local_moment(day, rules.start_minute)))
            outside_ranges.append(Q(time__gte=_local_moment(day, rules.end_minute), time__lt=end))
    outside = reduce(operator.or_, outside_ranges)
    kinds = (
        (AccessAlertKind.BULK_EXPORTS, Q(action=AccessLog.Action.EXPORT), rules.bulk_exports_per_day),
        (AccessAlertKind.MANY_REVEALS, Q(action=AccessLog.Action.REVEAL), rules.reveals_per_day),
        (AccessAlertKind.OFF_HOURS, outside, 1),
    )
    aggregates = {}
    for kind, condition, _threshold in kinds:
        aggregates[f"{kind}_n"] = Count("pk", filter=condition)
        aggregates[f"{kind}_first"] = Min("time", filter=condition)
        aggregates[f"{kind}_last"] = Max("time", filter=condition)
    having = reduce(operator.or_, [Q(**{f"{kind}_n__gte": threshold}) for kind, _c, threshold in kinds])
    rows = (
        AccessLog.objects.filter(time__gte=_local_moment(days[0], 0), time__lt=_local_moment(days[-1], 24 * 60))
        .order_by()  # the model's ordering would join the GROUP BY
        .annotate(day=local_day)
        .values("user_name", "day")
        .annotate(**aggregates)
        .filter(having)
    )
    found = []
    for row in rows:
        for kind, _condition, threshold in kinds:
            if row[f"{kind}_n"] >= threshold:
                found.append(
                    {
                        "kind": kind,
                        "threshold": threshold,
                        "user_name": row["user_name"],
                        "day": row["day"],
                        "n": row[f"{kind}_n"],
                        "first_time": row[f"{kind}_first"],
                        "last_time": row[f"{kind}_last"],
                    }
                )
    return found


@dataclass
class ScanResult:
    raised: list = field(default_factory=list)
    updated: int = 0


def scan_access_log(today: dt.date | None = None, *, days: int | None = None) -> ScanResult:
    """Raise (or bring up to date) the alerts of the last ``days`` local days up to ``today``.

    Idempotent: a rescan raises nothing new for a day already alerted; an open alert's count
    follows the log (the day may not be over); an acknowledged one is left as it was acknowledged.
    """
    from django.db import IntegrityError, transaction
    from django.utils import timezone

    from .models import AccessAlert

    rules = alert_rules()
    today = today or timezone.localdate()
    since = today - dt.timedelta(days=(days or rules.scan_days) - 1)
    result = ScanResult()
    with transaction.atomic():
        found = alert_candidates(since, today, rules)
        # the alerts already raised for the window, locked, in one query (not one per candidate)
        existing = {
            (a.kind, a.user_name, a.day): a
            for a in AccessAlert.objects.select_for_update().filter(day__gte=since, day__lte=today).order_by("pk")
        }
        for row in found:
            alert = existing.get((row["kind"], row["user_name"], row["day"]))
            if alert is None:
                alert = AccessAlert(
                    kind=row["kind"],
                    user_name=row["user_name"],
                    day=row["day"],
                    count=row["n"],
                    threshold=row["threshold"],
                    first_time=row["first_time"],
                    last_time=row["last_time"],
                )
                try:
                    # one by one: each raise is in the change log. A scan running at the same time
                    # (two officers opening the page, or the page during the sweep) may have raised
                    # it a moment ago: the row lock cannot cover a row that did not exist yet.
                    with transaction.atomic():
                        alert.save()
                except IntegrityError:
                    continue
                result.raised.append(alert)
            elif alert.acknowledged_at is None and (alert.count, alert.last_time) != (row["n"], row["last_time"]):
                alert.count, alert.first_time, alert.last_time = row["n"], row["first_time"], row["last_time"]
                alert.save()
                result.updated += 1
    return result


def acknowledge_access_alert(alert, user_name: str, note: str):
    """Close an alert with the officer's note (needed); locked, once."""
    from django.db import transaction
    from django.utils import timezone

    from .models import AccessAlert
    from .services import BadInput

    note = (note or "").strip()
    if not note:
        raise BadInput("acknowledging an alert needs a note")
    with transaction.atomic():
        alert = AccessAlert.objects.select_for_update().get(pk=alert.pk)
        if alert.acknowledged_at is not None:
            raise BadInput(f"alert {alert.pk} is already acknowledged")
        alert.acknowledged_at, alert.acknowledged_by, alert.note = timezone.now(), user_name, note
        alert.save()
    return alert
