"""Reading one customer's balances from the warehouse for the customer 360 (reads only, no state).

The balances fact is hundreds of millions of rows in Parquet (core/warehouse.py); a 360
needs a handful of them. DuckDB reads just the customer's accounts: the partition list is
cached per process and refreshed when the balances folder changes (a new partition is
renamed into place, which bumps the folder's mtime), and Parquet row-group statistics let
DuckDB skip the row groups that cannot hold the accounts when the file is sorted by
account_no (as the importer writes it).
"""

import datetime as dt
import os
import threading
from pathlib import Path

import duckdb

from bankcrm.core.warehouse import FACT_PARTITION_KEY, fact_dir

_lock = threading.Lock()
_dates_cache: dict = {"key": None, "dates": []}
_local = threading.local()


def balance_dates() -> list[dt.date]:
    """Business dates that have a balances partition, oldest first (cached until the folder changes)."""
    base = fact_dir("balances")
    try:
        key = (str(base), base.stat().st_mtime_ns)
    except FileNotFoundError:
        return []
    if _dates_cache["key"] == key:
        return _dates_cache["dates"]
    prefix = FACT_PARTITION_KEY["balances"] + "="
    dates = []
    for entry in os.scandir(base):
        if entry.is_dir() and entry.name.startswith(prefix):
            try:
                dates.append(dt.date.fromisoformat(entry.name[len(prefix) :]))
            except ValueError:
                continue
    dates.sort()
    with _lock:
        _dates_cache.update(key=key, dates=dates)
    return dates


def _partition_files(day: dt.date) -> list[str]:
    folder = fact_dir("balances") / f"{FACT_PARTITION_KEY['balances']}={day.isoformat()}"
    return sorted(str(p) for p in Path(folder).glob("*.parquet"))


def _cursor() -> duckdb.DuckDBPyConnection:
    """One DuckDB connection per process (after gunicorn forks), one cursor per thread."""
    pid = os.getpid()
    con = getattr(_local, "con", None)
    if con is None or getattr(_local, "pid", None) != pid:
        with _lock:
            root = _dates_cache.get("con")
            if root is None or _dates_cache.get("con_pid") != pid:
                root = duckdb.connect()
                root.execute("SET threads = 1")  # one small read per request; the web workers are the parallelism
                root.execute("SET enable_object_cache = true")  # keep Parquet footers between requests
                _dates_cache.update(con=root, con_pid=pid)
        con = root.cursor()
        _local.con, _local.pid = con, pid
    return con


def _marks(values) -> str:
    # Constant IN lists are pushed into the Parquet scan (row-group min/max pruning); a join is not.
    return ", ".join("?" for _ in values)


def latest_balances(account_nos: list[str]) -> tuple[dt.date | None, dict[str, int]]:
    """(latest business date, {account_no: balance_cents}) for these accounts; accounts absent that day are absent."""
    dates = balance_dates()
    if not dates or not account_nos:
        return (dates[-1] if dates else None), {}
    day = dates[-1]
    files = _partition_files(day)
    if not files:
        return day, {}
    rows = (
        _cursor()
        .execute(
            f"SELECT account_no, sum(balance_cents) FROM read_parquet(?) WHERE account_no IN ({_marks(account_nos)}) "
            "GROUP BY account_no",
            [files, *account_nos],
        )
        .fetchall()
    )
    return day, {account_no: int(cents) for account_no, cents in rows}


def daily_totals(account_nos: list[str], days: int = 90) -> list[tuple[dt.date, int]]:
    """Total balance in cents per business date over the last ``days`` calendar days (0 where no row)."""
    dates = balance_dates()
    if not dates or not account_nos:
        return []
    start = dates[-1] - dt.timedelta(days=days - 1)
    wanted = [d for d in dates if d >= start]
    files = [f for d in wanted for f in _partition_files(d)]
    if not files:
        return []
    rows = (
        _cursor()
        .execute(
            "SELECT as_of_date, sum(balance_cents) FROM read_parquet(?, hive_partitioning = true, "
            f"hive_types = {{'as_of_date': DATE}}) WHERE account_no IN ({_marks(account_nos)}) GROUP BY as_of_date",
            [files, *account_nos],
        )
        .fetchall()
    )
    totals = {day: int(cents) for day, cents in rows}
    return [(d, totals.get(d, 0)) for d in wanted]
