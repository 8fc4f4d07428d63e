"""Fact files (balances, loans, transactions): validated set-wise in DuckDB, written as one Parquet partition.

A balances file holds millions of rows, so no Python loop touches a row on the normal path: DuckDB
reads the CSV (all text), one SQL pass finds each row's first problem in the spec's column order,
duplicates and unknown account numbers are found by joins, and the good rows are written straight
to the partition (money as integer cents). Python only sees the rejected rows.

The fast path needs a plain file (no quotes, valid UTF-8, one record per line). Anything else (and
Parquet input) goes through the Python reader first and then through the same SQL.

A DuckDB connection is never used again after one of its statements failed: duckdb 2.0 may keep the
failed statement's result open and then refuses every later call on that connection
(ResourceInUseException, "connection has an unfinished result"), where 1.x carried on. Each fallback
therefore starts on a fresh connection, and ``check`` turns a DuckDB failure that survives the
fallbacks into a refused file, so one bad file never stops the delivery (issue 8, item 8).
"""

import codecs
import contextlib
import datetime as dt
import hashlib
import io
import logging
import time
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.csv as pcsv
import pyarrow.parquet as pq
from django.conf import settings
from django.db import connection
from django.db.models import Max

from bankcrm.core import warehouse

from .reader import DeliveryFile, FileRefused, Header, check_header, iter_csv, read_csv_header, render_raw
from .tables import TableSpec
from .validation import SQL_PATTERNS

log = logging.getLogger(__name__)

REASON_TEXT = {
    "missing_field": "{column} is required",
    "bad_date": "{column}={value!r} is not a valid date/time",
    "bad_number": "{column}={value!r} is not a valid amount (at most 2 decimals)",
    "bad_code": "{column}={value!r} is not an allowed code",
    "duplicate_key": "{column}={value!r} already appeared earlier in this file",
    "unknown_reference": "{column}={value!r} does not exist",
    "bad_row": "{column} holds a NUL byte (not text)",
}


@dataclass
class Scan:
    sha256: str
    plain: bool  # fast-path candidate: no quotes, no NUL, valid UTF-8, only LF or CRLF line ends


def scan(path: Path, want_plain: bool) -> Scan:
    """SHA-256 of the file and, in the same pass, whether DuckDB may read it directly.

    Without quote characters every non-blank physical line is one record, so DuckDB's row i is the
    i-th non-blank line after the header and line numbers can be recovered for the few rejects.
    """
    digest = hashlib.sha256()
    decoder = codecs.getincrementaldecoder("utf-8")()
    plain, size = want_plain, 0
    with path.open("rb") as fh:
        while chunk := fh.read(1 << 23):
            digest.update(chunk)
            size += len(chunk)
            if not plain:
                continue
            if b'"' in chunk or b"\x00" in chunk:
                plain = False
            elif b"\r" in chunk and chunk.count(b"\r") != chunk.count(b"\r\n") + chunk.endswith(b"\r"):
                plain = False  # a lone CR: line ends DuckDB and Python might split differently
            elif not chunk.isascii():
                try:
                    decoder.decode(chunk)
                except UnicodeDecodeError:
                    plain = False
    if plain:
        try:
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            plain = False
    return Scan(digest.hexdigest(), plain and size > 0)


# --- the set of known account numbers ----------------------------------------------------------


def _account_cache_path() -> Path:
    return Path(settings.BANKCRM_HOME) / "cache" / "ingest-account-nos.parquet"


def _accounts_version() -> tuple[int, int]:
    from bankcrm.customers.models import Account

    from .models import ImportedFile

    latest = ImportedFile.objects.filter(table="accounts", status=ImportedFile.Status.IMPORTED).aggregate(m=Max("pk"))[
        "m"
    ]
    return Account._base_manager.count(), latest or 0


def _write_cache(keys: pa.Table, version: tuple[int, int]) -> None:
    meta = {b"bankcrm_count": str(version[0]).encode(), b"bankcrm_version": str(version[1]).encode()}
    warehouse.write_table_atomically(_account_cache_path(), keys.replace_schema_metadata(meta))


def _cache_is_current(path: Path, version: tuple[int, int]) -> bool:
    if not path.exists():
        return False
    try:
        meta = pq.read_schema(path).metadata or {}
    except Exception:  # a damaged cache is rebuilt from the database
        return False
    return (meta.get(b"bankcrm_count"), meta.get(b"bankcrm_version")) == (
        str(version[0]).encode(),
        str(version[1]).encode(),
    )


def _cached_keys(version: tuple[int, int]) -> pa.Table | None:
    path = _account_cache_path()
    if not _cache_is_current(path, version):
        return None
    try:
        return pq.read_table(path)
    except Exception:  # a damaged cache is rebuilt from the database
        return None


def _keys_from_database() -> pa.Table:
    """Every account_no, fetched as one newline-joined text and split by pyarrow's CSV reader.

    Three million single-value rows through the DB-API cost seconds of Python objects; one
    aggregated string costs one (docs/performance.md).
    """
    from bankcrm.customers.models import Account

    table = connection.ops.quote_name(Account._meta.db_table)
    agg = (
        "string_agg(account_no, chr(10))" if connection.vendor == "postgresql" else "group_concat(account_no, char(10))"
    )
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {agg} FROM {table}")
        text = cursor.fetchone()[0]
    if not text:
        return pa.table({"account_no": pa.array([], pa.string())})
    return pcsv.read_csv(
        io.BytesIO(text.encode("utf-8")),
        read_options=pcsv.ReadOptions(column_names=["account_no"]),
        parse_options=pcsv.ParseOptions(delimiter="\x1f", quote_char=False),
        convert_options=pcsv.ConvertOptions(
            column_types={"account_no": pa.string()}, strings_can_be_null=False, quoted_strings_can_be_null=False
        ),
    )


class AccountKeys:
    """Account numbers in the store, for DuckDB joins (the cache file itself, or an Arrow table).

    Reading 3M keys from the database costs seconds, so a copy is kept beside the warehouse and
    trusted only while the accounts count and the last imported accounts file are unchanged
    (docs/adr/0201-nightly-import.md); otherwise it is rebuilt from the database.
    """

    def __init__(self):
        self._table: pa.Table | None = None
        self._current_file: Path | None = None  # the cache file, checked current, not read into memory
        self._valid_before = False
        self._loans: pa.Array | None = None  # account numbers of category loan (register_loans)

    def get(self) -> pa.Table:
        if self._table is None:
            version = _accounts_version()
            table = _cached_keys(version)
            if table is None:
                table = _keys_from_database()
                _write_cache(table, version)
            self._table = table
        return self._table

    def register(self, con) -> None:
        """Make ``known`` (known_no, kid) available to DuckDB; kid is the key's position, dense 0..n-1.

        A current cache file is scanned by DuckDB itself (in parallel, straight into the join's
        hash table) instead of being read into an Arrow table first: 0.3 s less on 3 M keys.
        """
        if self._table is None and self._current_file is None:
            path = _account_cache_path()
            if _cache_is_current(path, _accounts_version()):
                self._current_file = path
        if self._table is None and self._current_file is not None:
            try:
                con.execute(
                    f"""CREATE TEMP VIEW known AS SELECT account_no AS known_no, file_row_number AS kid
                    FROM read_parquet({_sql_str(str(self._current_file))}, file_row_number = true)"""
                )
                con.execute("SELECT count(*) FROM known").fetchone()  # a damaged file fails here, not later
                return
            except duckdb.Error:
                con.execute("DROP VIEW IF EXISTS known")
                self._current_file = None
        table = self.get()
        con.register(
            "known",
            pa.table({"known_no": table.column(0), "kid": pa.array(np.arange(table.num_rows, dtype=np.int32))}),
        )

    def register_loans(self, con) -> None:
        """Make ``known`` hold only the accounts of category ``loan`` (spec/loans.md: a loans row for
        any other account is ``unknown_reference``), with the same dense kid as ``register``.

        Loan accounts are a fraction of all accounts, so they are read from the database once per run
        (products and accounts are imported before loans, so the set cannot change after it is read).
        """
        if self._loans is None:
            from bankcrm.customers.models import Account

            numbers = list(Account._base_manager.filter(product__category="loan").values_list("account_no", flat=True))
            self._loans = pa.array(numbers, pa.string())
        con.register(
            "known",
            pa.table({"known_no": self._loans, "kid": pa.array(np.arange(len(self._loans), dtype=np.int32))}),
        )

    def prepare_for_accounts_load(self) -> None:
        """Before an accounts file is committed: remember whether the copy is current."""
        self._loans = None  # re-read after the accounts file (a new loan account may be in it)
        if self._table is None:
            self._table = _cached_keys(_accounts_version())
        self._valid_before = self._table is not None

    def accounts_loaded(self, new_keys: list[str]) -> None:
        """After an accounts file is committed: extend the copy instead of re-reading the database."""
        self._current_file = None  # the file is rewritten below (or no longer current)
        if not self._valid_before or self._table is None:
            self._table = None
            return
        con = duckdb.connect()
        old = self._table  # noqa: F841 (used by DuckDB's replacement scan)
        new = pa.table({"account_no": pa.array(new_keys, pa.string())})  # noqa: F841
        merged = con.sql("SELECT account_no FROM old UNION SELECT account_no FROM new").to_arrow_table()
        merged = merged.cast(pa.schema([("account_no", pa.string())]))
        _write_cache(merged, _accounts_version())
        self._table = merged


# --- validation ----------------------------------------------------------------------------------


@dataclass
class FactOutcome:
    rows_read: int = 0
    rows_loaded: int = 0
    rejects: list[dict] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    pre_rejects: list[dict] = field(default_factory=list)  # bad_row entries found by the Python reader
    nul_possible: bool = True  # False when DuckDB read a file scan() found plain (no NUL byte)
    writer: object = None  # fills the partition staging folder
    con: object = None


def _sql_str(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _problem_sql(spec: TableSpec, business_date: dt.date, nul_possible: bool = True) -> str:
    whens = []
    if nul_possible:
        # A NUL byte is not text (PostgreSQL refuses it): the row is bad_row, before any other check.
        # Not asked of a plain file: scan() found no NUL in it, and the test costs ~10% of the pass.
        whens += [f"WHEN contains(\"{c.name}\", chr(0)) THEN 'bad_row|{c.name}'" for c in spec.columns]
    for col in spec.columns:
        name = col.name
        q = f'"{name}"'
        if col.required:
            whens.append(f"WHEN {q} IS NULL THEN 'missing_field|{name}'")
        if spec.name in ("balances", "loans") and name == "as_of_date":
            # one file = one business date's partition (docs/adr/0201): anything else is bad_date
            whens.append(f"WHEN {q} <> '{business_date.isoformat()}' THEN 'bad_date|{name}'")
        elif col.kind == "date":
            whens.append(
                f"WHEN NOT (regexp_full_match({q}, '{SQL_PATTERNS['date']}') "
                f"AND try_strptime({q}, '%Y-%m-%d') IS NOT NULL) THEN 'bad_date|{name}'"
            )
        elif col.kind == "timestamp":
            whens.append(
                f"WHEN NOT (regexp_full_match({q}, '{SQL_PATTERNS['timestamp']}') "
                f"AND try_strptime({q}, '%Y-%m-%d %H:%M:%S') IS NOT NULL) THEN 'bad_date|{name}'"
            )
        elif col.kind in ("money", "amount"):
            whens.append(f"WHEN NOT regexp_full_match({q}, '{SQL_PATTERNS[col.kind]}') THEN 'bad_number|{name}'")
        elif col.kind == "int":
            whens.append(f"WHEN NOT regexp_full_match({q}, '{SQL_PATTERNS['int']}') THEN 'bad_number|{name}'")
        elif col.kind == "code":
            codes = ", ".join(_sql_str(c) for c in col.codes)
            whens.append(f"WHEN {q} NOT IN ({codes}) THEN 'bad_code|{name}'")
        elif col.kind == "flag":
            whens.append(f"WHEN {q} NOT IN ('Y', 'N') THEN 'bad_code|{name}'")
    return "CASE " + " ".join(whens) + " END"


# The reference check is a LEFT JOIN that hands every row the index (kid) of its known account, so
# the duplicate check needs no second hash pass over the strings (see has_dups). DuckDB's estimate for
# a CSV scan is a few dozen rows, so it would build the hash table on the file (all its columns, and
# no streaming); the build-side optimizer is switched off for that statement so the known keys are
# the build side. NULL account_no is missing_field anyway.
_CHECKED = """SELECT {t}.*, {problem} AS problem, k.kid, {unknown} AS unknown
    FROM {source} {t} LEFT JOIN known k ON {t}.account_no = k.known_no{second}"""


def _checked_sql(spec: TableSpec, t: str, problem: str, source: str) -> str:
    """``_CHECKED`` for the table; a transaction's counterparty_account is a second reference to a known
    account (empty is fine: the other side of the transfer is not in this bank, or it is not a transfer)."""
    if "counterparty_account" not in spec.column_names:
        return _CHECKED.format(t=t, problem=problem, source=source, unknown="k.kid IS NULL", second="")
    counterparty = f"nullif({t}.counterparty_account, '')"
    return _CHECKED.format(
        t=t,
        problem=problem,
        source=source,
        unknown=f"(k.kid IS NULL OR ({counterparty} IS NOT NULL AND k2.known_no IS NULL))",
        second=f" LEFT JOIN known k2 ON {counterparty} = k2.known_no",
    )


# Why an unknown row is rejected: its account_no first (the spec's column order), else its counterparty.
_WHY = """coalesce(problem, CASE WHEN kid IS NULL THEN 'unknown_reference|account_no'
    ELSE 'unknown_reference|counterparty_account' END)"""


def _create_chk(con, select_sql: str) -> None:
    con.execute("SET disabled_optimizers = 'build_side_probe_side'")
    # No try/finally: after a failed CREATE the connection is discarded (module docstring), and a
    # RESET on it would only replace the real error with ResourceInUseException.
    con.execute(f"CREATE TEMP TABLE chk AS {select_sql}")
    con.execute("RESET disabled_optimizers")


def _connect(keys: AccountKeys, threads: int | None, table: str = "balances"):
    con = duckdb.connect()
    if threads:
        con.execute(f"SET threads = {int(threads)}")
    # account numbers are unique (the primary key): one known row per account
    if table == "loans":
        keys.register_loans(con)
    else:
        keys.register(con)
    return con


def _close(con) -> None:
    with contextlib.suppress(duckdb.Error):  # closing a failed connection must not hide why it failed
        con.close()


def check(delivery_file: DeliveryFile, scan_result: Scan, keys: AccountKeys, threads: int | None = None) -> FactOutcome:
    """check_and_stage, falling back to the exact Python reader when DuckDB fails on the file.

    A DuckDB error that survives the fallback refuses the file (FileRefused): the delivery goes on.
    """
    try:
        return check_and_stage(delivery_file, scan_result, keys, threads)
    except duckdb.Error as exc:
        log.warning("%s: DuckDB failed (%s); reading it with the Python reader", delivery_file.name, exc)
    if delivery_file.ext == "csv" and scan_result.plain:
        try:
            return check_and_stage(delivery_file, Scan(scan_result.sha256, plain=False), keys, threads)
        except duckdb.Error as exc:
            raise FileRefused(f"{delivery_file.name}: could not be read ({type(exc).__name__}: {exc})") from exc
    raise FileRefused(f"{delivery_file.name}: could not be read by DuckDB")


def _cents(column: str) -> str:
    return f'CAST(CAST("{column}" AS DECIMAL(18, 2)) * 100 AS BIGINT)'


def check_and_stage(
    delivery_file: DeliveryFile, scan_result: Scan, keys: AccountKeys, threads: int | None = None
) -> FactOutcome:
    """Read and validate a fact file; return the outcome and a writer for the partition (not yet written)."""
    spec = delivery_file.spec
    out = FactOutcome()
    started = time.perf_counter()
    out.con = _connect(keys, threads, spec.name)

    def fresh():
        """A new connection for the next attempt (the old one may be unusable after an error)."""
        _close(out.con)
        out.con = _connect(keys, threads, spec.name)
        return out.con

    log.debug("%s: account keys ready at %.2fs", delivery_file.name, time.perf_counter() - started)
    problem_sql = _problem_sql(spec, delivery_file.business_date, nul_possible=False)  # the one pass: plain only
    dup_column = "account_no" if spec.name in ("balances", "loans") else spec.key[0]

    # (a balances or loans row without problem has the file's date, so account_no alone decides duplicates)
    def has_dups() -> bool:
        con = out.con
        if dup_column == "account_no":
            # Rows of known accounts: two of them share a key exactly when they share a kid, and
            # counting kids is a numpy bincount over 4-byte integers, not a hash pass over strings.
            kids = con.execute("SELECT kid FROM chk WHERE problem IS NULL AND kid IS NOT NULL").fetchnumpy()["kid"]
            if kids.size and np.bincount(np.asarray(kids, dtype=np.int64), minlength=1).max() > 1:
                return True
            # rows of unknown accounts are few (all rejected); their duplicates still count (ADR 0201 §8)
            sql = "SELECT count(*) - count(DISTINCT account_no) FROM chk WHERE problem IS NULL AND kid IS NULL"
            return bool(con.execute(sql).fetchone()[0])
        # Distinct 64-bit hashes prove there is no duplicate (cheaper than distinct strings); only on a
        # hash collision or a real duplicate is the exact count needed.
        sql = "SELECT count(*) - count(DISTINCT {}) FROM chk WHERE problem IS NULL"
        if not con.execute(sql.format(f'hash("{dup_column}")')).fetchone()[0]:
            return False
        return bool(con.execute(sql.format(f'"{dup_column}"')).fetchone()[0])

    header = _one_pass(out.con, delivery_file, scan_result, problem_sql, out)
    if header is not None and has_dups():
        header = None  # duplicates need the file order: take the row-numbered path
    if header is None:
        out.rows_read = 0
        con = fresh()
    else:
        con = out.con
    if header is not None:
        log.debug("%s: read and checked in one pass at %.2fs", delivery_file.name, time.perf_counter() - started)
        names = list(header.columns)
        bad = con.execute(
            f"""SELECT {", ".join(f'"{c}"' for c in names)}, {_WHY} AS why
            FROM chk WHERE problem IS NOT NULL OR unknown"""
        ).fetchall()
        out.rejects = _rejects_by_text(delivery_file.path, names, bad)
    else:
        out.warnings = []
        locate = _load_source(con, delivery_file, scan_result, out, fresh)
        con = out.con
        log.debug("%s: read at %.2fs", delivery_file.name, time.perf_counter() - started)
        key_cols = ", ".join(f'"{k}"' for k in spec.key)
        problem_sql = _problem_sql(spec, delivery_file.business_date, nul_possible=out.nul_possible)
        _create_chk(con, _checked_sql(spec, "src", problem_sql, "src"))
        if has_dups():
            # the first good row of a key is kept, later ones are duplicate_key
            con.execute(
                f"""UPDATE chk SET problem = 'duplicate_key|{dup_column}' WHERE rn IN (
                    SELECT rn FROM (
                        SELECT rn, row_number() OVER (PARTITION BY {key_cols} ORDER BY rn) AS i
                        FROM chk SEMI JOIN (
                            SELECT {key_cols} FROM chk WHERE problem IS NULL GROUP BY ALL HAVING count(*) > 1
                        ) d USING ({key_cols})
                        WHERE problem IS NULL
                    ) WHERE i > 1)"""
            )
        bad = con.execute(
            f"""SELECT *, {_WHY} AS why
            FROM chk WHERE problem IS NOT NULL OR unknown ORDER BY rn"""
        ).fetchall()
        names = [d[0] for d in con.description]
        rows = [dict(zip(names, row, strict=True)) for row in bad]
        where = locate([values["rn"] for values in rows])
        for values in rows:
            reason, _, column = values["why"].partition("|")
            line, raw = where[values["rn"]]
            detail = REASON_TEXT[reason].format(column=column, value=values.get(column))
            out.rejects.append({"line": line, "column": column, "reason": reason, "raw": raw, "detail": detail})
    log.debug("%s: checked at %.2fs", delivery_file.name, time.perf_counter() - started)
    out.rejects.extend(out.pre_rejects)
    out.rejects.sort(key=lambda r: r["line"])
    out.rows_loaded = out.rows_read - len(out.rejects)

    def writer(folder: Path) -> None:
        # pyarrow writes the file so its schema is exactly the warehouse contract (nullability included)
        if spec.name == "balances":
            query = f"""SELECT account_no, {_cents("balance")} AS balance_cents
                FROM chk WHERE problem IS NULL AND NOT unknown"""
            schema = warehouse.BALANCES_SCHEMA
        elif spec.name == "loans":
            query = f"""SELECT account_no, {_cents("principal")} AS principal_cents,
                {_cents("overdue_principal")} AS overdue_principal_cents,
                {_cents("overdue_interest")} AS overdue_interest_cents,
                CAST(overdue_days AS INTEGER) AS overdue_days, five_class
                FROM chk WHERE problem IS NULL AND NOT unknown"""
            schema = warehouse.LOANS_SCHEMA
        else:
            query = f"""SELECT txn_id, account_no, strptime(txn_time, '%Y-%m-%d %H:%M:%S') AS txn_time,
                {_cents("amount")} AS amount_cents, direction, channel, customer_initiated = 'Y' AS customer_initiated,
                nullif(counterparty_account, '') AS counterparty_account
                FROM chk WHERE problem IS NULL AND NOT unknown"""
            schema = warehouse.TRANSACTIONS_SCHEMA
        pq.write_table(con.sql(query).to_arrow_table().cast(schema), folder / "part-0.parquet")

    out.writer = writer
    return out


def _one_pass(con, delivery_file: DeliveryFile, scan_result: Scan, problem_sql: str, out: FactOutcome):
    """The fast path: DuckDB reads, checks and joins a plain CSV in one pass into ``chk``.

    Only when the header holds exactly the spec's columns, so a rejected row's raw line can be
    rebuilt from its values and found in the file. Returns the header, or None to take the slow path.
    """
    if delivery_file.ext != "csv" or not scan_result.plain:
        return None
    spec = delivery_file.spec
    header = read_csv_header(delivery_file.path, spec)
    out.warnings.extend(header.warnings)
    # every column of the contract but optional ones the file leaves out (the older format of a
    # table that gained a column, e.g. transactions without counterparty_account), and no extras
    if sorted(header.columns) != sorted(c for c in spec.column_names if c not in header.missing_optional):
        return None
    columns = "{" + ", ".join(f"{_sql_str(c)}: 'VARCHAR'" for c in header.columns) + "}"
    try:
        source = f"""read_csv({_sql_str(str(delivery_file.path))}, header = true, auto_detect = false,
            columns = {columns}, delim = ',', quote = '"', escape = '"', strict_mode = true,
            null_padding = false, encoding = 'utf-8')"""
        if header.missing_optional:
            absent = ", ".join(f'NULL::VARCHAR AS "{c}"' for c in header.missing_optional)
            source = f"(SELECT *, {absent} FROM {source})"
        _create_chk(con, _checked_sql(spec, "s", problem_sql, source))
    except duckdb.Error:  # a row DuckDB cannot split: the Python reader reports it as bad_row
        return None
    out.rows_read = con.execute("SELECT count(*) FROM chk").fetchone()[0]
    return header


def _rejects_by_text(path: Path, names: list[str], bad: list[tuple]) -> list[dict]:
    """Line numbers of rejected rows of a plain file, found by their text (one record per line).

    Without duplicate keys, two identical lines always get the same verdict, so every line whose
    text is a rejected row's text is that row.
    """
    if not bad:
        return []
    by_text: dict[str, tuple] = {}
    for row in bad:
        by_text[",".join("" if v is None else v for v in row[:-1])] = row
    rejects = []
    with path.open("rb") as fh:
        next(fh)  # header
        for number, data in enumerate(fh, start=2):
            text = data.decode("utf-8").rstrip("\r\n")
            row = by_text.get(text)
            if row is None:
                continue
            reason, _, column = row[-1].partition("|")
            value = row[names.index(column)]
            detail = REASON_TEXT[reason].format(column=column, value=value)
            rejects.append({"line": number, "column": column, "reason": reason, "raw": text, "detail": detail})
    return rejects


def _load_source(con, delivery_file: DeliveryFile, scan_result: Scan, out: FactOutcome, fresh):
    """Create ``src`` (rn, spec columns as text or NULL); return rns -> {rn: (line, raw)}.

    ``fresh()`` replaces the connection after DuckDB failed on the file; ``out.con`` is the one used.
    """
    spec = delivery_file.spec
    path = delivery_file.path
    if delivery_file.ext == "csv":
        header = read_csv_header(path, spec)
        out.warnings.extend(header.warnings)
        if scan_result.plain and _load_plain_csv(con, path, header):
            out.nul_possible = False  # scan() found no NUL byte in the file
            out.rows_read = con.execute("SELECT count(*) FROM raw_src").fetchone()[0]
            _src_view(con, spec, header, "raw_src", "rowid")
            return lambda rns: _locate_lines(path, rns)
        if scan_result.plain:
            con = fresh()  # DuckDB could not split it; the failed connection is not reused
        header, records = iter_csv(path, spec)
        lines, raws, columns = [], [], {name: [] for name in spec.column_names}
        for record in records:
            out.rows_read += 1
            if record.error:
                out.pre_rejects.append(
                    {
                        "line": record.line,
                        "column": None,
                        "reason": "bad_row",
                        "raw": record.raw,
                        "detail": record.error,
                    }
                )
                continue
            lines.append(record.line)
            raws.append(record.raw)
            for name in spec.column_names:
                columns[name].append(record.values[name])
        _register_text(con, columns, len(lines))
        return lambda rns: {rn: (lines[rn], raws[rn]) for rn in rns}
    return _load_parquet(con, delivery_file, out)


def _parquet_text_sql(name: str, typ: pa.DataType) -> str:
    """A native Parquet column as the text the CSV would hold (same rules as reader._column_text)."""
    q = f'"{name}"'
    if pa.types.is_string(typ) or pa.types.is_large_string(typ):
        return f"nullif({q}, '')"
    if pa.types.is_boolean(typ):
        return f"CASE WHEN {q} THEN 'Y' WHEN NOT {q} THEN 'N' END"
    if pa.types.is_timestamp(typ):
        return f"strftime({q}, '%Y-%m-%d %H:%M:%S')"
    if pa.types.is_decimal(typ) and typ.scale > 2:
        # decimal(18,4) 12.5000 is a 2-decimal amount; 1.2345 is not and stays visible as such
        two = f"CAST(CAST({q} AS DECIMAL(38, 2)) AS VARCHAR)"
        return f"CASE WHEN {q} = round({q}, 2) THEN {two} ELSE CAST({q} AS VARCHAR) END"
    return f"CAST({q} AS VARCHAR)"


def _load_parquet(con, delivery_file: DeliveryFile, out: FactOutcome):
    """Parquet facts stay in DuckDB: native values are cast to text in SQL, rn is the file's row number."""
    spec = delivery_file.spec
    path = delivery_file.path
    try:
        schema = pq.read_schema(path)
    except Exception as exc:  # pyarrow raises several types for a damaged file
        raise FileRefused(f"{path.name}: not a readable Parquet file ({exc})") from exc
    header = check_header(spec, list(schema.names), path.name)
    out.warnings.extend(header.warnings)
    cols = [
        (f'{_parquet_text_sql(c, schema.field(c).type)} AS "{c}"' if c in schema.names else f'NULL::VARCHAR AS "{c}"')
        for c in spec.column_names
    ]
    try:
        con.execute(
            f"""CREATE TEMP VIEW src AS SELECT file_row_number AS rn, {", ".join(cols)}
            FROM read_parquet({_sql_str(str(path))}, file_row_number = true)"""
        )
        out.rows_read = con.execute("SELECT count(*) FROM src").fetchone()[0]
    except duckdb.Error as exc:
        raise FileRefused(f"{path.name}: not a readable Parquet file ({exc})") from exc
    names = list(spec.column_names)

    def locate(rns):
        if not rns:
            return {}
        con.register("wanted_rns", pa.table({"rn": pa.array([int(rn) for rn in rns], pa.int64())}))
        rows = con.execute("SELECT src.* FROM src SEMI JOIN wanted_rns USING (rn)").fetchall()
        found = {}
        for row in rows:
            values = dict(zip(["rn", *names], row, strict=True))
            found[values["rn"]] = (values["rn"] + 2, render_raw(values, names))
        return found

    return locate


def _register_text(con, columns: dict[str, list], n: int) -> None:
    data = {"rn": pa.array(np.arange(n, dtype=np.int64))}
    data.update({name: pa.array(values, pa.string()) for name, values in columns.items()})
    con.register("src_arrow", pa.table(data))
    con.execute("CREATE TEMP TABLE src AS SELECT * FROM src_arrow")


def _load_plain_csv(con, path: Path, header: Header) -> bool:
    columns = "{" + ", ".join(f"{_sql_str(c)}: 'VARCHAR'" for c in header.columns) + "}"
    try:
        con.execute(
            f"""CREATE TEMP TABLE raw_src AS SELECT * FROM read_csv({_sql_str(str(path))}, header = true,
            auto_detect = false, columns = {columns}, delim = ',', quote = '"', escape = '"',
            strict_mode = true, null_padding = false, encoding = 'utf-8')"""
        )
    except duckdb.Error:  # a row DuckDB cannot split: the Python reader reports it as bad_row
        return False
    return True


def _src_view(con, spec: TableSpec, header: Header, source: str, rn: str) -> None:
    cols = [
        (f'nullif("{c}", \'\') AS "{c}"' if c in header.columns else f'NULL::VARCHAR AS "{c}"')
        for c in spec.column_names
    ]
    con.execute(f"CREATE TEMP VIEW src AS SELECT {rn} AS rn, {', '.join(cols)} FROM {source}")


def _locate_lines(path: Path, rns: list[int]) -> dict[int, tuple[int, str]]:
    """Line number and text of a few records of a plain file: record rn is the rn-th non-blank line after the header."""
    wanted = set(rns)
    found: dict[int, tuple[int, str]] = {}
    if not wanted:
        return found
    last = max(wanted)
    rn = -2  # the header is record -1
    with path.open("rb") as fh:
        for number, data in enumerate(fh, start=1):
            text = data.decode("utf-8").rstrip("\r\n")
            if number == 1 or text:
                rn += 1
            if rn in wanted and text:
                found[rn] = (number, text)
            if rn >= last:
                break
    return found
