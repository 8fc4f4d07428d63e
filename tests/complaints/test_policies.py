"""Deadline tables of the three policies, on the holidays library's calendars."""

import datetime as dt
import zoneinfo

import holidays
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bankcrm.complaints import policies

D = dt.date


def due(policy, clock, receipt, *, payment_service=False, start=None):
    for c in policies.POLICIES[policy].clocks:
        if c.name == clock and policies.applies(c, payment_service):
            return policies.due_date(policy, c, receipt=receipt, start=start)
    raise AssertionError(f"no clock {clock}")


def test_library_knows_2026_national_day_and_make_up_days():
    cn = holidays.country_holidays("CN", years=2026)
    assert all(D(2026, 10, day) in cn for day in (1, 2, 3, 5, 6, 7))
    # 调休: Sunday 20 Sep and Saturday 10 Oct 2026 are working days
    assert policies.is_working_day("cn", D(2026, 9, 20))
    assert policies.is_working_day("cn", D(2026, 10, 10))
    assert not policies.is_working_day("cn", D(2026, 10, 4))  # Sunday inside the holiday week


@pytest.mark.parametrize(
    ("receipt", "expected"),
    [
        (D(2026, 9, 23), D(2026, 10, 8)),  # the spec's example; 8 Oct is the first working day after the week
        (D(2026, 9, 16), D(2026, 10, 8)),  # lands on 1 Oct (National Day) -> next working day
        (D(2026, 9, 20), D(2026, 10, 8)),  # lands on 5 Oct (holiday, observed)
        (D(2026, 9, 5), D(2026, 9, 20)),  # lands on Sunday 20 Sep, a make-up working day: stays
        (D(2026, 9, 25), D(2026, 10, 10)),  # lands on Saturday 10 Oct, a make-up working day: stays
        (D(2026, 11, 6), D(2026, 11, 23)),  # lands on Saturday 21 Nov -> Monday
        (D(2026, 11, 29), D(2026, 12, 14)),  # plain weekday
    ],
)
def test_cn_decision_15_calendar_days_rolled_to_working_day(receipt, expected):
    assert due("cn", "decision", receipt) == expected


def test_cn_extensions_and_review_window():
    assert due("cn", "decision_extended", D(2026, 9, 8)) == D(2026, 10, 8)  # 30 days -> 8 Oct
    assert due("cn", "decision_extended_2", D(2026, 8, 2)) == D(2026, 10, 8)  # 60 days -> 1 Oct -> 8 Oct
    # review request: 30 days from the decision date, not from receipt
    assert due("cn", "review_request", D(2026, 1, 1), start=D(2026, 9, 1)) == D(2026, 10, 8)


def test_uk_summary_resolution_skips_christmas_substitute_days():
    # Wed 23 Dec 2026: Thu 24 (1), Fri 25 Christmas, Mon 28 Boxing Day substitute, Tue 29 (2), Wed 30 (3)
    assert due("uk", "summary_resolution", D(2026, 12, 23)) == D(2026, 12, 30)


def test_uk_payment_services_15_and_35_business_days_over_2027_christmas():
    # Christmas 2027 is a Saturday: substitutes Mon 27 and Tue 28 Dec; New Year 2028 Saturday -> Mon 3 Jan
    gb = holidays.country_holidays("GB", subdiv="ENG", years=[2027, 2028])
    assert D(2027, 12, 27) in gb and D(2027, 12, 28) in gb and D(2028, 1, 3) in gb
    # From Mon 20 Dec 2027: 21,22,23,24 (4), 29,30,31 (7), 4,5,6,7 (11), 10,11,12,13 (15)
    assert due("uk", "final_response", D(2027, 12, 20), payment_service=True) == D(2028, 1, 13)
    assert due("uk", "final_response_exceptional", D(2027, 12, 20), payment_service=True) == D(2028, 2, 10)


def test_uk_eight_weeks_is_56_calendar_days_without_rolling():
    assert due("uk", "final_response", D(2026, 11, 2)) == D(2026, 12, 28)  # a bank holiday, still the day


def test_uk_ombudsman_window_six_months_after_final_response():
    assert due("uk", "ombudsman_referral", D(2026, 1, 1), start=D(2026, 8, 31)) == D(2027, 2, 28)


def test_in_response_30_calendar_days():
    assert due("in", "response", D(2026, 9, 23)) == D(2026, 10, 23)


def test_receipt_date_is_local_to_the_policy():
    moment = dt.datetime(2026, 9, 22, 17, 30, tzinfo=dt.UTC)  # 01:30 on the 23rd in Shanghai
    assert policies.local_date("cn", moment) == D(2026, 9, 23)
    assert policies.local_date("uk", moment) == D(2026, 9, 22)
    assert policies.local_date("in", moment) == D(2026, 9, 22)  # 23:00 in Kolkata


def test_deadline_is_end_of_due_date_local_time():
    end = policies.end_of_day("cn", D(2026, 10, 8))
    assert end.astimezone(zoneinfo.ZoneInfo("Asia/Shanghai")).date() == D(2026, 10, 8)
    assert end + dt.timedelta(microseconds=1) == dt.datetime(2026, 10, 9, tzinfo=zoneinfo.ZoneInfo("Asia/Shanghai"))


def test_preview_lists_the_clocks_started_at_registration():
    at = dt.datetime(2026, 9, 23, 10, tzinfo=zoneinfo.ZoneInfo("Europe/London"))
    assert [p["clock"] for p in policies.preview("uk", at, payment_service=True)] == [
        "summary_resolution",
        "final_response",
    ]
    assert policies.preview("cn", at) == [{"clock": "decision", "due": D(2026, 10, 8), "binding": True}]


receipts = st.dates(min_value=D(2021, 1, 1), max_value=D(2030, 12, 31))


@settings(max_examples=300, deadline=None)
@given(receipts)
def test_cn_deadline_never_lands_on_a_rest_day(receipt):
    cn = holidays.country_holidays("CN", years=receipt.year)
    for name in ("decision", "decision_extended", "decision_extended_2"):
        day = due("cn", name, receipt)
        rest = day in cn or (day.weekday() >= 5 and not cn.is_working_day(day))
        assert not rest, (name, receipt, day)
        assert day >= receipt + dt.timedelta(days=policies.POLICIES["cn"].clock(name).count)


@settings(max_examples=300, deadline=None)
@given(receipts, st.booleans())
def test_extending_never_shortens_a_deadline(receipt, payment_service):
    assert due("cn", "decision", receipt) <= due("cn", "decision_extended", receipt)
    assert due("cn", "decision_extended", receipt) <= due("cn", "decision_extended_2", receipt)
    if payment_service:
        assert due("uk", "final_response", receipt, payment_service=True) <= due(
            "uk", "final_response_exceptional", receipt, payment_service=True
        )
