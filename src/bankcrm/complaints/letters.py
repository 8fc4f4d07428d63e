"""Response letters: a bank-worded template (``LetterTemplate``) filled in for one complaint.

Placeholders are ``{name}`` and nothing else: ``str.format`` would let a template reach attributes
(``{reference.__class__}``), so the letter is filled by a plain pattern over a fixed table, and an
unknown placeholder is refused when the template is saved (and left as written if one slips in).
"""

import re

from django.utils import formats, timezone

from . import policies
from .choices import ClockState
from .models import Complaint, LetterTemplate

PLACEHOLDER = re.compile(r"\{([a-z_]+)\}")

# name -> what it is (shown in the admin's help and docs/complaints.md)
PLACEHOLDERS = (
    "reference",
    "customer_name",
    "customer_no",
    "received",
    "deadline",
    "category",
    "channel",
    "branch",
    "amount_in_dispute",
    "remedy",
    "compensation",
    "handler",
    "today",
)


def unknown_placeholders(text: str) -> list[str]:
    return sorted({name for name in PLACEHOLDER.findall(text or "") if name not in PLACEHOLDERS})


def _money(value) -> str:
    return "" if value is None else formats.number_format(value, decimal_pos=2, use_l10n=True, force_grouping=True)


def next_deadline(complaint: Complaint):
    """The deadline the letter quotes: the nearest bank obligation not yet met (else the last one met)."""
    binding = [d for d in complaint.deadlines.order_by("due_at", "pk") if d.binding]
    unmet = [d for d in binding if d.met_at is None and d.state != ClockState.STOPPED]
    return (unmet or binding or [None])[0]


def values_for(complaint: Complaint, *, user) -> dict[str, str]:
    deadline = next_deadline(complaint)
    customer = complaint.customer
    handler = complaint.assignee or user
    staff = getattr(getattr(handler, "profile", None), "staff", None)
    return {
        "reference": complaint.reference,
        "customer_name": customer.name if customer else "",
        "customer_no": complaint.customer_id or "",
        "received": policies.local_date(complaint.policy, complaint.received_at).isoformat(),
        "deadline": deadline.due_date.isoformat() if deadline else "",
        "category": str(complaint.get_category_display()),
        "channel": str(complaint.get_channel_display()),
        "branch": complaint.branch.name,
        "amount_in_dispute": _money(complaint.amount_in_dispute),
        "remedy": complaint.remedy,
        "compensation": _money(complaint.compensation),
        "handler": getattr(staff, "name", "") or (handler.get_full_name() if handler else "") or
        (handler.get_username() if handler else ""),
        "today": timezone.localdate().isoformat(),
    }  # fmt: skip


def fill(text: str, values: dict[str, str]) -> str:
    return PLACEHOLDER.sub(lambda m: values.get(m.group(1), m.group(0)), text or "")


def render_letter(template: LetterTemplate, complaint: Complaint, *, user) -> dict[str, str]:
    """{"subject", "body"} of the letter for ``complaint``."""
    values = values_for(complaint, user=user)
    return {"subject": fill(template.subject, values), "body": fill(template.body, values)}
