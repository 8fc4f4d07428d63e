"""The compliance desk's reading of the access log (read-only; the desk's changes are in services)."""

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
            gettext("%(count)s rows do not fit in one Excel sheet (at most %(limit)s): narrow the filters or export CSV.")
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
