"""The warehouse: daily facts as Parquet under ``$BANKCRM_HOME/warehouse`` (DESIGN "How data flows").

Layout (Hive-style partitions, one folder per business date, so a date is replaced whole):

    warehouse/balances/as_of_date=2026-10-31/part-0.parquet        account_no, balance_cents
    warehouse/loans/as_of_date=2026-10-31/part-0.parquet           account_no, principal_cents,
                                                                    overdue_principal_cents, overdue_interest_cents,
                                                                    overdue_days, five_class
    warehouse/transactions/business_date=2026-10-31/part-0.parquet txn_id, account_no, txn_time,
                                                                    amount_cents, direction, channel,
                                                                    customer_initiated, counterparty_account
    warehouse/dim/<table>.parquet                                   current copy of a dimension table
    warehouse/customer_month/month=2026-10/part-0.parquet           snapshots written by metrics

Money is integer cents (int64) end to end: no float ever touches a balance.
A partition is written to a temporary folder beside it and renamed into place, so a
killed import never leaves half a partition (rename within one filesystem is atomic).
"""

import datetime as dt
import os
import shutil
import uuid
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
from django.conf import settings

BALANCES_SCHEMA = pa.schema([("account_no", pa.string()), ("balance_cents", pa.int64())])
TRANSACTIONS_SCHEMA = pa.schema(
    [
        ("txn_id", pa.string()),
        ("account_no", pa.string()),
        ("txn_time", pa.timestamp("s")),  # bank local time (Asia/Shanghai), naive as in the file
        ("amount_cents", pa.int64()),
        ("direction", pa.string()),
        ("channel", pa.string()),
        ("customer_initiated", pa.bool_()),
        # optional in the file (spec/batch-files.md): the other account of a transfer in this bank.
        # Partitions written before it existed lack it: read them with union_by_name.
        ("counterparty_account", pa.string()),
    ]
)
LOANS_SCHEMA = pa.schema(
    [
        ("account_no", pa.string()),
        ("principal_cents", pa.int64()),
        ("overdue_principal_cents", pa.int64()),
        ("overdue_interest_cents", pa.int64()),
        ("overdue_days", pa.int32()),
        ("five_class", pa.string()),
    ]
)
FACT_PARTITION_KEY = {"balances": "as_of_date", "loans": "as_of_date", "transactions": "business_date"}


def warehouse_dir() -> Path:
    # Read at call time so tests (and operators) can point it elsewhere.
    return Path(settings.WAREHOUSE_DIR)


def fact_dir(table: str) -> Path:
    return warehouse_dir() / table


def partition_dir(table: str, day: dt.date) -> Path:
    return fact_dir(table) / f"{FACT_PARTITION_KEY[table]}={day.isoformat()}"


def dimension_path(table: str) -> Path:
    return warehouse_dir() / "dim" / f"{table}.parquet"


def fact_glob(table: str) -> str:
    return str(fact_dir(table) / "*" / "*.parquet")


def _staging_dir(final: Path) -> Path:
    final.parent.mkdir(parents=True, exist_ok=True)
    return final.parent / f".staging-{final.name}-{uuid.uuid4().hex[:8]}"


def replace_partition(table: str, day: dt.date, writer) -> Path:
    """Write one date's partition atomically: ``writer(folder)`` fills a staging folder, then it swaps in.

    An interrupted write leaves only a ``.staging-*`` folder, which readers never match
    (they read ``<key>=<date>/*.parquet``) and the next run removes.
    """
    final = partition_dir(table, day)
    staging = _staging_dir(final)
    staging.mkdir()
    try:
        writer(staging)
        trash = None
        if final.exists():
            trash = final.parent / f".trash-{final.name}-{uuid.uuid4().hex[:8]}"
            os.replace(final, trash)
        os.replace(staging, final)
        if trash is not None:
            shutil.rmtree(trash, ignore_errors=True)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return final


def write_table_atomically(path: Path, table: pa.Table) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.parent / f".tmp-{path.name}-{uuid.uuid4().hex[:8]}"
    pq.write_table(table, tmp)
    os.replace(tmp, path)


def clean_leftovers(table: str) -> None:
    """Remove staging/trash folders a killed run left behind."""
    base = fact_dir(table)
    if base.exists():
        for child in base.iterdir():
            if child.name.startswith((".staging-", ".trash-")):
                shutil.rmtree(child, ignore_errors=True)


def partition_dates(table: str) -> list[dt.date]:
    base = fact_dir(table)
    if not base.exists():
        return []
    prefix = FACT_PARTITION_KEY[table] + "="
    return sorted(
        dt.date.fromisoformat(p.name[len(prefix) :]) for p in base.iterdir() if p.is_dir() and p.name.startswith(prefix)
    )
