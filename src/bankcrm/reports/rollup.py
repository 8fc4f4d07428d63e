"""The daily rollup the indicator reports read instead of months of daily balances (issue 10 "Engine").

Layout, beside the facts it is built from::

    warehouse/reports/rollup/day=2026-11-11/part-0.parquet   branch_code, rm_staff_no, category,
                                                              balance_cents, pos_customers
    warehouse/reports/rollup/_manifest.json                  what each day was built from
    warehouse/reports/sales.parquet                          customer_no, sale_date, category,
                                                              amount_cents, fee_cents

One row per day × customer's branch × rm × product category: the balance in integer cents and the
number of customers whose balance of that category is > 0 that day (个人信贷客户数 for loans).
A customer's unit is its *current* assignment (spec/indicators.md "Units"), so the rollup is keyed
by today's branch/rm: when any account's customer, category or any customer's branch/rm changes,
every day is rebuilt (the manifest keeps a fingerprint of that mapping). Otherwise only the days
whose balances partition changed (file names, sizes and mtimes recorded beside the rollup) or is
new are rebuilt — a re-imported day is rebuilt, the other 364 are not read.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import json
import os
import shutil
import uuid
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
from django.conf import settings

from bankcrm.core.money import to_cents
from bankcrm.core.warehouse import dimension_path, fact_dir, partition_dates, partition_dir, warehouse_dir

ROLLUP_SCHEMA = pa.schema(
    [
        ("branch_code", pa.string()),
        ("rm_staff_no", pa.string()),
        ("category", pa.string()),
        ("balance_cents", pa.int64()),
        ("pos_customers", pa.int64()),
    ]
)
SALES_SCHEMA = pa.schema(
    [
        ("customer_no", pa.string()),
        ("sale_date", pa.date32()),
        ("category", pa.string()),
        ("amount_cents", pa.int64()),
        ("fee_cents", pa.int64()),
    ]
)
# Days rebuilt per query: one scan of a month of partitions instead of 31 small queries.
BATCH_DAYS = 31


def reports_dir() -> Path:
    return warehouse_dir() / "reports"


def rollup_dir() -> Path:
    return reports_dir() / "rollup"


def rollup_day_dir(day: dt.date) -> Path:
    return rollup_dir() / f"day={day.isoformat()}"


def manifest_path() -> Path:
    return rollup_dir() / "_manifest.json"


def sales_path() -> Path:
    return reports_dir() / "sales.parquet"


def rollup_days() -> list[dt.date]:
    base = rollup_dir()
    if not base.exists():
        return []
    return sorted(dt.date.fromisoformat(p.name[4:]) for p in base.iterdir() if p.is_dir() and p.name.startswith("day="))


def rollup_files(first: dt.date, last: dt.date) -> list[str]:
    return [str(rollup_day_dir(d) / "part-0.parquet") for d in rollup_days() if first <= d <= last]


def load_manifest() -> dict:
    path = manifest_path()
    if not path.exists():
        return {}
    return json.loads(path.read_text(encoding="utf-8"))


def _save_manifest(manifest: dict) -> None:
    path = manifest_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.parent / f".tmp-{uuid.uuid4().hex[:8]}.json"
    tmp.write_text(json.dumps(manifest, indent=1, sort_keys=True), encoding="utf-8")
    os.replace(tmp, path)


def partition_signature(day: dt.date) -> str:
    """Names, sizes and modification times of a balances partition's files: a re-import changes it."""
    folder = partition_dir("balances", day)
    parts = []
    for f in sorted(folder.glob("*.parquet")):
        st = f.stat()
        parts.append(f"{f.name}:{st.st_size}:{st.st_mtime_ns}")
    return ";".join(parts)


def _file_signature(path: Path) -> str:
    st = path.stat()
    return f"{st.st_size}:{st.st_mtime_ns}"


def mapping_fingerprint(manifest: dict | None = None) -> str:
    """account → (customer, category) → (branch, rm), hashed in one DuckDB pass over the dimensions.

    Maintenance bookkeeping, not a figure: it runs on DuckDB whatever engine computes the figures.
    Unchanged dimension files (same size and mtime as recorded in the manifest) reuse the stored value.
    """
    import duckdb

    acc, cus = dimension_path("accounts"), dimension_path("customers")
    if not acc.exists() or not cus.exists():
        return ""
    files = f"{_file_signature(acc)};{_file_signature(cus)}"
    if manifest and manifest.get("dims") == files and manifest.get("mapping"):
        return manifest["mapping"]
    con = duckdb.connect(":memory:")
    try:
        row = con.execute(
            "SELECT COUNT(*), COALESCE(SUM(hash(a.account_no, a.category, c.customer_no, c.branch_code, "
            "COALESCE(c.rm_staff_no, ''))), 0) FROM read_parquet(?) a LEFT JOIN read_parquet(?) c "
            "ON c.customer_no = a.customer_no",
            [str(acc), str(cus)],
        ).fetchone()
    finally:
        con.close()
    return f"{row[0]}:{row[1]}"


def rollup_sql(view: str) -> str:
    """The rollup of the balances in ``view`` (account_no, balance_cents, as_of_date), per day.

    Per customer and category first (a customer with two loan accounts is one loan customer), then
    per branch × rm × category. Balance rows of accounts the dimension does not know are dropped,
    as the snapshot's join drops them.
    """
    return f"""
WITH per_customer AS (
    SELECT b.as_of_date, a.customer_no, a.category, CAST(SUM(b.balance_cents) AS BIGINT) AS cents
    FROM {view} b JOIN dim_accounts a ON a.account_no = b.account_no
    GROUP BY b.as_of_date, a.customer_no, a.category
)
SELECT p.as_of_date, c.branch_code, COALESCE(c.rm_staff_no, '') AS rm_staff_no, p.category,
    CAST(SUM(p.cents) AS BIGINT) AS balance_cents,
    CAST(SUM(CASE WHEN p.cents > 0 THEN 1 ELSE 0 END) AS BIGINT) AS pos_customers
FROM per_customer p JOIN dim_customers c ON c.customer_no = p.customer_no
GROUP BY p.as_of_date, c.branch_code, COALESCE(c.rm_staff_no, ''), p.category
"""


def _write_day(day: dt.date, table: pa.Table) -> None:
    final = rollup_day_dir(day)
    final.parent.mkdir(parents=True, exist_ok=True)
    staging = final.parent / f".staging-{final.name}-{uuid.uuid4().hex[:8]}"
    staging.mkdir()
    pq.write_table(table, staging / "part-0.parquet")
    trash = None
    if final.exists():
        trash = final.parent / f".trash-{final.name}-{uuid.uuid4().hex[:8]}"
        os.replace(final, trash)
    os.replace(staging, final)
    if trash is not None:
        shutil.rmtree(trash, ignore_errors=True)


def _build_days(engine, days: list[dt.date]) -> None:
    files = [str(f) for d in days for f in sorted(partition_dir("balances", d).glob("*.parquet"))]
    by_day = list(days)
    if files:
        engine.register_parquet("r_bal", files, base=str(fact_dir("balances")), hive={"as_of_date": "DATE"})
        import pyarrow.compute as pc

        result = engine.query(rollup_sql("r_bal"))
        dates = result.column("as_of_date").cast(pa.date32())
        for day in by_day:
            part = result.filter(pc.equal(dates, pa.scalar(day, pa.date32()))).drop_columns(["as_of_date"])
            _write_day(day, part.cast(ROLLUP_SCHEMA))
    else:
        for day in days:
            _write_day(day, ROLLUP_SCHEMA.empty_table())


def update_rollup(engine_name: str = "duckdb") -> dict:
    """Bring the rollup up to date with the balances partitions; returns what was rebuilt."""
    from bankcrm.analytics.engines import get_engine

    manifest = load_manifest()
    fingerprint = mapping_fingerprint(manifest)
    full = manifest.get("mapping") != fingerprint
    old_days = {} if full else manifest.get("days", {})
    present = partition_dates("balances")
    signatures = {d.isoformat(): partition_signature(d) for d in present}
    built = set(rollup_days())
    todo = [d for d in present if old_days.get(d.isoformat()) != signatures[d.isoformat()] or d not in built]
    if todo:
        engine = get_engine(engine_name)
        try:
            for d in ("dim_accounts", "dim_customers"):
                engine.register_parquet(d, [str(dimension_path(d[4:]))])
            for i in range(0, len(todo), BATCH_DAYS):
                _build_days(engine, todo[i : i + BATCH_DAYS])
        finally:
            engine.close()
    for stale in built - set(present):  # a balances partition removed: its rollup goes too
        shutil.rmtree(rollup_day_dir(stale), ignore_errors=True)
    _save_manifest(
        {
            "mapping": fingerprint,
            "dims": _dims_signature(),
            "days": signatures,
            "refreshed": dt.datetime.now(dt.UTC).isoformat(),
        }
    )
    return {"rebuilt": len(todo), "days": len(present), "full": full and bool(present)}


def _dims_signature() -> str:
    acc, cus = dimension_path("accounts"), dimension_path("customers")
    return f"{_file_signature(acc)};{_file_signature(cus)}" if acc.exists() and cus.exists() else ""


def dump_sales() -> int:
    """Sales with their product category, money in cents (the flows' input; current DB copy).

    Imported sales and the booked sales recorded at the counter or on the lobby tablet
    (spec/campaigns.md: "Sales count (in indicators …) when their status is booked"); cooling-off
    sales whose 24 hours have passed are booked first.
    """
    import itertools

    from bankcrm.campaigns.models import RecordedSale, Sale
    from bankcrm.campaigns.services import book_cooled_off, counting_recorded

    book_cooled_off()
    cols: dict[str, list] = {name: [] for name in SALES_SCHEMA.names}
    fields = ("customer_id", "sale_date", "product__category", "amount", "fee_income")
    imported = Sale.objects.order_by().values_list(*fields)
    recorded = RecordedSale.objects.filter(counting_recorded()).order_by().values_list(*fields)
    rows = itertools.chain(imported.iterator(chunk_size=20_000), recorded.iterator(chunk_size=20_000))
    for customer, day, category, amount, fee in rows:
        cols["customer_no"].append(customer)
        cols["sale_date"].append(day)
        cols["category"].append(category)
        cols["amount_cents"].append(_cents(amount))
        cols["fee_cents"].append(_cents(fee))
    from bankcrm.core.warehouse import write_table_atomically

    table = pa.table(cols, schema=SALES_SCHEMA)
    write_table_atomically(sales_path(), table)
    return table.num_rows


def _cents(value) -> int:
    return to_cents(value or 0)


@contextlib.contextmanager
def _refresh_lock():
    """One refresh at a time per home: the first page loads after a nightly import arrive together,
    and two writers swapping the same day's partition would lose files (a blocking flock, so the
    others wait and then find the inputs fresh)."""
    folder = settings.BANKCRM_HOME / "locks"
    folder.mkdir(parents=True, exist_ok=True)
    with (folder / "reports-refresh.lock").open("a") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def refresh_if_stale() -> None:
    """Pages and the API read the warehouse as of the last refresh; an import since then refreshes it."""
    if inputs_stale():
        with _refresh_lock():
            if inputs_stale():  # someone else may have refreshed while we waited
                _refresh()


def refresh_inputs(engine_name: str = "duckdb", *, dimensions: bool = True) -> dict:
    """Dimensions, sales and the rollup as of now: run by ``bankcrm metrics`` and the report exports
    (``dimensions=False`` right after the metrics run, which has just dumped them)."""
    with _refresh_lock():
        return _refresh(engine_name, dimensions=dimensions)


def _refresh(engine_name: str = "duckdb", *, dimensions: bool = True) -> dict:
    from bankcrm.analytics.dimensions import dump_dimensions

    if dimensions:
        dump_dimensions()
    sales = dump_sales()
    result = update_rollup(engine_name)
    result["sales"] = sales
    return result


def inputs_stale() -> bool:
    """True when the rollup was never built, or an import finished after its last refresh."""
    manifest = load_manifest()
    if not manifest or not sales_path().exists() or not dimension_path("customers").exists():
        return True
    from bankcrm.ingest.models import ImportRun

    last = ImportRun.objects.exclude(finished=None).order_by("-finished").values_list("finished", flat=True).first()
    refreshed = manifest.get("refreshed")
    return bool(last and (not refreshed or last > dt.datetime.fromisoformat(refreshed)))


def latest_day() -> dt.date:
    """The latest balances day in the warehouse (the reports' default as-of date), else today."""
    days = partition_dates("balances")
    return days[-1] if days else dt.date.today()  # noqa: DTZ011 (a calendar date)
