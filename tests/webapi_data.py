"""Test data for the customer pages and API: accounts, warehouse balances, snapshots, KYC, lists."""

import datetime as dt
from decimal import Decimal

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from bankcrm.core.warehouse import BALANCES_SCHEMA, replace_partition

LAST_DAY = dt.date(2026, 10, 31)


def write_balances(day: dt.date, rows: dict[str, int]) -> None:
    def writer(folder):
        table = pa.table({"account_no": list(rows), "balance_cents": [rows[k] for k in rows]}, schema=BALANCES_SCHEMA)
        pq.write_table(table, folder / "part-0.parquet")

    replace_partition("balances", day, writer)


def build_360_data(small_bank, warehouse_dir) -> dict:
    """C001: a demand deposit, a wealth product and a loan with balances on three dates; two months."""
    from bankcrm.campaigns.models import ListItem
    from bankcrm.customers.models import Account, CustomerMonth, KycAssessment, Product

    Product.objects.create(code="WM01", name="稳健理财", category="wealth", risk_level="R2")
    Product.objects.create(code="LN01", name="住房贷款", category="loan")
    c1, c2 = small_bank["customers"]["C001"], small_bank["customers"]["C002"]
    Account.objects.create(
        account_no="A001", customer=c1, product_id="DD01", open_date=dt.date(2020, 1, 1), status="active"
    )
    Account.objects.create(
        account_no="A002", customer=c1, product_id="WM01", open_date=dt.date(2024, 1, 1), status="active"
    )
    Account.objects.create(
        account_no="A003", customer=c1, product_id="LN01", open_date=dt.date(2022, 1, 1), status="active"
    )
    Account.objects.create(
        account_no="B001", customer=c2, product_id="DD01", open_date=dt.date(2020, 1, 1), status="active"
    )
    write_balances(
        LAST_DAY - dt.timedelta(days=2), {"A001": 1_000_000, "A002": 5_000_000, "A003": 20_000_000, "B001": 1}
    )
    write_balances(LAST_DAY - dt.timedelta(days=1), {"A001": 1_100_000, "A002": 5_000_000, "B001": 2})
    write_balances(LAST_DAY, {"A001": 1_234_567, "A002": 5_000_000, "A003": 19_900_000, "B001": 3})
    common = dict(
        as_of=LAST_DAY,
        branch_code="B001",
        rm_staff_no="S001",
        days=31,
        deposit_avg=Decimal("12000.00"),
        loan_end=Decimal("199000.00"),
        categories_held=3,
        cross_sell_qualified=False,
        dormant=False,
        dormant_potential=False,
        downgraded=False,
        maturing=False,
        kyc_expiring=True,
    )
    CustomerMonth.objects.create(
        customer=c1,
        month="2026-09",
        aum_avg=Decimal("48000.00"),
        aum_end=Decimal("60000.00"),
        tier="mass",
        prev_tier="",
        migration="new",
        edge=True,
        **{**common, "as_of": dt.date(2026, 9, 30), "days": 30},
    )
    CustomerMonth.objects.create(
        customer=c1,
        month="2026-10",
        aum_avg=Decimal("61000.00"),
        aum_end=Decimal("62345.67"),
        tier="vip",
        prev_tier="mass",
        migration="up",
        edge=False,
        **common,
    )
    CustomerMonth.objects.create(
        customer=c2,
        month="2026-10",
        aum_avg=Decimal("0.03"),
        aum_end=Decimal("0.03"),
        tier="mass",
        prev_tier="",
        migration="new",
        edge=False,
        **{**common, "branch_code": "B002", "rm_staff_no": "S002"},
    )
    KycAssessment.objects.create(
        customer=c1, assessed_date=dt.date(2025, 12, 1), risk_level="C3", expires_date=dt.date(2099, 12, 1)
    )
    ListItem.objects.create(
        kind="kyc_expiring",
        as_of=LAST_DAY,
        rank=1,
        customer=c1,
        branch_code="B001",
        assignee="S001",
        aum_avg=Decimal("61000.00"),
        tier="vip",
        detail="KYC expires soon",
    )
    return {"c1": c1, "c2": c2}


@pytest.fixture
def bank360(small_bank, settings, tmp_path):
    settings.WAREHOUSE_DIR = tmp_path / "warehouse"
    return {**small_bank, **build_360_data(small_bank, settings.WAREHOUSE_DIR)}


@pytest.fixture
def api_client():
    from rest_framework.test import APIClient

    return APIClient()


def token_client(user):
    from rest_framework.test import APIClient

    from bankcrm.org.services import issue_token

    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {issue_token(user.username)}")
    return client


def page_client(user):
    from django.test import Client

    client = Client()
    client.force_login(user)
    return client
