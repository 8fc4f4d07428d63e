"""Compute, store and read customer_month snapshots (spec/metrics.md), with either engine."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
from django.db import transaction
from django.db.models import Count

from bankcrm.core.bulk import delete_where, insert_many
from bankcrm.core.warehouse import (
    dimension_path,
    fact_dir,
    partition_dates,
    partition_dir,
    warehouse_dir,
    write_table_atomically,
)

from .definitions import (
    FLAG_COLUMNS,
    MONEY_COLUMNS,
    SNAPSHOT_COLUMNS,
    Thresholds,
    add_months,
    month_end,
    month_of,
    snapshot_sql,
)
from .engines import Engine, get_engine

DIMENSIONS = ("customers", "accounts", "kyc", "staff")
# A transaction's business_date may lag its txn_time (booked after midnight, weekend batches):
# read this many extra days of partitions before the dormancy window; the filter is on txn_time.
TXN_PARTITION_SLACK_DAYS = 31

_EMPTY = {
    "bal_m": {"account_no": "VARCHAR", "balance_cents": "BIGINT", "as_of_date": "DATE"},
    "txn": {"account_no": "VARCHAR", "txn_time": "TIMESTAMP", "customer_initiated": "BOOLEAN"},
    "hist": {"month": "VARCHAR", "customer_no": "VARCHAR", "tier": "VARCHAR", "aum_avg_cents": "BIGINT"},
}


def snapshot_path(month: str) -> Path:
    return warehouse_dir() / "customer_month" / f"month={month}" / "part-0.parquet"


def stored_as_of(month: str) -> dt.date | None:
    """The as-of date of the snapshot stored for ``month`` in the warehouse, if any."""
    path = snapshot_path(month)
    if not path.exists():
        return None
    col = pq.read_table(path, columns=["as_of"]).column("as_of")
    return col[0].as_py() if len(col) else _empty_as_of(path)


def _empty_as_of(path: Path) -> dt.date | None:
    meta = pq.read_schema(path).metadata or {}
    raw = meta.get(b"bankcrm_as_of")
    return dt.date.fromisoformat(raw.decode()) if raw else None


def _files(folder: Path) -> list[str]:
    return sorted(str(p) for p in folder.glob("*.parquet"))


def _register_facts(engine: Engine, as_of: dt.date, th: Thresholds) -> None:
    first = as_of.replace(day=1)
    bal_files = [
        f for d in partition_dates("balances") if first <= d <= as_of for f in _files(partition_dir("balances", d))
    ]
    if bal_files:
        engine.register_parquet("bal_m", bal_files, base=str(fact_dir("balances")), hive={"as_of_date": "DATE"})
    else:
        engine.register_empty("bal_m", _EMPTY["bal_m"])
    since = as_of - dt.timedelta(days=th.dormancy_days + TXN_PARTITION_SLACK_DAYS)
    txn_files = [
        f for d in partition_dates("transactions") if d >= since for f in _files(partition_dir("transactions", d))
    ]
    if txn_files:
        # by_name: partitions written before counterparty_account existed lack it (an upgraded warehouse).
        engine.register_parquet(
            "txn", txn_files, base=str(fact_dir("transactions")), hive={"business_date": "DATE"}, by_name=True
        )
    else:
        engine.register_empty("txn", _EMPTY["txn"])


def _register_history(engine: Engine, month: str, th: Thresholds) -> None:
    parts = []
    for k in range(1, th.potential_months):
        m = add_months(month, -k)
        path = snapshot_path(m)
        if path.exists():
            view = f"hist_{m.replace('-', '_')}"
            engine.register_parquet(view, [str(path)])
            parts.append(f"SELECT '{m}' AS month, customer_no, tier, aum_avg_cents FROM {view}")
    if parts:
        engine.create_view("hist", " UNION ALL ".join(parts))
    else:
        engine.register_empty("hist", _EMPTY["hist"])


def compute_snapshot(as_of: dt.date, engine: Engine, th: Thresholds | None = None) -> pa.Table:
    """Run the one definition on ``engine``: snapshot columns (money in cents) + list inputs, by customer_no."""
    th = th or Thresholds.from_settings()
    for table in DIMENSIONS:
        path = dimension_path(table)
        if not path.exists():
            raise FileNotFoundError(f"dimension table missing: {path} (run dump_dimensions first)")
        engine.register_parquet(f"dim_{table}", [str(path)])
    _register_facts(engine, as_of, th)
    _register_history(engine, month_of(as_of), th)
    return engine.query(snapshot_sql(as_of, th))


def has_balances(month: str) -> bool:
    return any(month_of(d) == month for d in partition_dates("balances"))


# ---------------------------------------------------------------- storing


def _money(c: int) -> Decimal:
    return Decimal(int(c)).scaleb(-2)


def write_warehouse_snapshot(table: pa.Table, as_of: dt.date) -> Path:
    """customer_month/month=YYYY-MM/part-0.parquet: the snapshot, money as *_cents (int64)."""
    n = table.num_rows
    cols, names = [], []
    for name in SNAPSHOT_COLUMNS:
        if name == "month":
            continue  # it is the partition folder's key; a column of that name would clash in Spark
        col = table.column(name)
        if name == "as_of":
            col = pa.nulls(n, pa.date32()).fill_null(as_of)
        elif name in MONEY_COLUMNS:
            name, col = f"{name}_cents", col.cast(pa.int64())
        elif name in ("days", "categories_held"):
            col = col.cast(pa.int32())
        else:
            col = col.cast(pa.string())
        cols.append(col)
        names.append(name)
    out = pa.Table.from_arrays(cols, names=names).replace_schema_metadata({"bankcrm_as_of": as_of.isoformat()})
    path = snapshot_path(month_of(as_of))
    write_table_atomically(path, out)
    return path


def snapshot_rows(table: pa.Table) -> list[dict]:
    return table.to_pylist()


def delete_month(month: str) -> int:
    """One DELETE; nothing references a snapshot row, and the ORM would load 100k rows to delete them."""
    from bankcrm.customers.models import CustomerMonth

    return delete_where(CustomerMonth, "month", month)


def list_candidates(table: pa.Table) -> list[dict]:
    """Only the rows some list can select, as dicts (turning every row into a dict costs seconds at 1M)."""
    import pyarrow.compute as pc

    def yes(col):
        return pc.equal(table.column(col), "Y")

    mask = pc.or_(
        pc.or_(pc.or_(yes("edge"), yes("downgraded")), pc.or_(yes("dormant_potential"), yes("maturing"))),
        pc.or_(
            yes("kyc_expiring"),
            pc.and_(pc.equal(table.column("customer_status"), "active"), pc.invert(yes("rm_active"))),
        ),
    )
    return table.filter(pc.fill_null(mask, False)).to_pylist()


def _db_rows(table: pa.Table, month: str, as_of: dt.date, chunk: int = 50_000):
    """CustomerMonth rows, one Arrow batch at a time: all rows as Python objects at once would need
    tens of GB at 10M customers (docs/performance.md)."""
    for batch in table.to_batches(max_chunksize=chunk):
        n = batch.num_rows
        col = {c: batch.column(c).to_pylist() for c in SNAPSHOT_COLUMNS if c not in ("month", "as_of")}
        columns = [
            [month] * n,
            [as_of] * n,
            col["customer_no"],
            col["branch_code"],
            [v or "" for v in col["rm_staff_no"]],
            col["days"],
            *([_money(v) for v in col[c]] for c in MONEY_COLUMNS),
            col["tier"],
            [v or "" for v in col["prev_tier"]],
            col["migration"],
            col["categories_held"],
            *([v == "Y" for v in col[f]] for f in FLAG_COLUMNS),
        ]
        yield from zip(*columns, strict=True)


def overdue_snapshot_rows(table: pa.Table, overdue: list[dict]) -> dict[str, dict]:
    """The snapshot rows of the collection list's customers, by customer_no."""
    import pyarrow.compute as pc

    if not overdue:
        return {}
    wanted = pa.array([o["customer_no"] for o in overdue], pa.string())
    rows = table.filter(pc.is_in(table.column("customer_no"), value_set=wanted)).to_pylist()
    return {r["customer_no"]: r for r in rows}


def store_snapshot(table: pa.Table, as_of: dt.date, overdue: list[dict] | None = None) -> int:
    """Replace month M's CustomerMonth rows and as-of D's lists in one transaction.

    ``overdue``: analytics.loans.overdue_customers of D, for the collection list (None: no such list).
    """
    from bankcrm.campaigns.services import store_list_items
    from bankcrm.customers.models import CustomerMonth

    from .lists import build_lists

    month = month_of(as_of)
    fields = ["month", "as_of", "customer", "branch_code", "rm_staff_no", "days", *MONEY_COLUMNS]
    fields += ["tier", "prev_tier", "migration", "categories_held", *FLAG_COLUMNS]
    items = build_lists(list_candidates(table), as_of)
    if overdue:
        from .lists import overdue_items

        items += overdue_items(overdue, overdue_snapshot_rows(table, overdue))
    with transaction.atomic():
        delete_month(month)
        stored = insert_many(CustomerMonth, fields, _db_rows(table, month, as_of))
        store_list_items(items, as_of)  # the work queue keeps the work done on survivors
    return stored


# ---------------------------------------------------------------- the run


def missing_months_before(month: str) -> list[str]:
    """Months before ``month`` to compute first, oldest first (spec/metrics.md "Migration").

    M−1 is computed first when it is not stored as of its last day and the warehouse holds its
    balances; the same rule applies to that computation, so the walk goes back month by month
    until a month is stored as of its last day or has no balances (docs/metrics.md).
    """
    with_balances = {month_of(d) for d in partition_dates("balances")}
    chain = []
    m = add_months(month, -1)
    while m in with_balances and stored_as_of(m) != month_end(m):
        chain.append(m)
        m = add_months(m, -1)
    return chain[::-1]


def run_metrics(as_of: dt.date, engine_name: str = "duckdb", *, progress=None) -> dict:
    """``bankcrm metrics --as-of D``: dims -> missing earlier months -> M -> DB + warehouse + lists."""
    from .dimensions import dump_dimensions

    say = progress or (lambda msg: None)
    th = Thresholds.from_settings()
    say("dumping dimension tables")
    dump_dimensions()
    engine = get_engine(engine_name)
    try:
        result = {"engine": engine.name, "as_of": as_of.isoformat(), "computed": []}
        for m in missing_months_before(month_of(as_of)):
            say(f"{m} not stored as of its last day: computing it first")
            result["computed"].append(_compute_and_store(month_end(m), engine, th))
        say(f"computing {month_of(as_of)} as of {as_of}")
        result["computed"].append(_compute_and_store(as_of, engine, th))
        return result
    finally:
        engine.close()


def _compute_and_store(as_of: dt.date, engine: Engine, th: Thresholds) -> dict:
    from .loans import overdue_customers

    table = compute_snapshot(as_of, engine, th)
    write_warehouse_snapshot(table, as_of)
    n = store_snapshot(table, as_of, overdue_customers(as_of, engine))
    from bankcrm.campaigns.models import ListItem

    lists = dict(ListItem.objects.filter(as_of=as_of).values_list("kind").annotate(n=Count("id")).order_by())
    return {"as_of": as_of.isoformat(), "customers": n, "lists": lists}


def ensure_month_end_snapshot(month: str, engine_name: str = "duckdb") -> bool:
    """Compute ``month`` as of its last day (and any missing month before it) if not stored so and its
    balances exist (for 当年新增)."""
    end = month_end(month)
    if stored_as_of(month) == end:
        return True
    if not has_balances(month):
        return False
    from .dimensions import dump_dimensions

    dump_dimensions()
    engine = get_engine(engine_name)
    th = Thresholds.from_settings()
    try:
        for m in missing_months_before(month):
            _compute_and_store(month_end(m), engine, th)
        _compute_and_store(end, engine, th)
    finally:
        engine.close()
    return True
