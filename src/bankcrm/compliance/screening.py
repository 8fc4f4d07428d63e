"""Staff screening on the data (spec/compliance.md "Staff behaviour screening"): the transfer rule
computed by the analytics engine, and the loans the exit audit lists.

``staff_customer_transfer``: transfers in the quarter between an account of a staff member's own
customer record (customers with id_type ``ID_CARD`` and the staff file's ``id_number``) and an
account of a customer whose rm is that staff member, either direction; a hit is one transfer of
≥ 50,000.00 or ≥ 200,000.00 together (``services.TRANSFER_SINGLE`` / ``TRANSFER_QUARTER``, the same
thresholds ``services.transfer_hits`` states in Python). The scan of the quarter's transactions,
the joins and the sums are one SQL query (DuckDB; no Python loop over transactions): only the
staff-to-own-record links (a few thousand rows at most) come from the database.

Counting a transfer once: a transfer between two accounts of this bank can arrive as two legs (the
debit on one account naming the other as counterparty, and the credit on the other). Each leg is
seen as (staff, own account, other account, outgoing?, amount, time) and from which side it came;
per such key the larger of the two sides' counts is the number of transfers. So the mirrored leg of
a transfer adds nothing, a file holding only one leg counts it once, and two equal transfers in the
same second are still two. Transfers between two of the staff member's own records (an rm managing their own
customer record) are not staff-customer transfers and are left out.
"""

from __future__ import annotations

import datetime as dt

import pyarrow as pa

from bankcrm.core import warehouse
from bankcrm.core.money import cents_to_yuan

from .choices import Rule

STAFF_OWN_SCHEMA = pa.schema([("staff_no", pa.string()), ("customer_no", pa.string())])


# The accounts of the staff members' own records: a few per staff member, computed first and handed
# to the transfer query as a table, so its planner knows the build side is tiny (as a CTE its size
# was a guess and the quarter's scan took 3× as long).
OWN_ACCOUNTS_SQL = """
SELECT so.staff_no, a.account_no FROM staff_own so JOIN dim_accounts a ON a.customer_no = so.customer_no
"""


def transfer_sql(start: dt.date, end: dt.date, single_cents: int, quarter_cents: int) -> str:
    return f"""
WITH own AS (
    SELECT staff_no, account_no FROM own_accounts
), legs AS (
    SELECT t.account_no, t.counterparty_account, t.amount_cents, t.direction, t.txn_time
    FROM txn t
    WHERE t.counterparty_account IS NOT NULL
      AND t.business_date BETWEEN DATE '{start.isoformat()}' AND DATE '{end.isoformat()}'
      AND (t.account_no IN (SELECT account_no FROM own) OR t.counterparty_account IN (SELECT account_no FROM own))
), linked AS (
    SELECT o.staff_no, l.account_no AS own_account, l.counterparty_account AS other_account,
           l.direction = 'D' AS outgoing, l.amount_cents, l.txn_time, 1 AS own_side
    FROM legs l JOIN own o ON o.account_no = l.account_no
    UNION ALL
    SELECT o.staff_no, l.counterparty_account AS own_account, l.account_no AS other_account,
           l.direction = 'C' AS outgoing, l.amount_cents, l.txn_time, 0 AS own_side
    FROM legs l JOIN own o ON o.account_no = l.counterparty_account
), transfers AS (
    -- legs of the same transfer share all of these; a side's count is how many such transfers it
    -- saw, so the larger of the two sides is the number of transfers (mirrored legs count once)
    SELECT staff_no, other_account, amount_cents,
           greatest(sum(own_side), sum(1 - own_side)) AS n
    FROM linked
    GROUP BY staff_no, own_account, other_account, outgoing, amount_cents, txn_time
), managed AS (
    SELECT k.staff_no, k.amount_cents, k.n
    FROM transfers k
    JOIN dim_accounts a ON a.account_no = k.other_account
    JOIN dim_customers c ON c.customer_no = a.customer_no AND c.rm_staff_no = k.staff_no
    LEFT JOIN own self ON self.staff_no = k.staff_no AND self.account_no = k.other_account
    WHERE self.account_no IS NULL
)
SELECT staff_no, sum(n) AS transfers, max(amount_cents) AS largest_cents, sum(amount_cents * n) AS total_cents
FROM managed
GROUP BY staff_no
HAVING max(amount_cents) >= {int(single_cents)} OR sum(amount_cents * n) >= {int(quarter_cents)}
ORDER BY staff_no
"""


def staff_own_customers() -> pa.Table:
    """(staff_no, customer_no) of every staff member's own customer records (ID_CARD + id_number).

    The staff number is stored upper-case (ingest); a customer's as the core sent it, so a check
    digit ``x`` is looked up in both cases (an indexed lookup, no function on the column).
    """
    from bankcrm.customers.models import Customer
    from bankcrm.org.models import Staff

    staff_of: dict[str, str] = {}
    for staff_no, id_number in Staff.objects.exclude(id_number="").values_list("staff_no", "id_number"):
        staff_of[id_number] = staff_no
        staff_of[id_number.lower()] = staff_no
    pairs = []
    numbers = list(staff_of)
    for start in range(0, len(numbers), 500):
        found = Customer.objects.filter(id_type="ID_CARD", id_number__in=numbers[start : start + 500])
        pairs.extend((staff_of[number], customer_no) for customer_no, number in found.values_list("pk", "id_number"))
    return pa.Table.from_pylist(
        [{"staff_no": s, "customer_no": c} for s, c in sorted(set(pairs))], schema=STAFF_OWN_SCHEMA
    )


def quarter_transaction_files(start: dt.date, end: dt.date) -> list[str]:
    return [
        str(p)
        for day in warehouse.partition_dates("transactions")
        if start <= day <= end
        for p in sorted(warehouse.partition_dir("transactions", day).glob("*.parquet"))
    ]


def register_transfer_inputs(engine, start: dt.date, end: dt.date, staff_own: pa.Table) -> bool:
    """Views for ``transfer_sql``; False when the quarter has no transactions (nothing to scan).

    Needs the dimension tables dumped (``analytics.dimensions.dump_dimensions``).
    """
    files = quarter_transaction_files(start, end)
    if not files:
        return False
    engine.register_parquet(
        "txn",
        files,
        base=str(warehouse.fact_dir("transactions")),
        hive={"business_date": "DATE"},
        by_name=True,  # partitions written before counterparty_account existed read it as NULL
    )
    for table in ("accounts", "customers"):
        engine.register_parquet(f"dim_{table}", [str(warehouse.dimension_path(table))])
    engine.register_table("staff_own", staff_own)
    engine.register_table("own_accounts", engine.query(OWN_ACCOUNTS_SQL))
    return True


def transfer_hits_of_quarter(start: dt.date, end: dt.date, *, engine=None, dump: bool = True) -> dict[str, str]:
    """staff_no → case detail for the transfer rule over the quarter's transactions."""
    from bankcrm.analytics.engines import get_engine

    from .services import TRANSFER_QUARTER, TRANSFER_SINGLE

    staff_own = staff_own_customers()
    if staff_own.num_rows == 0:
        return {}  # no staff member linked to a customer record: nothing can hit
    if dump:
        from bankcrm.analytics.dimensions import dump_dimensions

        dump_dimensions()  # the customers' current rm
    own = engine is None
    engine = engine or get_engine("duckdb")
    try:
        if not register_transfer_inputs(engine, start, end, staff_own):
            return {}
        sql = transfer_sql(start, end, int(TRANSFER_SINGLE * 100), int(TRANSFER_QUARTER * 100))
        rows = engine.query(sql).to_pylist()
    finally:
        if own:
            engine.close()
    return {r["staff_no"]: transfer_detail(r["transfers"], r["largest_cents"], r["total_cents"]) for r in rows}


def transfer_detail(transfers: int, largest_cents: int, total_cents: int) -> str:
    """The wording of ``services.transfer_hits``: count, largest and total in yuan."""
    return f"{transfers} transfers, largest {cents_to_yuan(largest_cents):.2f}, total {cents_to_yuan(total_cents):.2f}"


def screen_transfers(result, start: dt.date, end: dt.date) -> None:
    """Open a ``staff_customer_transfer`` case per hit (``services._open_case``: once per quarter)."""
    from .services import _open_case

    for staff_no, detail in transfer_hits_of_quarter(start, end).items():
        _open_case(result, staff_no, Rule.STAFF_CUSTOMER_TRANSFER, detail)


# ---------------------------------------------------------------- exit audit: overdue loans


class OverdueLoans:
    """The leavers' customers' overdue loans in the latest loans file (spec/loans.md), for exit audits.

    "Overdue" is overdue_days > 0 as in the collection list. The file is read once per screening run
    (every overdue loan of the day: a few per cent of the book), each leaver's loan accounts are then
    an indexed database lookup; the file's date is named so the reviewer knows how fresh it is.
    """

    def __init__(self) -> None:
        dates = warehouse.partition_dates("loans")
        self.day = dates[-1] if dates else None
        self._overdue: dict[str, tuple[int, int]] | None = None

    def _load(self) -> dict[str, tuple[int, int]]:
        import duckdb

        if self._overdue is None:
            files = sorted(str(p) for p in warehouse.partition_dir("loans", self.day).glob("*.parquet"))
            rows = []
            if files:
                con = duckdb.connect()
                try:
                    rows = con.execute(
                        """SELECT account_no, overdue_days, overdue_principal_cents + overdue_interest_cents
                        FROM read_parquet(?) WHERE overdue_days > 0""",
                        [files],
                    ).fetchall()
                finally:
                    con.close()
            self._overdue = {account: (days, due) for account, days, due in rows}
        return self._overdue

    def detail(self, customer_nos: list[str]) -> str:
        """``N as of D (account (customer) days, overdue principal + interest; …)``, at most 50 listed."""
        from bankcrm.customers.models import Account

        if self.day is None:
            return "no loans file imported"
        overdue = self._load()
        accounts = Account.objects.filter(customer_id__in=customer_nos, product__category="loan")
        found = sorted((a, c) for a, c in accounts.values_list("pk", "customer_id") if a in overdue)
        listed = "; ".join(
            f"{account} ({customer}) {overdue[account][0]} days, {cents_to_yuan(overdue[account][1]):.2f}"
            for account, customer in found[:50]
        )
        return f"{len(found)} as of {self.day.isoformat()}" + (f" ({listed})" if listed else "")


# ---------------------------------------------------------------- sampling: new loans


def new_loans_population(start: dt.date, end: dt.date) -> list[tuple[str, object]]:
    """(account_no, amount) of loan accounts opened in the quarter; amount = principal of the loan's
    first row in the loans files (its earliest as_of_date). A loan not yet in any loans file has no
    amount and is not in the population (docs/compliance.md)."""
    import duckdb

    from bankcrm.customers.models import Account

    opened = sorted(
        Account.objects.filter(product__category="loan", open_date__range=(start, end)).values_list("pk", flat=True)
    )
    files = [
        str(p)
        for day in warehouse.partition_dates("loans")
        for p in sorted(warehouse.partition_dir("loans", day).glob("*.parquet"))
    ]
    if not opened or not files:
        return []
    con = duckdb.connect()
    try:
        con.register("wanted", pa.table({"account_no": pa.array(opened, pa.string())}))
        rows = con.execute(
            """SELECT account_no, arg_min(principal_cents, as_of_date) AS first_cents
            FROM read_parquet(?, hive_partitioning = true, hive_types = {'as_of_date': 'DATE'})
            SEMI JOIN wanted USING (account_no)
            GROUP BY account_no ORDER BY account_no""",
            [files],
        ).fetchall()
    finally:
        con.close()
    return [(account_no, cents_to_yuan(cents)) for account_no, cents in rows]
