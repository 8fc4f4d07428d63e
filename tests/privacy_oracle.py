"""What a page gives away about one customer's ID number and mobile, counted as an attacker would.

Written from the rule in docs/security.md, not from bankcrm's masking code: every masked or full
form of the number on the page is combined (an attacker reads them all), the region is taken as
known (the branch and address give it away), the gender is known, and the birth date is either
printed somewhere (any common format) or narrowed to one year by the age. What is left is counted
by enumerating every number that fits, with the GB 11643 check digit from python-stdnum.
"""

import datetime as dt
import re

from stdnum.cn import ric

ID_TOKEN = re.compile(r"(?<![0-9A-Za-z*])[0-9Xx*]{18}(?![0-9A-Za-z*])")
PHONE_TOKEN = re.compile(r"(?<![0-9*])[0-9*]{11}(?![0-9*])")
MONTHS = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]


def birth_date_formats(day: dt.date) -> list[str]:
    month = MONTHS[day.month - 1]
    return [
        day.isoformat(),
        day.strftime("%Y%m%d"),
        day.strftime("%Y/%m/%d"),
        f"{day.year}年{day.month}月{day.day}日",
        f"{day.month}/{day.day}/{day.year}",
        f"{month} {day.day}, {day.year}",
        f"{month[:3]}. {day.day}, {day.year}",
    ]


def _fits(token: str, value: str) -> bool:
    return len(token) == len(value) and all(
        c == "*" or c.upper() == v.upper() for c, v in zip(token, value, strict=True)
    )


def known_positions(text: str, value: str, pattern: re.Pattern) -> list[str | None]:
    known: list[str | None] = [None] * len(value)
    for match in pattern.finditer(text):
        token = match.group(0)
        if _fits(token, value):
            for i, c in enumerate(token):
                if c != "*":
                    known[i] = c.upper()
    return known


def age_on(birth: dt.date, day: dt.date) -> int:
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


def id_candidates(text: str, id_number: str, birth: dt.date, gender: str, today: dt.date) -> int:
    """How many 18-digit ID numbers fit everything ``text`` shows about this one."""
    known = known_positions(text, id_number, ID_TOKEN)
    if any(f in text for f in birth_date_formats(birth)):
        dates = [birth]
    else:
        age = age_on(birth, today)
        start = dt.date(today.year - age - 1, 1, 1)
        dates = [start + dt.timedelta(days=n) for n in range(800)]
        dates = [d for d in dates if age_on(d, today) == age]
    count = 0
    for day in dates:
        digits = day.strftime("%Y%m%d")
        if any(known[6 + i] not in (None, digits[i]) for i in range(8)):
            continue
        for seq in range(1000):
            text_seq = f"{seq:03d}"
            if any(known[14 + i] not in (None, text_seq[i]) for i in range(3)):
                continue
            if (seq % 2 == 1) != (gender == "M"):
                continue
            if known[17] is not None and ric.calc_check_digit(id_number[:6] + digits + text_seq) != known[17]:
                continue
            count += 1
    return count


def phone_candidates(text: str, phone: str) -> int:
    known = known_positions(text, phone, PHONE_TOKEN)
    return 10 ** sum(1 for k in known if k is None)
