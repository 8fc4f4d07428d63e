"""The batch-file tables of spec/batch-files.md as data: columns in spec order, kinds, codes, keys, references.

Validation walks a table's columns in this order, so "the first problem found" is deterministic
(docs/adr/0201-nightly-import.md).
"""

import re
from dataclasses import dataclass, field

from bankcrm.customers.choices import (
    AccountStatus,
    CustomerStatus,
    Gender,
    IdType,
    KycChannel,
    KycRiskLevel,
    ProductCategory,
    RiskLevel,
)
from bankcrm.loans.choices import FiveClass
from bankcrm.org.choices import StaffRole, StaffStatus

# Import order (spec "Files and names"): a table's references are always earlier in this list.
TABLE_ORDER = (
    "branches",
    "staff",
    "products",
    "customers",
    "accounts",
    "kyc",
    "balances",
    "loans",
    "transactions",
    "sales",
)
FACT_TABLES = (
    "balances",
    "loans",
    "transactions",
)  # go to the Parquet warehouse; everything else is upserted into the DB

FILE_NAME_RE = re.compile(r"(?P<table>[a-z]+)_(?P<date>[0-9]{8})\.(?P<ext>csv|parquet)\Z")


@dataclass(frozen=True)
class Column:
    name: str
    kind: str = "text"  # text | date | timestamp | money | amount | int | rate | code | flag | id_card
    required: bool = True
    codes: tuple[str, ...] = ()
    ref: str | None = None  # table whose key this column references
    personal: str | None = None  # id_number | phone | birth_date | address: masked in quarantine (ingest/privacy.py)
    # An optional column the contract gained after files without it existed (staff.id_number,
    # transactions.counterparty_account): a file without it is the older format, so its absence is
    # not warned about, and a dimension row from such a file keeps the value stored before.
    added_later: bool = False


@dataclass(frozen=True)
class TableSpec:
    name: str
    columns: tuple[Column, ...]
    key: tuple[str, ...]
    refs_self: bool = False  # branches.parent_code
    column_names: tuple[str, ...] = field(init=False)

    def __post_init__(self):
        object.__setattr__(self, "column_names", tuple(c.name for c in self.columns))

    @property
    def required_columns(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns if c.required)

    @property
    def is_fact(self) -> bool:
        return self.name in FACT_TABLES


def _codes(choices) -> tuple[str, ...]:
    return tuple(choices.values)


TXN_CHANNELS = ("counter", "atm", "mobile", "online", "pos", "batch", "system")

TABLES: dict[str, TableSpec] = {
    t.name: t
    for t in (
        TableSpec(
            "branches",
            (
                Column("branch_code"),
                Column("name"),
                Column("parent_code", required=False, ref="branches"),
                Column("city", required=False),
            ),
            key=("branch_code",),
            refs_self=True,
        ),
        TableSpec(
            "staff",
            (
                Column("staff_no"),
                Column("name"),
                Column("branch_code", ref="branches"),
                Column("role", "code", codes=_codes(StaffRole)),
                Column("status", "code", codes=_codes(StaffStatus)),
                # spec/compliance.md: links the staff member to their own customer records (GB 11643)
                Column("id_number", "id_card", required=False, personal="id_number", added_later=True),
            ),
            key=("staff_no",),
        ),
        TableSpec(
            "products",
            (
                Column("product_code"),
                Column("name"),
                Column("category", "code", codes=_codes(ProductCategory)),
                Column("risk_level", "code", required=False, codes=_codes(RiskLevel)),
                Column("term_days", "int", required=False),
                Column("fee_rate", "rate", required=False),
            ),
            key=("product_code",),
        ),
        TableSpec(
            "customers",
            (
                Column("customer_no"),
                Column("name"),
                Column("id_type", "code", codes=_codes(IdType)),
                Column("id_number", personal="id_number"),
                Column("gender", "code", required=False, codes=_codes(Gender)),
                Column("birth_date", "date", required=False, personal="birth_date"),
                Column("phone", required=False, personal="phone"),
                Column("address", required=False, personal="address"),
                Column("occupation", required=False),
                Column("branch_code", ref="branches"),
                Column("rm_staff_no", required=False, ref="staff"),
                Column("onboard_date", "date"),
                Column("status", "code", codes=_codes(CustomerStatus)),
                Column("marketing_consent", "flag", required=False),
            ),
            key=("customer_no",),
        ),
        TableSpec(
            "accounts",
            (
                Column("account_no"),
                Column("customer_no", ref="customers"),
                Column("product_code", ref="products"),
                Column("open_date", "date"),
                Column("maturity_date", "date", required=False),
                Column("close_date", "date", required=False),
                Column("status", "code", codes=_codes(AccountStatus)),
                Column("branch_code", required=False, ref="branches"),
            ),
            key=("account_no",),
        ),
        TableSpec(
            "kyc",
            (
                Column("customer_no", ref="customers"),
                Column("assessed_date", "date"),
                Column("risk_level", "code", codes=_codes(KycRiskLevel)),
                Column("expires_date", "date"),
                Column("channel", "code", required=False, codes=_codes(KycChannel)),
            ),
            key=("customer_no", "assessed_date"),
        ),
        TableSpec(
            "balances",
            (
                Column("as_of_date", "date"),
                Column("account_no", ref="accounts"),
                Column("balance", "money"),
            ),
            key=("as_of_date", "account_no"),
        ),
        TableSpec(
            # spec/loans.md: account_no must be an account of category loan (facts.LoanAccountKeys)
            "loans",
            (
                Column("as_of_date", "date"),
                Column("account_no", ref="accounts"),
                Column("principal", "amount"),  # money >= 0: "amount" is the non-negative money kind
                Column("overdue_principal", "amount"),
                Column("overdue_interest", "amount"),
                Column("overdue_days", "int"),
                Column("five_class", "code", codes=_codes(FiveClass)),
            ),
            key=("as_of_date", "account_no"),
        ),
        TableSpec(
            "transactions",
            (
                Column("txn_id"),
                Column("account_no", ref="accounts"),
                Column("txn_time", "timestamp"),
                Column("amount", "amount"),
                Column("direction", "code", codes=("D", "C")),
                Column("channel", "code", codes=TXN_CHANNELS),
                Column("customer_initiated", "flag"),
                # the other account of a transfer held in this bank (spec/compliance.md screening)
                Column("counterparty_account", required=False, ref="accounts", added_later=True),
            ),
            key=("txn_id",),
        ),
        TableSpec(
            "sales",
            (
                Column("sale_id"),
                Column("sale_date", "date"),
                Column("customer_no", ref="customers"),
                Column("product_code", ref="products"),
                Column("amount", "money"),
                Column("fee_income", "money"),
                Column("staff_no", required=False, ref="staff"),
                Column("branch_code", ref="branches"),
                Column("channel"),
            ),
            key=("sale_id",),
        ),
    )
}
