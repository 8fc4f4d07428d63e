"""Period boundaries of spec/indicators.md "Periods" and the target codes, hand-computed from a calendar."""

import datetime as dt

import pytest

from bankcrm.reports.periods import BadPeriod, parse_period, period_of

D = dt.date

# (period type, D, expected S, expected E, previous period's S and E, why)
CASES = [
    ("day", D(2026, 3, 1), D(2026, 3, 1), D(2026, 3, 1), D(2026, 2, 28), D(2026, 2, 28), "day before 1 March"),
    (
        "week",
        D(2026, 1, 1),
        D(2025, 12, 29),
        D(2026, 1, 4),
        D(2025, 12, 22),
        D(2025, 12, 28),
        "ISO week 2026W01 starts in 2025",
    ),
    ("week", D(2027, 1, 2), D(2026, 12, 28), D(2027, 1, 3), D(2026, 12, 21), D(2026, 12, 27), "2026W53 ends in 2027"),
    (
        "week",
        D(2026, 11, 16),
        D(2026, 11, 16),
        D(2026, 11, 22),
        D(2026, 11, 9),
        D(2026, 11, 15),
        "a Monday starts its week",
    ),
    (
        "xun",
        D(2026, 11, 10),
        D(2026, 11, 1),
        D(2026, 11, 10),
        D(2026, 10, 21),
        D(2026, 10, 31),
        "上旬; previous is 11-day 下旬",
    ),
    ("xun", D(2026, 11, 11), D(2026, 11, 11), D(2026, 11, 20), D(2026, 11, 1), D(2026, 11, 10), "中旬"),
    ("xun", D(2026, 2, 28), D(2026, 2, 21), D(2026, 2, 28), D(2026, 2, 11), D(2026, 2, 20), "下旬 of Feb, 8 days"),
    (
        "xun",
        D(2028, 2, 29),
        D(2028, 2, 21),
        D(2028, 2, 29),
        D(2028, 2, 11),
        D(2028, 2, 20),
        "下旬 of Feb, leap, 9 days",
    ),
    ("xun", D(2026, 3, 5), D(2026, 3, 1), D(2026, 3, 10), D(2026, 2, 21), D(2026, 2, 28), "上旬 after an 8-day 下旬"),
    ("xun", D(2026, 1, 31), D(2026, 1, 21), D(2026, 1, 31), D(2026, 1, 11), D(2026, 1, 20), "下旬 of 31 days: 11 days"),
    ("month", D(2026, 3, 15), D(2026, 3, 1), D(2026, 3, 31), D(2026, 2, 1), D(2026, 2, 28), "month"),
    ("quarter", D(2026, 1, 15), D(2026, 1, 1), D(2026, 3, 31), D(2025, 10, 1), D(2025, 12, 31), "Q1, previous Q4"),
    ("quarter", D(2026, 11, 12), D(2026, 10, 1), D(2026, 12, 31), D(2026, 7, 1), D(2026, 9, 30), "Q4"),
    ("year", D(2026, 11, 12), D(2026, 1, 1), D(2026, 12, 31), D(2025, 1, 1), D(2025, 12, 31), "year"),
]


@pytest.mark.parametrize(("kind", "day", "start", "end", "prev_start", "prev_end", "why"), CASES)
def test_period_boundaries(kind, day, start, end, prev_start, prev_end, why):
    p = period_of(kind, day)
    assert (p.start, p.end) == (start, end), why
    prev = p.previous()
    assert (prev.start, prev.end) == (prev_start, prev_end), why


def test_days_to_date_and_xun_lengths():
    assert period_of("month", D(2026, 11, 11)).days_to(D(2026, 11, 11)) == 11
    assert period_of("xun", D(2026, 2, 25)).length == 8
    assert period_of("xun", D(2028, 2, 25)).length == 9
    assert period_of("xun", D(2026, 11, 25)).length == 10
    assert period_of("xun", D(2026, 12, 25)).length == 11


@pytest.mark.parametrize(
    ("code", "start", "end"),
    [
        ("2026", D(2026, 1, 1), D(2026, 12, 31)),
        ("2026Q4", D(2026, 10, 1), D(2026, 12, 31)),
        ("2026Q1", D(2026, 1, 1), D(2026, 3, 31)),
        ("2026-11", D(2026, 11, 1), D(2026, 11, 30)),
        ("2026-02X3", D(2026, 2, 21), D(2026, 2, 28)),
        ("2028-02X3", D(2028, 2, 21), D(2028, 2, 29)),
        ("2026-11X2", D(2026, 11, 11), D(2026, 11, 20)),
        ("2026W47", D(2026, 11, 16), D(2026, 11, 22)),
        ("2026W01", D(2025, 12, 29), D(2026, 1, 4)),
        ("2026W53", D(2026, 12, 28), D(2027, 1, 3)),
    ],
)
def test_target_period_codes(code, start, end):
    p = parse_period(code)
    assert (p.start, p.end) == (start, end)
    assert p.code == code


@pytest.mark.parametrize("code", ["2026-13", "2026Q5", "2026-11X4", "26-11", "2025W53", "2026W00", "", "2026-1", "Nov"])
def test_bad_period_codes(code):
    with pytest.raises(BadPeriod):
        parse_period(code)
