"""A relationship manager's exports (issue 14): my customers and my queue, as Excel workbooks.

Each gives away no more than its page: names as the list pages show them, ID numbers and mobiles
masked as there (customers/masking.py), no birth date, no full identifiers. Every cell goes through
``core.spreadsheets.append_row`` (text cells stay text: a name starting with ``=`` is not a formula).
The views write one access-log line per file (action ``export``, with the row count).
"""

from __future__ import annotations

from django.db.models import Max, OuterRef, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook

from bankcrm.core.spreadsheets import append_row, money_cell
from bankcrm.customers.choices import Tier
from bankcrm.customers.masking import mask_id_number, mask_phone
from bankcrm.customers.models import Customer, CustomerMonth

from .details import describe
from .models import ListItem
from .services import current_lists

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _about(book: Workbook, title: str, *, user, rows: int) -> None:
    sheet = book.create_sheet(_("About"))
    for label, value in (
        (_("Export"), title),
        (_("Exported at"), timezone.localtime().replace(tzinfo=None, microsecond=0)),
        (_("Exported by"), user.get_username()),
        (_("Rows"), rows),
    ):
        append_row(sheet, [label, value])


def my_customers(user):
    """The customers of the signed-in rm (a manager's whole scope), with the newest snapshot's tier."""
    # an rm's scope is their own portfolio already (core/scope.py): no second filter here
    customers = Customer.objects.restrict(user, "view").select_related("branch", "rm")
    month = CustomerMonth.objects.aggregate(newest=Max("month"))["newest"]
    if month:
        tier = CustomerMonth.objects.filter(customer_id=OuterRef("pk"), month=month).values("tier")[:1]
        customers = customers.annotate(latest_tier=Subquery(tier))
    return customers.order_by("customer_no")


def customers_workbook(user) -> tuple[Workbook, int]:
    book = Workbook(write_only=True)
    sheet = book.create_sheet(_("Customers"))
    append_row(
        sheet,
        [_("Customer no."), _("Name"), _("ID number"), _("Mobile"), _("Branch"), _("Relationship manager"), _("Tier")],
    )
    n = 0
    for c in my_customers(user).iterator(chunk_size=2000):
        tier = getattr(c, "latest_tier", None)
        append_row(
            sheet,
            [
                c.customer_no,
                c.name,
                mask_id_number(c.id_number),
                mask_phone(c.phone),
                c.branch.name,
                c.rm.name if c.rm else "",
                str(Tier(tier).label) if tier in Tier.values else "",
            ],
        )
        n += 1
    _about(book, _("My customers"), user=user, rows=n)
    return book, n


def my_queue(user):
    """The items of the current lists the user's queue holds (an rm's own; a manager's scope)."""
    items = ListItem.objects.restrict(user, "view").filter(current_lists()).select_related("customer")
    return items.order_by("kind", "rank", "pk")


def queue_workbook(user) -> tuple[Workbook, int]:
    book = Workbook(write_only=True)
    sheet = book.create_sheet(_("Work queue"))
    append_row(
        sheet,
        [_("List"), _("As of"), _("Rank"), _("Customer no."), _("Name"), _("Tier"), _("AUM daily average (CNY)"),
         _("Detail"), _("Status"), _("Assignee")],
    )  # fmt: skip
    n = 0
    for item in my_queue(user).iterator(chunk_size=2000):
        append_row(
            sheet,
            [
                item.get_kind_display(),
                item.as_of,
                item.rank,
                item.customer_id,
                item.customer.name,
                item.get_tier_display(),
                money_cell(item.aum_avg),
                describe(item.kind, item.facts, item.detail),
                item.get_status_display(),
                item.assignee,
            ],
        )
        n += 1
    _about(book, _("My work queue"), user=user, rows=n)
    return book, n
