"""THE indicator query of spec/indicators.md, written once in DuckDB's dialect (Spark runs its
sqlglot transpilation through analytics/engines.py, like the metrics).

The query returns integer sums per (window, unit, measure); the report (services.py) turns them
into figures: a stock is a one-day window, an average a window's sum ÷ its days rounded half-up at
the unit level (never a sum of customers' rounded averages), a flow a window's sum.

Views it reads (registered here):
  r_rollup   the daily rollup for the days the balance windows cover (rollup.py)
  r_cust     dim customers: customer_no, branch_code, rm_staff_no, onboard_date (current assignment)
  r_sales    sales with product category, cents
  r_snap_<i> one customer_month snapshot per snapshot date: customer_no, tier, cross_sell_qualified
  r_loans    the loans partitions of the days the loan windows cover (as_of_date from the folder)
  r_acct     dim accounts: account_no → customer_no (a loan counts for its customer's current unit)
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
from django.conf import settings

from bankcrm.analytics.loans import NPL_CENTS_SQL, OVERDUE_CENTS_SQL
from bankcrm.core.warehouse import dimension_path, fact_dir, partition_dates, partition_dir

from .indicators import SALES_CATEGORIES
from .rollup import rollup_files, sales_path

DEPOSIT = ("deposit_demand", "deposit_time")
AUM = ("deposit_demand", "deposit_time", "wealth", "fund", "insurance", "precious_metal", "trust")

_EMPTY = {
    "r_rollup": {
        "day": "DATE",
        "branch_code": "VARCHAR",
        "rm_staff_no": "VARCHAR",
        "category": "VARCHAR",
        "balance_cents": "BIGINT",
        "pos_customers": "BIGINT",
    },
    "r_sales": {
        "customer_no": "VARCHAR",
        "sale_date": "DATE",
        "category": "VARCHAR",
        "amount_cents": "BIGINT",
        "fee_cents": "BIGINT",
    },
    "r_snap": {"customer_no": "VARCHAR", "tier": "VARCHAR", "cross_sell_qualified": "VARCHAR"},
    "r_loans": {
        "as_of_date": "DATE",
        "account_no": "VARCHAR",
        "principal_cents": "BIGINT",
        "overdue_days": "INTEGER",
        "five_class": "VARCHAR",
    },
}
LOAN_MEASURES = ("overdue_balance", "npl_balance")


@dataclass(frozen=True, order=True)
class Window:
    source: str  # "balance", "flow", "snapshot" or "loans" (one-day windows of the loans file)
    start: dt.date
    end: dt.date

    @property
    def name(self) -> str:
        return f"{self.source[0]}:{self.start.isoformat()}:{self.end.isoformat()}"

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1


def _lit(day: dt.date) -> str:
    return f"DATE '{day.isoformat()}'"


def _in(values) -> str:
    return "(" + ", ".join(f"'{v}'" for v in values) + ")"


def _windows_cte(windows: list[Window]) -> str:
    return " UNION ALL ".join(
        f"SELECT '{w.name}' AS win, {_lit(w.start)} AS d_from, {_lit(w.end)} AS d_to" for w in windows
    )


def figures_sql(
    balance: list[Window], flow: list[Window], snapshots: dict[str, Window], loans: list[Window] = ()
) -> str:
    """Sums per (win, unit, measure) for the given windows; ``snapshots`` maps a view to its day."""
    ctes, base = [], []
    if loans:
        # The stock definitions are analytics.loans' (the loan book's figures): written once.
        ctes.append(f"win_l AS ({_windows_cte(loans)})")
        ctes.append(f"""lns AS (
    SELECT w.win, c.branch_code, COALESCE(c.rm_staff_no, '') AS rm_staff_no,
        CAST(SUM({OVERDUE_CENTS_SQL}) AS BIGINT) AS overdue_balance,
        CAST(SUM({NPL_CENTS_SQL}) AS BIGINT) AS npl_balance
    FROM r_loans l JOIN win_l w ON l.as_of_date = w.d_from
    JOIN r_acct a ON a.account_no = l.account_no
    JOIN r_cust c ON c.customer_no = a.customer_no
    GROUP BY w.win, c.branch_code, COALESCE(c.rm_staff_no, '')
)""")
        for m in LOAN_MEASURES:
            base.append(f"SELECT win, branch_code, rm_staff_no, '{m}' AS measure, {m} AS value FROM lns")
    if balance:
        ctes.append(f"win_b AS ({_windows_cte(balance)})")
        ctes.append(f"""bal AS (
    SELECT w.win, r.branch_code, r.rm_staff_no,
        CAST(SUM(CASE WHEN r.category IN {_in(DEPOSIT)} THEN r.balance_cents ELSE 0 END) AS BIGINT) AS deposit,
        CAST(SUM(CASE WHEN r.category IN {_in(AUM)} THEN r.balance_cents ELSE 0 END) AS BIGINT) AS aum,
        CAST(SUM(CASE WHEN r.category = 'loan' THEN r.balance_cents ELSE 0 END) AS BIGINT) AS loan,
        CAST(SUM(CASE WHEN r.category = 'loan' THEN r.pos_customers ELSE 0 END) AS BIGINT) AS loan_customers
    FROM r_rollup r JOIN win_b w ON r.day >= w.d_from AND r.day <= w.d_to
    GROUP BY w.win, r.branch_code, r.rm_staff_no
)""")
        for m in ("deposit", "aum", "loan", "loan_customers"):
            base.append(f"SELECT win, branch_code, rm_staff_no, '{m}' AS measure, {m} AS value FROM bal")
    if flow:
        ctes.append(f"win_f AS ({_windows_cte(flow)})")
        ctes.append("""cust AS (
    SELECT customer_no, branch_code, COALESCE(rm_staff_no, '') AS rm_staff_no, onboard_date FROM r_cust
)""")
        ctes.append("""newc AS (
    SELECT w.win, c.branch_code, c.rm_staff_no, CAST(COUNT(*) AS BIGINT) AS n
    FROM cust c JOIN win_f w ON c.onboard_date >= w.d_from AND c.onboard_date <= w.d_to
    GROUP BY w.win, c.branch_code, c.rm_staff_no
)""")
        # Sales count for the unit of the sale's customer, not of the selling staff member.
        ctes.append("""sal AS (
    SELECT w.win, c.branch_code, c.rm_staff_no, s.category,
        CAST(SUM(s.amount_cents) AS BIGINT) AS amount, CAST(SUM(s.fee_cents) AS BIGINT) AS fee
    FROM r_sales s JOIN cust c ON c.customer_no = s.customer_no
    JOIN win_f w ON s.sale_date >= w.d_from AND s.sale_date <= w.d_to
    GROUP BY w.win, c.branch_code, c.rm_staff_no, s.category
)""")
        base.append("SELECT win, branch_code, rm_staff_no, 'new_customers' AS measure, n AS value FROM newc")
        base.append("SELECT win, branch_code, rm_staff_no, 'sales_amount' AS measure, amount AS value FROM sal")
        base.append("SELECT win, branch_code, rm_staff_no, 'fee_income' AS measure, fee AS value FROM sal")
        cats = _in(SALES_CATEGORIES)
        base.append(
            "SELECT win, branch_code, rm_staff_no, CONCAT('sales_amount.', category) AS measure, amount AS value "
            f"FROM sal WHERE category IN {cats}"
        )
        base.append(
            "SELECT win, branch_code, rm_staff_no, CONCAT('fee_income.', category) AS measure, fee AS value "
            f"FROM sal WHERE category IN {cats}"
        )
    for i, (view, w) in enumerate(sorted(snapshots.items())):
        ctes.append(f"""snap_{i} AS (
    SELECT '{w.name}' AS win, c.branch_code, COALESCE(c.rm_staff_no, '') AS rm_staff_no,
        CAST(SUM(CASE WHEN s.tier = 'vip' THEN 1 ELSE 0 END) AS BIGINT) AS vip_customers,
        CAST(SUM(CASE WHEN s.tier = 'wealth' THEN 1 ELSE 0 END) AS BIGINT) AS wealth_customers,
        CAST(SUM(CASE WHEN s.tier = 'private' THEN 1 ELSE 0 END) AS BIGINT) AS private_customers,
        CAST(SUM(CASE WHEN s.cross_sell_qualified = 'Y' THEN 1 ELSE 0 END) AS BIGINT) AS qualified_customers
    FROM {view} s JOIN r_cust c ON c.customer_no = s.customer_no
    GROUP BY c.branch_code, COALESCE(c.rm_staff_no, '')
)""")
        for m in ("vip_customers", "wealth_customers", "private_customers", "qualified_customers"):
            base.append(f"SELECT win, branch_code, rm_staff_no, '{m}' AS measure, {m} AS value FROM snap_{i}")
    if not base:
        return ""
    ctes.append("base AS (\n    " + "\n    UNION ALL ".join(base) + "\n)")
    with_clause = ",\n".join(ctes)
    return f"""
WITH {with_clause},
units AS (
    SELECT win, 'bank' AS unit, measure, CAST(SUM(value) AS BIGINT) AS value FROM base GROUP BY win, measure
    UNION ALL
    SELECT win, CONCAT('branch:', branch_code) AS unit, measure, CAST(SUM(value) AS BIGINT) AS value
    FROM base GROUP BY win, branch_code, measure
    UNION ALL
    SELECT win, CONCAT('rm:', rm_staff_no) AS unit, measure, CAST(SUM(value) AS BIGINT) AS value
    FROM base WHERE rm_staff_no <> '' GROUP BY win, rm_staff_no, measure
)
SELECT win, unit, measure, value FROM units ORDER BY win, unit, measure
"""


# ------------------------------------------------------------------ running it


def _tmp_dir() -> Path:
    path = Path(settings.BANKCRM_HOME) / "tmp" / "reports"
    path.mkdir(parents=True, exist_ok=True)
    return path


def _register_snapshot(engine, view: str, day: dt.date, cleanup: list[Path]) -> None:
    """The customer_month snapshot as of ``day``: the stored one when it is as of that day, otherwise
    one computed for this report into a private temporary file — the month's stored snapshot and
    its lists are never replaced by a report (spec/indicators.md)."""
    from bankcrm.analytics.definitions import month_of
    from bankcrm.analytics.snapshots import compute_snapshot, snapshot_path, stored_as_of

    month = month_of(day)
    if stored_as_of(month) == day:
        engine.register_parquet(view, [str(snapshot_path(month))])
        return
    if not any(day.replace(day=1) <= d <= day for d in partition_dates("balances")):
        # No balances in the month up to that day: every aum_avg is 0, every member is mass and
        # nobody is qualified — the counts are 0 without computing a snapshot.
        engine.register_empty(view, _EMPTY["r_snap"])
        return
    table = compute_snapshot(day, engine).select(["customer_no", "tier", "cross_sell_qualified"])
    path = _tmp_dir() / f"snap-{day.isoformat()}-{uuid.uuid4().hex[:8]}.parquet"
    pq.write_table(table.cast(pa.schema([(n, pa.string()) for n in table.column_names])), path)
    cleanup.append(path)
    engine.register_parquet(view, [str(path)])


def _register_loans(engine, days: set[dt.date]) -> None:
    """The loans partitions of exactly these days; a day without a loans file has no rows (its stocks are 0,
    as a day without balances: spec/indicators.md)."""
    files = [str(p) for day in sorted(days) for p in sorted(partition_dir("loans", day).glob("*.parquet"))]
    if files:
        engine.register_parquet("r_loans", files, base=str(fact_dir("loans")), hive={"as_of_date": "DATE"})
        engine.register_parquet("r_acct", [str(dimension_path("accounts"))])
    else:
        engine.register_empty("r_loans", _EMPTY["r_loans"])
        engine.register_empty("r_acct", {"account_no": "VARCHAR", "customer_no": "VARCHAR"})


def compute_sums(windows: set[Window], engine) -> dict[tuple[str, str, str], int]:
    """{(window name, unit, measure): integer sum} for every window, on ``engine``."""
    balance = sorted(w for w in windows if w.source == "balance")
    flow = sorted(w for w in windows if w.source == "flow")
    snaps = sorted(w for w in windows if w.source == "snapshot")
    loans = sorted(w for w in windows if w.source == "loans")
    cleanup: list[Path] = []
    try:
        engine.register_parquet("r_cust", [str(dimension_path("customers"))])
        if loans:
            _register_loans(engine, {w.start for w in loans})
        if balance:
            first, last = min(w.start for w in balance), max(w.end for w in balance)
            files = rollup_files(first, last)
            if files:
                base = str(Path(files[0]).parent.parent)
                engine.register_parquet("r_rollup", files, base=base, hive={"day": "DATE"})
            else:
                engine.register_empty("r_rollup", _EMPTY["r_rollup"])
        if flow:
            if sales_path().exists():
                engine.register_parquet("r_sales", [str(sales_path())])
            else:
                engine.register_empty("r_sales", _EMPTY["r_sales"])
        views = {}
        for i, w in enumerate(snaps):
            view = f"r_snap_{i}"
            _register_snapshot(engine, view, w.end, cleanup)
            views[view] = w
        sql = figures_sql(balance, flow, views, loans)
        if not sql:
            return {}
        table = engine.query(sql).to_pydict()
    finally:
        for path in cleanup:
            path.unlink(missing_ok=True)
    return {
        (w, u, m): int(v)
        for w, u, m, v in zip(table["win"], table["unit"], table["measure"], table["value"], strict=True)
    }
