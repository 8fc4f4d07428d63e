"""A hand-built tiny bank for the metric rules: DB rows via the ORM, facts written as Parquet."""

import datetime as dt
from collections import defaultdict

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from bankcrm.core import warehouse

D = dt.date
LONG_AGO = dt.date(2020, 1, 1)


class TinyBank:
    def __init__(self, small_bank):
        from bankcrm.customers.models import Product

        self.small = small_bank
        self.balances = defaultdict(dict)  # day -> {account_no: cents}
        self.txns = defaultdict(list)  # business_date -> rows
        for code, cat, risk in [
            ("TD01", "deposit_time", ""),
            ("WM01", "wealth", "R3"),
            ("WM02", "wealth", "R2"),
            ("FD01", "fund", "R4"),
            ("IN01", "insurance", "R2"),
            ("PM01", "precious_metal", "R2"),
            ("TR01", "trust", "R3"),
            ("LN01", "loan", ""),
            ("CC01", "credit_card", ""),
            ("MB01", "mobile_banking", ""),
            ("PY01", "payroll", ""),
        ]:
            Product.objects.create(code=code, name=code, category=cat, risk_level=risk)

    def customer(self, no, *, branch="B001", rm="S001", onboard=LONG_AGO, status="active"):
        from bankcrm.customers.models import Customer

        return Customer.objects.create(
            customer_no=no,
            name=no,
            id_type="PASSPORT",
            id_number=f"E{no}",
            branch_id=branch,
            rm_id=rm,
            onboard_date=onboard,
            status=status,
        )

    def account(self, no, customer, product="DD01", *, opened=LONG_AGO, closed=None, status=None, maturity=None):
        from bankcrm.customers.models import Account

        return Account.objects.create(
            account_no=no,
            customer_id=customer,
            product_id=product,
            open_date=opened,
            close_date=closed,
            maturity_date=maturity,
            status=status or ("closed" if closed else "active"),
        )

    def kyc(self, customer, assessed, expires, level="C3"):
        from bankcrm.customers.models import KycAssessment

        KycAssessment.objects.create(
            customer_id=customer, assessed_date=assessed, expires_date=expires, risk_level=level
        )

    def balance(self, account, first, last, cents):
        day = first
        while day <= last:
            self.balances[day][account] = cents
            day += dt.timedelta(days=1)

    def month_balance(self, account, year, month, cents, *, upto=None):
        first = D(year, month, 1)
        last = upto or (D(year + month // 12, month % 12 + 1, 1) - dt.timedelta(days=1))
        self.balance(account, first, last, cents)

    def txn(self, account, when: dt.datetime, *, customer_initiated=True, business_date=None):
        bd = business_date or when.date()
        n = sum(len(v) for v in self.txns.values())
        self.txns[bd].append(
            {
                "txn_id": f"T{n}",
                "account_no": account,
                "txn_time": when,
                "amount_cents": 100,
                "direction": "D",
                "channel": "mobile",
                "customer_initiated": customer_initiated,
            }
        )

    def flush(self):
        for day, accts in self.balances.items():
            tbl = pa.table(
                {"account_no": list(accts), "balance_cents": list(accts.values())}, schema=warehouse.BALANCES_SCHEMA
            )
            warehouse.replace_partition(
                "balances", day, lambda folder, t=tbl: pq.write_table(t, folder / "part-0.parquet")
            )
        for day, rows in self.txns.items():
            tbl = pa.Table.from_pylist(rows, schema=warehouse.TRANSACTIONS_SCHEMA)
            warehouse.replace_partition(
                "transactions", day, lambda folder, t=tbl: pq.write_table(t, folder / "part-0.parquet")
            )
        self.balances.clear()
        self.txns.clear()

    def run(self, as_of, engine="duckdb"):
        from bankcrm.analytics.snapshots import run_metrics
        from bankcrm.customers.models import CustomerMonth

        self.flush()
        run_metrics(as_of, engine)
        month = f"{as_of:%Y-%m}"
        return {r.customer_id: r for r in CustomerMonth.objects.filter(month=month)}


@pytest.fixture
def bank(small_bank, settings, tmp_path):
    settings.WAREHOUSE_DIR = tmp_path / "warehouse"
    return TinyBank(small_bank)
