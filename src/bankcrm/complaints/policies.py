"""Deadline policies as data (spec/complaints.md "Deadline policies").

A policy is a table of clocks; the code below only knows how to count
calendar days, business days and months, in the policy's country and time
zone. Adding a jurisdiction means adding an entry to ``POLICIES``.

Clock fields:
* ``kind`` ``calendar`` / ``business`` / ``months`` and ``count``;
* ``starts_on``: the event that starts it (``register``, ``extend_1``,
  ``extend_2``, ``respond``, ``holding_reply``);
* ``counted_from``: ``receipt`` (the complaint's receipt date) or ``start``
  (the local date of the starting event);
* ``binding``: True for the bank's obligations (a breach when passed without
  the step), False for the customer's windows (review request, ombudsman
  referral, the summary-resolution window), which simply close;
* ``payment_service``: None = every complaint, True/False = only those;
* ``met_by``: actions that satisfy it; ``replaces``: clock it takes over from.
"""

import datetime as dt
import threading
import zoneinfo
from dataclasses import dataclass
from functools import cache

import holidays
from dateutil.relativedelta import relativedelta

CALENDAR, BUSINESS, MONTHS = "calendar", "business", "months"
DECISION_ACTIONS = ("respond",)


@dataclass(frozen=True)
class Clock:
    name: str
    kind: str
    count: int
    starts_on: str = "register"
    counted_from: str = "receipt"
    binding: bool = True
    payment_service: bool | None = None
    met_by: tuple[str, ...] = DECISION_ACTIONS
    replaces: str | None = None


@dataclass(frozen=True)
class PolicyRules:
    code: str
    timezone: str
    country: str
    subdiv: str | None
    # cn: a deadline whose last day is not a working day moves to the next working day (民法典 第二百零三条)
    roll_to_working_day: bool
    max_extensions: int
    holding_reply: bool  # uk payment services: a holding reply opens the exceptional clock
    clocks: tuple[Clock, ...]

    @property
    def tz(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.timezone)

    def clock(self, name: str) -> Clock:
        for clock in self.clocks:
            if clock.name == name:
                return clock
        raise KeyError(f"policy {self.code!r} has no clock {name!r}")


POLICIES: dict[str, PolicyRules] = {
    # 银行业保险业消费投诉处理管理办法 (2020) 第二十四、二十六条
    "cn": PolicyRules(
        code="cn",
        timezone="Asia/Shanghai",
        country="CN",
        subdiv=None,
        roll_to_working_day=True,
        max_extensions=2,
        holding_reply=False,
        clocks=(
            Clock("decision", CALENDAR, 15),
            Clock("decision_extended", CALENDAR, 30, starts_on="extend_1", replaces="decision"),
            Clock("decision_extended_2", CALENDAR, 60, starts_on="extend_2", replaces="decision_extended"),
            Clock(
                "review_request",
                CALENDAR,
                30,
                starts_on="respond",
                counted_from="start",
                binding=False,
                met_by=("reopen", "refer"),
            ),
        ),
    ),
    # FCA DISP 1.5 (summary resolution), 1.6.2 (8 weeks), 1.6.2A (payment services), DISP 2.8.2 (6 months)
    "uk": PolicyRules(
        code="uk",
        timezone="Europe/London",
        country="GB",
        subdiv="ENG",
        roll_to_working_day=False,
        max_extensions=0,
        holding_reply=True,
        clocks=(
            Clock("summary_resolution", BUSINESS, 3, binding=False),
            Clock("final_response", CALENDAR, 56, payment_service=False),
            Clock("final_response", BUSINESS, 15, payment_service=True),
            Clock(
                "final_response_exceptional",
                BUSINESS,
                35,
                starts_on="holding_reply",
                payment_service=True,
                replaces="final_response",
            ),
            Clock(
                "ombudsman_referral",
                MONTHS,
                6,
                starts_on="respond",
                counted_from="start",
                binding=False,
                met_by=("refer",),
            ),
        ),
    ),
    # RBI Integrated Ombudsman Scheme 2021, clause 10(2)(a)
    "in": PolicyRules(
        code="in",
        timezone="Asia/Kolkata",
        country="IN",
        subdiv=None,
        roll_to_working_day=False,
        max_extensions=0,
        holding_reply=False,
        clocks=(Clock("response", CALENDAR, 30),),
    ),
}

# First-contact (summary) resolution: resolved by the close of the 3rd business day after receipt.
SUMMARY_RESOLUTION_BUSINESS_DAYS = 3

_calendar_lock = threading.Lock()


@cache
def _calendar(country: str, subdiv: str | None) -> holidays.HolidayBase:
    # The library's data, including China's make-up working days (weekend_workdays); years load on demand.
    return holidays.country_holidays(country, subdiv=subdiv)


def is_working_day(policy: str, day: dt.date) -> bool:
    rules = POLICIES[policy]
    with _calendar_lock:  # the holiday object fills in years lazily; not thread-safe on its own
        return _calendar(rules.country, rules.subdiv).is_working_day(day)


def add_business_days(policy: str, day: dt.date, count: int) -> dt.date:
    rules = POLICIES[policy]
    with _calendar_lock:
        return _calendar(rules.country, rules.subdiv).get_nth_working_day(day, count)


def next_working_day(policy: str, day: dt.date) -> dt.date:
    """The day itself if it is a working day, else the next one."""
    return add_business_days(policy, day, 0)


def local_date(policy: str, moment: dt.datetime) -> dt.date:
    """The calendar date of ``moment`` where the policy's desk works."""
    return moment.astimezone(POLICIES[policy].tz).date()


def end_of_day(policy: str, day: dt.date) -> dt.datetime:
    """A deadline is the end of its due date, local time: the last instant before midnight."""
    return dt.datetime.combine(day, dt.time.max, tzinfo=POLICIES[policy].tz)


def due_date(policy: str, clock: Clock, *, receipt: dt.date, start: dt.date | None = None) -> dt.date:
    rules = POLICIES[policy]
    origin = receipt if clock.counted_from == "receipt" else (start or receipt)
    if clock.kind == BUSINESS:
        return add_business_days(policy, origin, clock.count)
    if clock.kind == MONTHS:
        due = origin + relativedelta(months=clock.count)
    else:
        # Calendar days are counted from the day after receipt: receipt + N is the Nth day.
        due = origin + dt.timedelta(days=clock.count)
    if rules.roll_to_working_day:
        due = next_working_day(policy, due)
    return due


def applies(clock: Clock, payment_service: bool) -> bool:
    return clock.payment_service is None or clock.payment_service == payment_service


def clocks_started_by(policy: str, trigger: str, *, payment_service: bool) -> list[Clock]:
    return [c for c in POLICIES[policy].clocks if c.starts_on == trigger and applies(c, payment_service)]


def summary_resolution_due(policy: str, receipt: dt.date) -> dt.date:
    return add_business_days(policy, receipt, SUMMARY_RESOLUTION_BUSINESS_DAYS)


def preview(policy: str, received_at: dt.datetime, *, payment_service: bool = False) -> list[dict]:
    """The deadlines a complaint received at ``received_at`` starts at registration (for the form)."""
    receipt = local_date(policy, received_at)
    return [
        {"clock": c.name, "due": due_date(policy, c, receipt=receipt), "binding": c.binding}
        for c in clocks_started_by(policy, "register", payment_service=payment_service)
    ]
