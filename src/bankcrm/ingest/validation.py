"""Row checks shared by every table: one function per value kind, and the check order.

Order (docs/adr/0201-nightly-import.md): for each column in the spec's column order the value is
checked for presence, then format/code; then the key for duplicates; then references, again in
column order. The first problem found is the row's one reject entry.
"""

import datetime as dt
import re
from decimal import Decimal, InvalidOperation

from .tables import Column, TableSpec

DATE_RE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}\Z")
TIMESTAMP_RE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2}\Z")
MONEY_RE = re.compile(r"-?[0-9]{1,16}(\.[0-9]{1,2})?\Z")  # fits Decimal(18, 2) and int64 cents
INT_RE = re.compile(r"[0-9]{1,9}\Z")
RATE_RE = re.compile(r"-?[0-9]{1,3}(\.[0-9]{1,6})?\Z")  # Product.fee_rate is Decimal(9, 6)
FLAGS = {"Y": True, "N": False}

# SQL twins of the regular expressions above, for the vectorised fact checks (facts.py).
SQL_PATTERNS = {
    "date": r"[0-9]{4}-[0-9]{2}-[0-9]{2}",
    "timestamp": r"[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2}",
    "money": r"-?[0-9]{1,16}(\.[0-9]{1,2})?",
    "amount": r"[0-9]{1,16}(\.[0-9]{1,2})?",
    "int": r"[0-9]{1,9}",
}


class Problem(Exception):
    def __init__(self, column: str | None, reason: str, detail: str = ""):
        super().__init__(detail)
        self.column, self.reason, self.detail = column, reason, detail


def parse_value(column: Column, value: str):
    """Text -> Python value, or raise Problem(bad_date / bad_number / bad_code)."""
    kind = column.kind
    if kind == "text":
        return value
    if kind == "date":
        if DATE_RE.match(value):
            try:
                return dt.date.fromisoformat(value)
            except ValueError:
                pass
        raise Problem(column.name, "bad_date", f"{value!r} is not a date YYYY-MM-DD")
    if kind == "timestamp":
        if TIMESTAMP_RE.match(value):
            try:
                return dt.datetime.strptime(value, "%Y-%m-%d %H:%M:%S")  # noqa: DTZ007 (bank local time)
            except ValueError:
                pass
        raise Problem(column.name, "bad_date", f"{value!r} is not a timestamp YYYY-MM-DD HH:MM:SS")
    if kind in ("money", "amount"):
        if MONEY_RE.match(value) and not (kind == "amount" and value.startswith("-")):
            return Decimal(value)
        raise Problem(column.name, "bad_number", f"{value!r} is not an amount with at most 2 decimals")
    if kind == "int":
        if INT_RE.match(value):
            return int(value)
        raise Problem(column.name, "bad_number", f"{value!r} is not a whole number")
    if kind == "rate":
        if RATE_RE.match(value):
            try:
                return Decimal(value)
            except InvalidOperation:
                pass
        raise Problem(column.name, "bad_number", f"{value!r} is not a decimal fraction (at most 6 decimals)")
    if kind == "id_card":
        # a staff member's PRC ID number (staff.id_number): checked like a customer's ID_CARD number
        # (quality.id_card_findings, python-stdnum's GB 11643 check digit), but a wrong one is rejected,
        # not loaded: it would link the staff member to someone else's customer records (screening).
        from .quality import id_card_findings

        if not id_card_findings(value, None, ""):
            return value.upper()
        raise Problem(
            column.name,
            "bad_code",
            f"{column.name} is not a valid PRC ID number (GB 11643: 18 characters, check digit)",
        )
    if kind == "code":
        if value in column.codes:
            return value
        raise Problem(column.name, "bad_code", f"{value!r} is not one of {', '.join(column.codes)}")
    if kind == "flag":
        if value in FLAGS:
            return FLAGS[value]
        raise Problem(column.name, "bad_code", f"{value!r} is not Y or N")
    raise AssertionError(kind)


def check_row(spec: TableSpec, values: dict[str, str | None], max_lengths: dict[str, int] | None = None) -> dict:
    """Presence and format of every column, in spec order. Returns the parsed values.

    ``max_lengths`` (column -> characters, from the model fields: dimensions.max_lengths) makes a
    value longer than its database column a ``too_long`` reject instead of a database error. A NUL
    byte anywhere in the row makes it ``bad_row`` first: it is not text, PostgreSQL refuses it and
    SQLite would store it (issue 8, item 9).
    """
    for column in spec.columns:
        value = values.get(column.name)
        if value is not None and "\x00" in value:
            raise Problem(column.name, "bad_row", f"{column.name} holds a NUL byte (not text)")
    limits = max_lengths or {}
    parsed = {}
    for column in spec.columns:
        value = values.get(column.name)
        if value is None:
            if column.required:
                raise Problem(column.name, "missing_field", f"{column.name} is required")
            parsed[column.name] = None
            continue
        if column.name in spec.key and not spec.is_fact:
            check_key(column.name, value)
        limit = limits.get(column.name)
        if limit is not None and len(value) > limit:
            raise Problem(column.name, "too_long", f"{column.name} has {len(value)} characters, at most {limit}")
        parsed[column.name] = parse_value(column, value)
    return parsed


URL_UNSAFE_KEY = re.compile(r"[/\\]")  # NUL and other control characters: see reader (bad_row)


def check_key(name: str, value: str) -> None:
    """A record key becomes a URL segment (``/customers/<customer_no>/``): no '/' or '\\' in it."""
    if URL_UNSAFE_KEY.search(value):
        raise Problem(name, "bad_code", f"{name} {value!r} may not hold '/' or '\\' (it is part of page addresses)")
