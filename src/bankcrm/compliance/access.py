"""The compliance desk's reading of the access log: unjustified views, the export, and the alerts
(bulk exports, many reveals, access out of working hours) raised from it."""

import datetime as dt
from dataclasses import dataclass, field

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


def _per_login_and_day(queryset):
    """(user_name, local day) → number of lines, first and last time; one GROUP BY query."""
    from django.db.models import Count, Max, Min
    from django.db.models.functions import TruncDate

    return (
        queryset.order_by()  # the model's ordering would join the GROUP BY
        .annotate(day=TruncDate("time"))
        .values("user_name", "day")
        .annotate(n=Count("pk"), first_time=Min("time"), last_time=Max("time"))
    )


def alert_candidates(since: dt.date, until: dt.date, rules: AlertRules | None = None) -> list[dict]:
    """Every (kind, login, day) of [since, until] at or over its threshold, from three aggregates."""
    from django.db.models import Q
    from django.db.models.functions import ExtractHour, ExtractIsoWeekDay, ExtractMinute

    from .choices import AccessAlertKind

    rules = rules or alert_rules()
    lines = AccessLog.objects.filter(time__date__gte=since, time__date__lte=until)
    found = []
    for kind, queryset, threshold in (
        (AccessAlertKind.BULK_EXPORTS, lines.filter(action=AccessLog.Action.EXPORT), rules.bulk_exports_per_day),
        (AccessAlertKind.MANY_REVEALS, lines.filter(action=AccessLog.Action.REVEAL), rules.reveals_per_day),
    ):
        for row in _per_login_and_day(queryset).filter(n__gte=threshold):
            found.append({"kind": kind, "threshold": threshold, **row})
    # local time of day in minutes (the extracts use the bank's time zone, as TruncDate does)
    off_hours = Q(minute_of_day__lt=rules.start_minute) | Q(minute_of_day__gte=rules.end_minute)
    if rules.weekends_off:
        off_hours |= Q(weekday__gte=6)
    outside = lines.annotate(
        minute_of_day=ExtractHour("time") * 60 + ExtractMinute("time"), weekday=ExtractIsoWeekDay("time")
    ).filter(off_hours)
    for row in _per_login_and_day(outside):
        found.append({"kind": AccessAlertKind.OFF_HOURS, "threshold": 1, **row})
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
    from django.db import transaction
    from django.utils import timezone

    from .models import AccessAlert

    rules = alert_rules()
    today = today or timezone.localdate()
    since = today - dt.timedelta(days=(days or rules.scan_days) - 1)
    result = ScanResult()
    with transaction.atomic():
        for row in alert_candidates(since, today, rules):
            alert, created = AccessAlert.objects.select_for_update().get_or_create(
                kind=row["kind"],
                user_name=row["user_name"],
                day=row["day"],
                defaults={
                    "count": row["n"],
                    "threshold": row["threshold"],
                    "first_time": row["first_time"],
                    "last_time": row["last_time"],
                },
            )
            if created:
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
