"""A small bank with a snapshot to build campaigns on (spec/campaigns.md), all values written by hand."""

import datetime as dt
from decimal import Decimal

import pytest

AS_OF = dt.date(2026, 10, 31)
START = dt.date(2026, 11, 2)
END = dt.date(2026, 11, 30)


def snapshot(customer, *, tier="vip", aum="100000.00", branch=None, rm=None, **flags):
    from bankcrm.customers.models import CustomerMonth

    values = dict(
        cross_sell_qualified=False,
        dormant=False,
        dormant_potential=False,
        edge=False,
        downgraded=False,
        maturing=False,
        kyc_expiring=False,
    )
    values.update(flags)
    return CustomerMonth.objects.create(
        customer=customer,
        month=AS_OF.strftime("%Y-%m"),
        as_of=AS_OF,
        branch_code=branch or customer.branch_id,
        rm_staff_no=rm if rm is not None else (customer.rm_id or ""),
        days=31,
        aum_avg=Decimal(aum),
        aum_end=Decimal(aum),
        deposit_avg=Decimal(aum),
        loan_end=Decimal("0.00"),
        tier=tier,
        prev_tier="",
        migration="new",
        categories_held=1,
        **values,
    )


def add_customer(bank, customer_no, *, branch="B001", rm="S001", consent=True, birth=None, status="active"):
    from bankcrm.customers.models import Customer

    c = Customer.objects.create(
        customer_no=customer_no,
        name=f"客户{customer_no}",
        id_type="PASSPORT",
        id_number=f"E{customer_no}",
        branch=bank["branches"][branch],
        rm=bank["staff"][rm] if rm else None,
        onboard_date=dt.date(2020, 1, 1),
        marketing_consent=consent,
        birth_date=birth,
        status=status,
    )
    bank["customers"][customer_no] = c
    return c


def kyc(customer, level, *, assessed=dt.date(2026, 1, 1), expires=dt.date(2027, 1, 1)):
    from bankcrm.customers.models import KycAssessment

    return KycAssessment.objects.create(
        customer=customer, assessed_date=assessed, risk_level=level, expires_date=expires
    )


@pytest.fixture
def bank(small_bank):
    """Products of every category; C001..C003 of small_bank get consent, a KYC and a snapshot row."""
    from bankcrm.customers.models import Product

    for code, category, rating, fee in (
        ("WM2", "wealth", "R2", "0.005"),
        ("WM4", "wealth", "R4", "0.010"),
        ("FD3", "fund", "R3", "0.015"),
        ("FD5", "fund", "R5", "0.015"),
        ("IN2", "insurance", "R2", "0.030"),
        ("TR4", "trust", "R4", "0.020"),
        ("PM1", "precious_metal", "R1", None),
        ("GLD", "precious_metal", "", None),
    ):
        Product.objects.create(
            code=code, name=code, category=category, risk_level=rating, fee_rate=Decimal(fee) if fee else None
        )
    for c in small_bank["customers"].values():
        c.marketing_consent = True
        c.save()
        kyc(c, "C3")
        snapshot(c)
    return small_bank


@pytest.fixture
def marketer(bank, make_login):
    return make_login("mkt1", "marketing")


@pytest.fixture
def marketer2(bank, make_login):
    return make_login("mkt2", "marketing")


@pytest.fixture
def campaign_data():
    def make(**overrides):
        data = {
            "code": "CMP1",
            "name": "周三保险日",
            "products": ["WM2"],
            "start_date": START.isoformat(),
            "end_date": END.isoformat(),
            "response_days": 30,
            "channel": "phone",
            "control_pct": 10,
            "audience": {"as_of": AS_OF.isoformat()},
        }
        data.update(overrides)
        return data

    return make
