"""A list item's detail for people: rendered from its facts, in the reader's language.

The metrics run stores what it found as data (``ListItem.facts``: tier codes, amounts in cents,
ISO dates); this turns it into a sentence with the tier labels, the amount grouped by thousands
with its unit and the date, each as the active language writes them (issue 14: the queue showed
``vip→wealth: gap 94058.03``). Items without facts (written before they existed, or campaign
items) show their stored plain-text detail.
"""

import datetime as dt
from decimal import Decimal

from django.utils import formats
from django.utils.translation import gettext

from bankcrm.customers.choices import Tier


def money(cents: int) -> str:
    """Cents as yuan with two decimals, grouped by thousands, with the unit (``94,058.03 元``)."""
    amount = Decimal(int(cents)).scaleb(-2)
    number = formats.number_format(amount, decimal_pos=2, use_l10n=True, force_grouping=True)
    return gettext("%(amount)s yuan") % {"amount": number}


def day(iso: str) -> str:
    return formats.date_format(dt.date.fromisoformat(iso), "DATE_FORMAT")


def tier(code: str) -> str:
    return str(Tier(code).label) if code in Tier.values else code


def _edge(f):
    return gettext("%(gap)s short of %(to_tier)s (now %(from_tier)s)") % {
        "gap": money(f["gap_cents"]), "to_tier": tier(f["to_tier"]), "from_tier": tier(f["from_tier"])
    }  # fmt: skip


def _downgraded(f):
    return gettext("Down from %(from_tier)s to %(to_tier)s") % {
        "from_tier": tier(f["from_tier"]), "to_tier": tier(f["to_tier"])
    }  # fmt: skip


def _dormant(f):
    return gettext("Highest monthly average balance in 24 months: %(peak)s") % {"peak": money(f["peak_cents"])}


def _maturing(f):
    return gettext("Matures on %(date)s") % {"date": day(f["date"])}


def _kyc(f):
    if f.get("kyc") == "none":
        return gettext("No risk assessment on file")
    if f.get("kyc") == "expired":
        return gettext("Risk assessment expired on %(date)s") % {"date": day(f["date"])}
    return gettext("Risk assessment expires on %(date)s") % {"date": day(f["date"])}


def _unassigned(f):
    if f.get("rm"):
        return gettext("Relationship manager %(rm)s is no longer active") % {"rm": f["rm"]}
    return gettext("No relationship manager")


def _overdue(f):
    return gettext("Loan %(account)s %(days)s days overdue (%(bucket)s); overdue principal and interest %(amount)s") % {
        "account": f["account"], "days": formats.number_format(f["days"], use_l10n=True, force_grouping=True),
        "bucket": f["bucket"], "amount": money(f["overdue_cents"]),
    }  # fmt: skip


RENDERERS = {
    "edge": _edge,
    "downgraded": _downgraded,
    "dormant_potential": _dormant,
    "maturing": _maturing,
    "kyc_expiring": _kyc,
    "unassigned": _unassigned,
    "overdue": _overdue,
}


def describe(kind: str, facts: dict | None, fallback: str = "") -> str:
    """The detail of a list item of ``kind`` with ``facts``, in the active language."""
    render = RENDERERS.get(kind)
    if not facts or render is None:
        return fallback
    try:
        return render(facts)
    except (KeyError, TypeError, ValueError):  # facts of an older shape: the stored text still says it
        return fallback
