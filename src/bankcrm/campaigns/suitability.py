"""The suitability check (适当性) of spec/campaigns.md as one pure function.

It is used three ways and must give one answer: a recorded sale (counter, lobby tablet, API) before
it is stored; the after-the-fact check of imported sales (suitability findings); and a campaign's
eligibility (may this customer buy any of the campaign's products on start_date?). No database
access here: callers look up the KYC in force and pass plain values, so every rule is testable as a
table of cases.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from bankcrm.customers.masking import age_on

# 证券期货投资者适当性管理办法 / 商业银行理财业务监督管理办法: the recording (双录) rule covers these.
RECORDED_CATEGORIES = frozenset({"wealth", "fund", "insurance", "trust"})
# 信托公司集合资金信托计划管理办法: a qualified investor's minimum subscription.
TRUST_MINIMUM = Decimal("1000000.00")
COOLING_OFF = dt.timedelta(hours=24)
ELDERLY_AGE = 65
HIGH_RISK = frozenset({"R4", "R5"})


@dataclass(frozen=True)
class Kyc:
    """One KYC assessment (the newest with assessed_date ≤ the day is the one in force)."""

    assessed_date: dt.date
    risk_level: str  # C1..C5
    expires_date: dt.date


@dataclass(frozen=True)
class Outcome:
    refusal: str = ""  # a Refusal code, or "" when the sale may be stored
    status: str = ""  # booked | pending_review | cooling_off when not refused
    exception: bool = False  # a fund sold above the level on a confirmed written warning
    findings: tuple[str, ...] = field(default=())  # for imported sales: Finding codes

    @property
    def allowed(self) -> bool:
        return not self.refusal


def kyc_in_force(assessments, day: dt.date) -> Kyc | None:
    """The newest assessment with assessed_date ≤ day (valid or not); None when there is none."""
    best = None
    for a in assessments:
        if a.assessed_date <= day and (best is None or a.assessed_date > best.assessed_date):
            best = a
    return best


def _level(code: str) -> int:
    return int(code[1:])


def risk_match(
    *, day: dt.date, kyc: Kyc | None, rating: str, category: str, warning_confirmed: bool
) -> tuple[str, bool]:
    """(refusal code or "", fund-override exception) for the KYC and risk-matching rules alone."""
    rating = rating or ""
    if kyc is None or kyc.expires_date <= day:  # valid only while expires_date > day
        if rating in ("", "R1"):
            return "", False
        return ("kyc_missing" if kyc is None else "kyc_expired"), False
    if not rating or _level(rating) <= _level(kyc.risk_level):
        return "", False
    # The one exception: a fund, a customer above C1, a written special risk warning confirmed.
    if category == "fund" and kyc.risk_level != "C1" and warning_confirmed:
        return "", True
    return "suitability_mismatch", False


def is_elderly_high_risk(*, day: dt.date, birth_date: dt.date | None, rating: str) -> bool:
    age = age_on(birth_date, day)
    return age is not None and age >= ELDERLY_AGE and (rating or "") in HIGH_RISK


def check_sale(
    *,
    sale_date: dt.date,
    kyc: Kyc | None,
    rating: str,
    category: str,
    birth_date: dt.date | None,
    channel: str,
    amount: Decimal,
    warning_confirmed: bool = False,
    recording_ref: str = "",
) -> Outcome:
    """A recorded sale: refused (with the first failing rule, in the spec's order) or its first status."""
    refusal, exception = risk_match(
        day=sale_date, kyc=kyc, rating=rating, category=category, warning_confirmed=warning_confirmed
    )
    if refusal:
        return Outcome(refusal=refusal)
    if channel == "counter" and category in RECORDED_CATEGORIES and not (recording_ref or "").strip():
        return Outcome(refusal="recording_missing")
    if category == "trust" and amount < TRUST_MINIMUM:
        return Outcome(refusal="below_minimum")
    if is_elderly_high_risk(day=sale_date, birth_date=birth_date, rating=rating):
        status = "pending_review"
    elif category == "trust":
        status = "cooling_off"
    else:
        status = "booked"
    return Outcome(status=status, exception=exception)


def check_imported(
    *, sale_date: dt.date, kyc: Kyc | None, rating: str, category: str, birth_date: dt.date | None
) -> tuple[str, ...]:
    """Findings on a sale the core already booked: one of the first three, and/or elderly_high_risk.

    No warning can have been confirmed in bankcrm, so a fund above the level is a mismatch; the
    recording and cooling-off rules do not apply (the core holds no recording references).
    """
    found = []
    refusal, _ = risk_match(day=sale_date, kyc=kyc, rating=rating, category=category, warning_confirmed=False)
    if refusal:
        found.append(refusal)
    if is_elderly_high_risk(day=sale_date, birth_date=birth_date, rating=rating):
        found.append("elderly_high_risk")
    return tuple(found)


def may_buy(*, day: dt.date, kyc: Kyc | None, rating: str, category: str) -> str:
    """For campaign eligibility: "" when allowed, else the refusal. No warning path (never target above level)."""
    refusal, _ = risk_match(day=day, kyc=kyc, rating=rating, category=category, warning_confirmed=False)
    return refusal
