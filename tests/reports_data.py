"""Test data for the indicator reports: a hand-built bank (DB rows via the ORM, balances as Parquet)
and the scenario every expected figure of tests/reports is worked out from by hand."""

import datetime as dt
from collections import defaultdict
from decimal import Decimal

import pyarrow as pa
import pyarrow.parquet as pq

from bankcrm.core import warehouse

D = dt.date
LONG_AGO = D(2020, 1, 1)


class ReportBank:
    def __init__(self, small_bank):
        from bankcrm.customers.models import Product

        self.small = small_bank
        self.balances = defaultdict(dict)  # day -> {account_no: cents}
        self.loans = defaultdict(list)  # day -> [(account_no, principal cents, overdue_days, five_class)]
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

    def loan(self, day, account, principal, overdue_days, five_class):
        self.loans[day].append((account, principal, overdue_days, five_class))

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

        for day, rows in self.loans.items():
            if days is not None and day not in days:
                continue
            acc, principal, od, cls = (list(x) for x in zip(*rows, strict=True))
            tbl = pa.table(
                {
                    "account_no": acc,
                    "principal_cents": principal,
                    "overdue_principal_cents": [0] * len(acc),
                    "overdue_interest_cents": [0] * len(acc),
                    "overdue_days": od,
                    "five_class": cls,
                },
                schema=warehouse.LOANS_SCHEMA,
            )
            warehouse.replace_partition(
                "loans", day, lambda folder, t=tbl: pq.write_table(t, folder / "part-0.parquet")
            )

    def refresh(self):
        from bankcrm.reports.rollup import refresh_inputs

        self.flush()
        return refresh_inputs()


def build(rbank):
    """C001 (B001, S001): deposit A1, loans A2 + A6; C004 (B001, no rm): time deposit A3;
    C002 (B002, S002): wealth A4; C003 (B001A, S003): nothing; C005 (B002, S002) onboarded 11-11.
    Loans files on 10-31, 11-10 and 11-12 only (none on 11-11 or 2025-12-31)."""
    rb = rbank
    rb.customer("C004", branch="B001", rm=None)
    rb.customer("C005", branch="B002", rm="S002", onboard=D(2026, 11, 11))
    rb.account("A1", "C001", "DD01")
    rb.account("A2", "C001", "LN01")
    rb.account("A6", "C001", "LN01")
    rb.account("A3", "C004", "TD01")
    rb.account("A4", "C002", "WM01")
    rb.balance("A1", D(2025, 12, 31), D(2025, 12, 31), 500_000)
    rb.balance("A1", D(2026, 11, 1), D(2026, 11, 10), 1_200_000)
    rb.balance("A1", D(2026, 11, 11), D(2026, 11, 11), 1_300_001)
    rb.balance("A1", D(2026, 11, 12), D(2026, 11, 12), 1_300_002)
    rb.balance("A2", D(2026, 11, 1), D(2026, 11, 12), 5_000_000)
    rb.balance("A6", D(2026, 11, 12), D(2026, 11, 12), 100)
    rb.balance("A3", D(2026, 11, 11), D(2026, 11, 11), 333_333)
    rb.balance("A3", D(2026, 11, 12), D(2026, 11, 12), 333_334)
    rb.balance("A4", D(2026, 10, 1), D(2026, 10, 31), 9_000_000)
    rb.balance("A4", D(2026, 11, 1), D(2026, 11, 12), 10_000_000)
    # A2 current on 10-31, 15 days overdue on 11-10 (classed normal: too lenient, still overdue),
    # 45 days on 11-12 (special mention); A6 current but classed substandard (an NPL that is not overdue)
    rb.loan(D(2026, 10, 31), "A2", 5_000_000, 0, "normal")
    rb.loan(D(2026, 11, 10), "A2", 5_000_000, 15, "normal")
    rb.loan(D(2026, 11, 12), "A2", 5_000_000, 45, "special_mention")
    rb.loan(D(2026, 11, 12), "A6", 100, 0, "substandard")
    # sold by S002 at B002 to S001's customer: counts for S001 / B001 (the customer's unit)
    rb.sale("S1", "C001", "WM01", D(2026, 11, 11), "100000.00", "500.00", staff="S002", branch="B002")
    rb.sale("S2", "C002", "FD01", D(2026, 11, 5), "2000.50", "10.25", staff="S002", branch="B002")
    rb.sale("S3", "C004", "DD01", D(2026, 11, 12), "50.00", "0.00")
    return rb
