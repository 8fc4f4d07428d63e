"""The one customer search, shared by the search page and ``GET /api/customers/`` (the project
package adds the tier of the newest snapshot: ``bankcrm/customer_search.py``).

What a bank clerk types is a customer number (or a prefix of at least 4 characters), an ID number,
a mobile number (or its last 4 digits), the start of a name or its pinyin (full or initials:
``oyn`` for 欧阳娜娜). ID and full mobile numbers are matched exactly (a partial ID number would be
a fishing expedition through personal data), names by prefix. Every branch of the OR is an index
range — no leading-wildcard LIKE — so the search stays fast at millions of customers
(docs/adr/0601-customer-search.md).
"""

import re

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .models import Customer

# Sorts after every character a name can hold: name >= q AND name < q + MAX is "starts with q"
# as an index range on both SQLite and PostgreSQL (LIKE 'q%' is not indexable on either by default).
_PREFIX_END = "\U0010ffff"
_SPACES = re.compile(r"[\s\-]+")


# spec/api.md: a customer number is found by a prefix of at least this many characters.
CUSTOMER_NO_PREFIX_MIN = 4
_PINYIN = re.compile(r"^[a-z]+$")
PINYIN_MIN = 2


def search_condition(term: str) -> tuple[Q | None, bool]:
    """(condition, names only) for what a clerk typed.

    Chinese characters can only be a name; anything with a digit can only be a number (customer
    no. or a prefix of it, mobile or its last 4 digits, ID or passport number); Latin letters alone
    may be either, or the pinyin of a name (full or initials, by prefix). A names-only search is
    ordered by name, so the database walks the name index in order and stops after a page.
    """
    term = term.strip()
    if not term:
        return None, False
    compact = _SPACES.sub("", term)
    numbers = Q(pk=term) | Q(pk=compact) | Q(phone=compact) | Q(id_number=compact.upper())
    if compact.startswith("+86"):
        numbers |= Q(phone=compact[3:])
    if not compact.isascii():
        return name_prefix(term), True
    if len(compact) == 4 and compact.isdigit():
        # the last 4 digits of a mobile: a clerk's quickest check when the customer is at the desk
        numbers |= Q(phone_last4=compact)
    if len(compact) >= CUSTOMER_NO_PREFIX_MIN:
        numbers |= prefix("customer_no", compact) | prefix("customer_no", compact.upper())
    if any(ch.isdigit() for ch in compact):
        return numbers, False
    condition = numbers | name_prefix(term)
    pinyin = compact.lower()
    # One letter is the initial of a sixth of the bank (w: 王, 吴, 魏…): a count and sort of 150k
    # rows per keystroke, and no use to a clerk. Pinyin is searched from 2 letters on.
    if len(pinyin) >= PINYIN_MIN and _PINYIN.match(pinyin):
        condition |= prefix("name_pinyin", pinyin) | prefix("name_initials", pinyin)
    return condition, False


def prefix(field: str, term: str) -> Q:
    """``field`` starts with ``term``, as an index range (see name_prefix)."""
    from django.db import connection

    if connection.vendor == "postgresql":
        return Q(**{f"{field}__startswith": term})
    return Q(**{f"{field}__gte": term, f"{field}__lt": term + _PREFIX_END})


def name_prefix(term: str) -> Q:
    # On PostgreSQL Django gives an indexed CharField a varchar_pattern_ops twin index, which
    # serves LIKE 'term%' under any collation (a range would depend on the collation); SQLite
    # compares with BINARY collation, so there the range is exactly "starts with", and indexed.
    return prefix("name", term)


class CustomerFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(method="filter_q", label=_("Customer no., name, mobile or ID number"), max_length=60)
    branch = django_filters.CharFilter(method="filter_branch", label=_("Branch (and its sub-branches)"), max_length=20)
    rm = django_filters.CharFilter(field_name="rm_id", label=_("Relationship manager (staff no.)"), max_length=20)

    class Meta:
        model = Customer
        fields = ["q", "branch", "rm"]

    def filter_q(self, queryset, name, value):
        condition, names_only = search_condition(value)
        if condition is None:
            return queryset
        queryset = queryset.filter(condition)
        return queryset.order_by("name", "customer_no") if names_only else queryset

    def filter_branch(self, queryset, name, value):
        from bankcrm.org.scope import branch_descendants

        return queryset.filter(branch_id__in=sorted(branch_descendants(value.strip())))
