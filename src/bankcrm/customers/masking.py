"""Personal data masked by default (DESIGN rule 9, docs/security.md "Masking that cannot be pieced together").

The rule is about what a page gives away *in total*: the characters a mask shows, plus everything
else a user without a logged reveal can see of the customer (gender, age, branch, address region),
must leave at least ``MIN_CANDIDATES`` (10,000) possible values.

A PRC ID number (GB 11643) is 6 region digits, 8 birth-date digits, 3 sequence digits (the last one
odd for men, even for women) and a check digit computed from the other 17. The old mask
``110101********1234`` hid exactly the birth date, so beside a birth date it hid nothing, and even
beside an age it left ~365 dates ÷ 11 (the shown check digit rules out 10 of every 11) ≈ 33
candidates. Pages therefore show an age, never the birth date, and the mask hides the sequence too:
``110101***********4`` leaves 365 dates × 500 sequences (gender known) ÷ 11 ≈ 16,590 candidates even
when the region is taken as known. ``tests/core/test_masking.py`` counts them.
"""

import datetime as dt

MIN_CANDIDATES = 10_000


def _stars(value: str, head: int, tail: int) -> str:
    return value[:head] + "*" * (len(value) - head - tail) + (value[-tail:] if tail else "")


def _is_prc_id_card(value: str) -> bool:
    return len(value) == 18 and value[:17].isdigit() and (value[17].isdigit() or value[17] in "xX")


def mask_id_number(value: str | None) -> str:
    """``110101199003071234`` → ``110101***********4``; other documents keep ≥ 5 characters hidden."""
    if not value:
        return ""
    if _is_prc_id_card(value):
        return _stars(value, 6, 1)  # region + check digit; birth date and sequence hidden
    if len(value) == 15 and value.isdigit():
        return _stars(value, 6, 1)  # first-generation ID card: 6 region + YYMMDD + 3 sequence, no check digit
    # Passports and passes: at most 2 characters each end, never fewer than 5 hidden (≥ 10^5 values).
    if len(value) >= 9:
        return _stars(value, 2, 2)
    if len(value) >= 7:
        return _stars(value, 1, 1)
    if len(value) == 6:
        return _stars(value, 0, 1)
    return "*" * len(value)


def mask_phone(value: str | None) -> str:
    """``13812345678`` → ``138****5678``: at least 4 digits (10,000 values) always hidden."""
    if not value:
        return ""
    if len(value) <= 4:
        return "*" * len(value)
    tail = min(4, len(value) - 4)
    head = min(3, len(value) - 4 - tail)
    return _stars(value, head, tail)


def mask_name(value: str | None) -> str:
    """张三丰 → 张**: used in exports for people outside the data owner's scope."""
    if not value:
        return ""
    return value[0] + "*" * (len(value) - 1)


def age_on(birth_date: dt.date | None, day: dt.date) -> int | None:
    """Completed years on ``day`` (shown instead of the birth date, which would unmask the ID number)."""
    if birth_date is None:
        return None
    return day.year - birth_date.year - ((day.month, day.day) < (birth_date.month, birth_date.day))


def search_detail(params) -> str:
    """What a search asked for, for the access log: the filters, with numbers masked like the results."""
    parts = []
    term = (params.get("q") or "").strip()
    if term:
        compact = "".join(term.split())
        if compact.isdigit() and len(compact) == 11:
            term = mask_phone(compact)
        elif len(compact) >= 15 and compact[:-1].isdigit():
            term = mask_id_number(compact)
        parts.append(f"q={term}")
    for key in ("branch", "tier", "rm"):
        if params.get(key):
            parts.append(f"{key}={params.get(key)}")
    return " ".join(parts)[:300]
