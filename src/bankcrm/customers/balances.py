"""Reading one customer's balances from the warehouse for the customer 360 (reads only, no state).

The balances fact is hundreds of millions of rows in Parquet (core/warehouse.py); a 360
needs a handful of them, on the latest date, at web speed (docs/adr/0602-latest-balances.md):

* the partition list is cached per process and refreshed when the balances folder changes
  (a new partition is renamed into place, which bumps the folder's mtime);
* the latest partition gets a lookup index beside the warehouse — its account numbers sorted
  as fixed-width bytes and their balances, two ``.npy`` files built once (by whichever worker
  needs it first) and memory-mapped by every worker, so the operating system shares one copy
  and a lookup is a binary search touching a few pages (microseconds instead of the
  milliseconds DuckDB needs to decode a row group);
* until that index exists (or when it cannot be built) DuckDB reads the accounts straight
  from the Parquet, pruning row groups by their min/max statistics.

The 90-day chart reads many partitions and stays on DuckDB (it is loaded lazily by the page).
"""

import datetime as dt
import hashlib
import os
import threading
from pathlib import Path

import duckdb
import numpy as np

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


_index_cache: dict = {}


def _index_base(day: dt.date, files: list[str]) -> Path:
    from django.conf import settings

    signature = "-".join(f"{os.stat(f).st_mtime_ns:x}{os.stat(f).st_size:x}" for f in files)
    folder = Path(settings.BANKCRM_HOME) / "cache" / "balances-index"
    digest = hashlib.sha1("|".join([*files, signature]).encode()).hexdigest()[:16]  # same name in every worker
    return folder / f"{day.isoformat()}-{digest}"


def _build_index(base: Path, files: list[str]) -> None:
    """Write <base>.keys.npy (sorted account numbers, fixed-width UTF-8 bytes) and <base>.cents.npy."""
    import pyarrow.parquet as pq

    base.parent.mkdir(parents=True, exist_ok=True)
    lock = base.with_suffix(".lock")
    try:
        fd = os.open(lock, os.O_CREAT | os.O_EXCL | os.O_WRONLY)
    except FileExistsError:
        return  # another worker is building it; this request reads the Parquet meanwhile
    try:
        table = pq.read_table(files, columns=["account_no", "balance_cents"])
        if table.num_rows:
            table = table.group_by("account_no").aggregate([("balance_cents", "sum")])
        keys = np.char.encode(table.column("account_no").to_numpy(zero_copy_only=False).astype(str), "utf-8")
        cents = table.column(table.num_columns - 1 if table.num_rows else 1).to_numpy().astype(np.int64)
        order = np.argsort(keys, kind="stable")
        for suffix, array in ((".keys.npy", keys[order]), (".cents.npy", cents[order])):
            tmp = base.parent / f".tmp-{base.name}{suffix}-{os.getpid()}"
            with open(tmp, "wb") as fh:
                np.save(fh, array)
            os.replace(tmp, base.parent / f"{base.name}{suffix}")
        # Older dates' indexes are no longer read (workers that still map them keep their pages).
        for other in base.parent.iterdir():
            if not other.name.startswith((base.name, ".")) and other.suffix == ".npy":
                other.unlink(missing_ok=True)
    finally:
        os.close(fd)
        lock.unlink(missing_ok=True)


def _index(day: dt.date, files: list[str]):
    base = _index_base(day, files)
    cached = _index_cache.get("index")
    if cached is not None and cached[0] == base:
        return cached[1], cached[2]
    keys_path, cents_path = (base.parent / f"{base.name}{s}" for s in (".keys.npy", ".cents.npy"))
    if not (keys_path.exists() and cents_path.exists()):
        _build_index(base, files)
        if not (keys_path.exists() and cents_path.exists()):
            return None
    keys, cents = np.load(keys_path, mmap_mode="r"), np.load(cents_path, mmap_mode="r")
    _index_cache["index"] = (base, keys, cents)
    return keys, cents


def _lookup(keys, cents, account_nos: list[str]) -> dict[str, int]:
    found = {}
    if len(keys) == 0:
        return found
    wanted = np.array([a.encode() for a in account_nos], dtype=keys.dtype)
    positions = np.searchsorted(keys, wanted)
    for account_no, key, pos in zip(account_nos, wanted, positions, strict=True):
        # a key longer than the index's width cannot be in it (the cast above truncated it)
        if pos < len(keys) and keys[pos] == key and len(account_no.encode()) <= keys.dtype.itemsize:
            found[account_no] = int(cents[pos])
    return found


def latest_balances(account_nos: list[str]) -> tuple[dt.date | None, dict[str, int]]:
    """(latest business date, {account_no: balance_cents}) for these accounts; accounts absent that day are absent."""
    dates = balance_dates()
    if not dates or not account_nos:
        return (dates[-1] if dates else None), {}
    day = dates[-1]
    files = _partition_files(day)
    if not files:
        return day, {}
    try:
        index = _index(day, files)
    except (OSError, ValueError, UnicodeError):
        index = None  # unreadable or unwritable: fall back to reading the Parquet
    if index is not None:
        return day, _lookup(*index, account_nos)
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
