"""A hand-built bank for the indicator rules: DB rows via the ORM, balances written as Parquet."""

import datetime as dt
from collections import defaultdict
from decimal import Decimal

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from bankcrm.core import warehouse

D = dt.date
LONG_AGO = D(2020, 1, 1)


class ReportBank:
    def __init__(self, small_bank):
        from bankcrm.customers.models import Product

        self.small = small_bank
        self.balances = defaultdict(dict)  # day -> {account_no: cents}
        for code, cat in [("TD01", "deposit_time"), ("WM01", "wealth"), ("FD01", "fund"), ("LN01", "loan")]:
            Product.objects.create(code=code, name=code, category=cat)

    def customer(self, no, *, branch="B001", rm="S001", onboard=LONG_AGO):
        from bankcrm.customers.models import Customer

        return Customer.objects.create(
            customer_no=no,
            name=no,
            id_type="PASSPORT",
            id_number=f"E{no}",
            branch_id=branch,
            rm_id=rm,
            onboard_date=onboard,
        )

    def account(self, no, customer, product="DD01"):
        from bankcrm.customers.models import Account

        return Account.objects.create(
            account_no=no, customer_id=customer, product_id=product, open_date=LONG_AGO, status="active"
        )

    def balance(self, account, first, last, cents):
        day = first
        while day <= last:
            self.balances[day][account] = cents
            day += dt.timedelta(days=1)

    def sale(self, sale_id, customer, product, day, amount, fee, *, staff=None, branch="B001"):
        from bankcrm.campaigns.models import Sale

        Sale.objects.create(
            sale_id=sale_id,
            sale_date=day,
            customer_id=customer,
            product_id=product,
            amount=Decimal(amount),
            fee_income=Decimal(fee),
            staff_id=staff,
            branch_id=branch,
            channel="counter",
        )

    def flush(self, days=None):
        for day, accts in self.balances.items():
            if days is not None and day not in days:
                continue
            tbl = pa.table(
                {"account_no": list(accts), "balance_cents": list(accts.values())}, schema=warehouse.BALANCES_SCHEMA
            )
            warehouse.replace_partition(
                "balances", day, lambda folder, t=tbl: pq.write_table(t, folder / "part-0.parquet")
            )

    def refresh(self):
        from bankcrm.reports.rollup import refresh_inputs

        self.flush()
        return refresh_inputs()


@pytest.fixture
def rbank(small_bank, settings, tmp_path):
    settings.WAREHOUSE_DIR = tmp_path / "warehouse"
    settings.BANKCRM_HOME = tmp_path
    return ReportBank(small_bank)
