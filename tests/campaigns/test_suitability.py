"""The suitability rules of spec/campaigns.md, case by case, expectations written from the spec text."""

import datetime as dt
from decimal import Decimal

import pytest

from bankcrm.campaigns.suitability import Kyc, check_imported, check_sale, kyc_in_force

DAY = dt.date(2026, 11, 10)
VALID = dict(assessed_date=dt.date(2026, 1, 1), expires_date=dt.date(2027, 1, 1))


def sale(level="C3", rating="R2", category="wealth", *, kyc=..., birth=None, channel="pad", amount="1000.00", **kw):
    if kyc is ...:
        kyc = Kyc(risk_level=level, **VALID) if level else None
    return check_sale(
        sale_date=DAY,
        kyc=kyc,
        rating=rating,
        category=category,
        birth_date=birth,
        channel=channel,
        amount=Decimal(amount),
        **kw,
    )


# Cn may buy R1..Rn (spec): the full 5 × 5 table, hand-written row by row (Y = allowed).
TABLE = {
    "C1": "YNNNN",
    "C2": "YYNNN",
    "C3": "YYYNN",
    "C4": "YYYYN",
    "C5": "YYYYY",
}


@pytest.mark.parametrize("level", list(TABLE))
@pytest.mark.parametrize("r", [1, 2, 3, 4, 5])
def test_risk_matching_table(level, r):
    outcome = sale(level, f"R{r}", "wealth")
    expected = TABLE[level][r - 1] == "Y"
    assert outcome.allowed is expected
    assert outcome.refusal == ("" if expected else "suitability_mismatch")
    if expected:
        assert outcome.status == "booked"


def test_no_kyc_only_r1_or_unrated():
    assert sale(None, "R1").status == "booked"
    assert sale(None, "", "precious_metal").status == "booked"
    assert sale(None, "R2").refusal == "kyc_missing"


def test_kyc_expiring_on_the_sale_day_is_expired():
    # valid only when expires_date > sale_date: expiring ON the day means expired
    on_day = Kyc(assessed_date=dt.date(2025, 11, 10), risk_level="C5", expires_date=DAY)
    day_after = Kyc(assessed_date=dt.date(2025, 11, 10), risk_level="C5", expires_date=DAY + dt.timedelta(days=1))
    assert sale(kyc=on_day, rating="R2").refusal == "kyc_expired"
    assert sale(kyc=on_day, rating="R1").status == "booked"
    assert sale(kyc=day_after, rating="R5", category="wealth").status == "booked"


def test_kyc_in_force_is_newest_assessed_on_or_before_the_day():
    old = Kyc(dt.date(2025, 1, 1), "C5", dt.date(2027, 1, 1))
    newer = Kyc(dt.date(2026, 6, 1), "C2", dt.date(2027, 6, 1))
    future = Kyc(DAY + dt.timedelta(days=1), "C5", dt.date(2028, 1, 1))
    assert kyc_in_force([old, newer, future], DAY) == newer
    assert kyc_in_force([future], DAY) is None
    # assessed on the sale day counts
    same_day = Kyc(DAY, "C4", dt.date(2027, 11, 10))
    assert kyc_in_force([old, same_day], DAY) == same_day


def test_fund_override_c2_allowed_c1_refused():
    ok = sale("C2", "R4", "fund", warning_confirmed=True)
    assert ok.status == "booked" and ok.exception is True
    assert sale("C2", "R4", "fund", warning_confirmed=False).refusal == "suitability_mismatch"
    assert sale("C1", "R2", "fund", warning_confirmed=True).refusal == "suitability_mismatch"
    # wealth / trust / insurance: no override
    assert sale("C2", "R3", "wealth", warning_confirmed=True).refusal == "suitability_mismatch"
    assert sale("C2", "R3", "insurance", warning_confirmed=True).refusal == "suitability_mismatch"
    assert sale("C2", "R4", "trust", amount="2000000", warning_confirmed=True).refusal == "suitability_mismatch"
    # no valid KYC: the override does not apply
    assert sale(None, "R2", "fund", warning_confirmed=True).refusal == "kyc_missing"


def test_age_65_on_the_birthday_buying_r4_is_pending_review():
    birthday_65 = dt.date(1961, 11, 10)  # 65 on DAY exactly
    day_before_65 = dt.date(1961, 11, 11)  # still 64 on DAY
    assert sale("C5", "R4", birth=birthday_65).status == "pending_review"
    assert sale("C5", "R5", birth=birthday_65).status == "pending_review"
    assert sale("C5", "R3", birth=birthday_65).status == "booked"
    assert sale("C5", "R4", birth=day_before_65).status == "booked"
    assert sale("C5", "R4", birth=None).status == "booked"


def test_counter_needs_recording_for_wealth_fund_insurance_trust():
    for category in ("wealth", "fund", "insurance"):
        assert sale("C3", "R2", category, channel="counter").refusal == "recording_missing"
        assert sale("C3", "R2", category, channel="counter", recording_ref="SL-1").status == "booked"
        assert sale("C3", "R2", category, channel="pad").status == "booked"  # the rule is the counter's
    assert sale("C3", "R4", "trust", channel="counter", amount="1000000").refusal != "recording_missing"  # mismatch
    assert sale("C5", "R4", "trust", channel="counter", amount="1000000").refusal == "recording_missing"
    assert sale("C3", "R1", "precious_metal", channel="counter").status == "booked"


def test_trust_minimum_and_cooling_off():
    assert sale("C5", "R4", "trust", amount="999999.99").refusal == "below_minimum"
    assert sale("C5", "R4", "trust", amount="1000000.00").status == "cooling_off"


def test_imported_sale_can_carry_two_findings():
    expired = Kyc(dt.date(2024, 1, 1), "C3", dt.date(2025, 1, 1))
    elderly = dt.date(1950, 1, 1)
    assert check_imported(sale_date=DAY, kyc=expired, rating="R4", category="fund", birth_date=elderly) == (
        "kyc_expired",
        "elderly_high_risk",
    )
    assert check_imported(sale_date=DAY, kyc=None, rating="R3", category="wealth", birth_date=None) == ("kyc_missing",)
    c5 = Kyc(dt.date(2026, 1, 1), "C5", dt.date(2027, 1, 1))
    assert check_imported(sale_date=DAY, kyc=c5, rating="R5", category="wealth", birth_date=elderly) == (
        "elderly_high_risk",
    )
    c2 = Kyc(dt.date(2026, 1, 1), "C2", dt.date(2027, 1, 1))
    # a fund above the level: no warning can have been confirmed in bankcrm
    assert check_imported(sale_date=DAY, kyc=c2, rating="R3", category="fund", birth_date=None) == (
        "suitability_mismatch",
    )
    assert check_imported(sale_date=DAY, kyc=c5, rating="R4", category="trust", birth_date=None) == ()
