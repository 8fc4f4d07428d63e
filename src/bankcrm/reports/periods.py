"""Period arithmetic of spec/indicators.md "Periods" and the target period codes of "Targets".

A report for an as-of date D and a period type covers S … D of the period S … E containing D
(period-to-date). The previous period of the same type ends on S − 1 and starts by the same rule.
旬 (xun) are the days 1–10, 11–20 and 21–month end, so a 下旬 has 8 to 11 days.
Target periods are written as the bankers write them: ``2026`` (year), ``2026Q4`` (quarter),
``2026-11`` (month), ``2026-11X2`` (the 2nd 旬 of November) and ``2026W47`` (an ISO week).
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass

PERIOD_TYPES = ("day", "week", "xun", "month", "quarter", "year")
ONE_DAY = dt.timedelta(days=1)

_CODE_RE = {
    "year": re.compile(r"^(\d{4})$"),
    "quarter": re.compile(r"^(\d{4})Q([1-4])$"),
    "month": re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$"),
    "xun": re.compile(r"^(\d{4})-(0[1-9]|1[0-2])X([1-3])$"),
    "week": re.compile(r"^(\d{4})W(\d{2})$"),
    "day": re.compile(r"^(\d{4})-(\d{2})-(\d{2})$"),
}


class BadPeriod(ValueError):
    """A period code or type that does not parse (the message names what was given)."""


@dataclass(frozen=True)
class Period:
    kind: str
    start: dt.date
    end: dt.date

    @property
    def length(self) -> int:
        return (self.end - self.start).days + 1

    def contains(self, day: dt.date) -> bool:
        return self.start <= day <= self.end

    def days_to(self, as_of: dt.date) -> int:
        """days = D − S + 1 (D clamped into the period)."""
        return (min(max(as_of, self.start), self.end) - self.start).days + 1

    @property
    def code(self) -> str:
        s = self.start
        if self.kind == "year":
            return f"{s.year:04d}"
        if self.kind == "quarter":
            return f"{s.year:04d}Q{(s.month - 1) // 3 + 1}"
        if self.kind == "month":
            return f"{s.year:04d}-{s.month:02d}"
        if self.kind == "xun":
            return f"{s.year:04d}-{s.month:02d}X{_xun_index(s.day)}"
        if self.kind == "week":
            year, week, _ = s.isocalendar()
            return f"{year:04d}W{week:02d}"
        return s.isoformat()

    def previous(self) -> Period:
        return period_of(self.kind, self.start - ONE_DAY)


def _month_last(year: int, month: int) -> int:
    return calendar.monthrange(year, month)[1]


def _xun_index(day: int) -> int:
    return 1 if day <= 10 else 2 if day <= 20 else 3


def _xun(year: int, month: int, index: int) -> Period:
    first = (1, 11, 21)[index - 1]
    last = (10, 20, _month_last(year, month))[index - 1]
    return Period("xun", dt.date(year, month, first), dt.date(year, month, last))


def period_of(kind: str, day: dt.date) -> Period:
    """The period of type ``kind`` containing ``day``."""
    if kind == "day":
        return Period("day", day, day)
    if kind == "week":
        monday = day - dt.timedelta(days=day.weekday())  # ISO weeks run Monday … Sunday
        return Period("week", monday, monday + dt.timedelta(days=6))
    if kind == "xun":
        return _xun(day.year, day.month, _xun_index(day.day))
    if kind == "month":
        return Period("month", day.replace(day=1), day.replace(day=_month_last(day.year, day.month)))
    if kind == "quarter":
        first_month = (day.month - 1) // 3 * 3 + 1
        last_month = first_month + 2
        return Period(
            "quarter",
            dt.date(day.year, first_month, 1),
            dt.date(day.year, last_month, _month_last(day.year, last_month)),
        )
    if kind == "year":
        return Period("year", dt.date(day.year, 1, 1), dt.date(day.year, 12, 31))
    raise BadPeriod(f"unknown period type {kind!r}; one of: {', '.join(PERIOD_TYPES)}")


def parse_period(code: str) -> Period:
    """A target period code (``2026``, ``2026Q4``, ``2026-11``, ``2026-11X2``, ``2026W47``) → Period."""
    text = (code or "").strip()
    for kind, pattern in _CODE_RE.items():
        m = pattern.match(text)
        if not m:
            continue
        g = [int(x) for x in m.groups()]
        try:
            if kind == "year":
                return period_of("year", dt.date(g[0], 1, 1))
            if kind == "quarter":
                return period_of("quarter", dt.date(g[0], g[1] * 3 - 2, 1))
            if kind == "month":
                return period_of("month", dt.date(g[0], g[1], 1))
            if kind == "xun":
                return _xun(g[0], g[1], g[2])
            if kind == "week":
                monday = dt.date.fromisocalendar(g[0], g[1], 1)  # W53 only exists in long ISO years
                return period_of("week", monday)
            return period_of("day", dt.date(g[0], g[1], g[2]))
        except ValueError as exc:
            raise BadPeriod(f"not a period: {text!r} ({exc})") from exc
    raise BadPeriod(f"not a period: {text!r} (expected 2026, 2026Q4, 2026-11, 2026-11X2 or 2026W47)")


def year_base(as_of: dt.date) -> dt.date:
    """31 December of the year before D's year (较年初)."""
    return dt.date(as_of.year - 1, 12, 31)
