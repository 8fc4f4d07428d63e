"""Reading delivery files: names, control files, CSV (Python's csv module) and Parquet (pyarrow).

Every record comes out as ``Record(line, raw, values)`` where ``values`` maps the spec's column
names to stripped text (``None`` for an empty field), or with ``error`` set for a row that cannot be
split into fields (``bad_row``). Parquet's native types are turned into the same text the CSV
would hold, so one validator serves both formats.
"""

import csv
import datetime as dt
import decimal
import hashlib
import io
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from .tables import FILE_NAME_RE, TABLE_ORDER, TABLES, TableSpec

BOM = "\ufeff"


class FileRefused(Exception):
    """The whole file is not loaded; the message is the report's ``reason``."""


@dataclass
class DeliveryFile:
    path: Path
    table: str
    business_date: dt.date
    ext: str

    @property
    def name(self) -> str:
        return self.path.name

    @property
    def spec(self) -> TableSpec:
        return TABLES[self.table]

    def sort_key(self):
        return (TABLE_ORDER.index(self.table), self.business_date, self.ext, self.name)


@dataclass
class Record:
    line: int
    raw: str
    values: dict[str, str | None] | None = None
    error: str | None = None  # set for bad_row


@dataclass
class Header:
    columns: list[str]  # as in the file
    warnings: list[str] = field(default_factory=list)
    missing_optional: list[str] = field(default_factory=list)


def discover(folder: Path) -> tuple[list[DeliveryFile], list[str]]:
    """The delivery's data files in import order, and warnings for names that are not part of the contract."""
    files, warnings = [], []
    for path in sorted(folder.iterdir()):
        name = path.name
        if name.startswith(".") or name.endswith(".ok"):
            continue  # hidden files and control files are not data files
        match = FILE_NAME_RE.match(name)
        table_ok = match is not None and match["table"] in TABLES
        day = None
        if table_ok:
            try:
                day = dt.datetime.strptime(match["date"], "%Y%m%d").date()  # noqa: DTZ007 (a calendar date)
            except ValueError:
                day = None
        if not path.is_file() or not table_ok or day is None:
            warnings.append(f"{name}: not a delivery file (<table>_<YYYYMMDD>.csv|parquet); skipped")
            continue
        files.append(DeliveryFile(path, match["table"], day, match["ext"]))
    files.sort(key=DeliveryFile.sort_key)
    return files, warnings


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while chunk := fh.read(1 << 23):
            digest.update(chunk)
    return digest.hexdigest()


def control_file_for(path: Path) -> Path | None:
    """``<file>.ok`` (customers_20261031.csv.ok) or, as some cores write it, ``<stem>.ok``."""
    for candidate in (path.with_name(path.name + ".ok"), path.with_name(path.stem + ".ok")):
        if candidate.is_file():
            return candidate
    return None


def read_control_file(path: Path) -> tuple[int, str]:
    """Return (rows, sha256) from a control file; refuse the data file if it is not readable."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise FileRefused(f"control file {path.name} unreadable: {exc}") from exc
    values = {}
    for raw in text.splitlines():
        if "=" in raw:
            key, _, value = raw.partition("=")
            values[key.strip().lower()] = value.strip()
    if "rows" not in values or "sha256" not in values:
        raise FileRefused(f"control file {path.name} must hold rows=<N> and sha256=<hex>")
    try:
        rows = int(values["rows"])
    except ValueError as exc:
        raise FileRefused(f"control file {path.name}: rows={values['rows']!r} is not a number") from exc
    return rows, values["sha256"].lower()


def check_header(spec: TableSpec, columns: list[str], file_name: str) -> Header:
    header = Header(columns=columns)
    seen = set()
    for col in columns:
        if col in seen:
            raise FileRefused(f"{file_name}: column {col!r} appears twice in the header")
        seen.add(col)
    missing_required = [c for c in spec.required_columns if c not in seen]
    if missing_required:
        raise FileRefused(f"{file_name} line 1: missing required column(s) {', '.join(missing_required)}")
    header.missing_optional = [c for c in spec.column_names if c not in seen]
    # a column added to the contract later (tables.Column.added_later) is simply the older format
    later = {c.name for c in spec.columns if c.added_later}
    warned = [c for c in header.missing_optional if c not in later]
    if warned:
        header.warnings.append(f"{file_name} line 1: optional column(s) {', '.join(warned)} absent; loaded as empty")
    extra = [c for c in columns if c not in spec.column_names]
    if extra:
        header.warnings.append(f"{file_name} line 1: extra column(s) {', '.join(extra)} ignored")
    return header


def _clean(value: str | None) -> str | None:
    # A value is taken exactly as written (no trimming: " 12.00" is not a number); empty means null.
    return value or None


class _LineFeed:
    """Feeds csv.reader one decoded physical line at a time and remembers them, for ``line`` and ``raw``."""

    def __init__(self, fh):
        self.fh = fh
        self.lineno = 0
        self.buffer: list[str] = []
        self.bad_encoding: str | None = None

    def __iter__(self):
        return self

    def __next__(self) -> str:
        data = next(self.fh)
        self.lineno += 1
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as exc:
            text = data.decode("utf-8", "backslashreplace")
            if self.bad_encoding is None:
                self.bad_encoding = f"line {self.lineno}: not UTF-8 ({exc.reason} at byte {exc.start})"
        if self.lineno == 1 and text.startswith(BOM):
            text = text[1:]
        self.buffer.append(text)
        return text

    def take(self) -> str:
        raw = "".join(self.buffer)
        self.buffer.clear()
        if raw.endswith("\r\n"):
            raw = raw[:-2]
        elif raw.endswith(("\n", "\r")):
            raw = raw[:-1]
        return raw


def read_csv_header(path: Path, spec: TableSpec) -> Header:
    with path.open("rb") as fh:
        feed = _LineFeed(fh)
        reader = csv.reader(feed, strict=True)
        try:
            columns = next(reader)
        except StopIteration:
            raise FileRefused(f"{path.name}: empty file, no header line") from None
        except csv.Error as exc:
            raise FileRefused(f"{path.name} line 1: header unreadable ({exc})") from exc
        if feed.bad_encoding:
            raise FileRefused(f"{path.name} line 1: header is not UTF-8; is the file in another encoding (GBK)?")
    return check_header(spec, columns, path.name)


def iter_csv(path: Path, spec: TableSpec) -> tuple[Header, Iterator[Record]]:
    """The header and an iterator of records; the header is checked before any record is read."""
    header = read_csv_header(path, spec)

    def records() -> Iterator[Record]:
        positions = [(name, header.columns.index(name)) for name in spec.column_names if name in header.columns]
        width = len(header.columns)
        with path.open("rb") as fh:
            feed = _LineFeed(fh)
            reader = csv.reader(feed, strict=True)
            next(reader)
            feed.take()
            while True:
                start = feed.lineno + 1
                feed.bad_encoding = None
                try:
                    fields = next(reader)
                except StopIteration:
                    return
                except csv.Error as exc:
                    if "field limit" in str(exc):  # a 10 MB line: no field of the contract is that long
                        error = f"a field is longer than {csv.field_size_limit()} characters"
                    else:
                        error = f"bad quoting: {exc}"
                    yield Record(start, feed.take(), error=error)
                    continue
                raw = feed.take()
                if feed.bad_encoding:
                    yield Record(start, raw, error=f"bad encoding, {feed.bad_encoding}")
                elif not fields:
                    continue  # a blank line holds no record
                elif len(fields) != width:
                    yield Record(start, raw, error=f"expected {width} fields, found {len(fields)}")
                else:
                    values = {name: _clean(fields[i]) for name, i in positions}
                    for name in header.missing_optional:
                        values[name] = None
                    yield Record(start, raw, values)

    return header, records()


# --- Parquet -------------------------------------------------------------------------------------


def _decimal_text(value: decimal.Decimal) -> str:
    # A native decimal(18,4) 12.3400 is a 2-decimal amount; 12.3450 is not and stays visible as such.
    quantized = value.quantize(decimal.Decimal("0.01")) if value.as_tuple().exponent < -2 else value
    return str(quantized if quantized == value else value)


def _column_text(array: pa.ChunkedArray) -> list[str | None]:
    typ = array.type
    values = array.to_pylist()
    if pa.types.is_string(typ) or pa.types.is_large_string(typ):
        return [_clean(v) for v in values]
    if pa.types.is_boolean(typ):
        return [None if v is None else ("Y" if v else "N") for v in values]
    if pa.types.is_timestamp(typ):
        return [None if v is None else v.strftime("%Y-%m-%d %H:%M:%S") for v in values]
    if pa.types.is_date(typ):
        return [None if v is None else v.isoformat() for v in values]
    if pa.types.is_decimal(typ):
        return [None if v is None else _decimal_text(v) for v in values]
    return [None if v is None else _clean(str(v)) for v in values]


def read_parquet(path: Path, spec: TableSpec) -> tuple[Header, pa.Table]:
    try:
        schema = pq.read_schema(path)
    except Exception as exc:  # pyarrow raises several types for a damaged file
        raise FileRefused(f"{path.name}: not a readable Parquet file ({exc})") from exc
    header = check_header(spec, list(schema.names), path.name)
    wanted = [c for c in spec.column_names if c in schema.names]
    try:
        table = pq.read_table(path, columns=wanted)
    except Exception as exc:
        raise FileRefused(f"{path.name}: not a readable Parquet file ({exc})") from exc
    return header, table


def parquet_text_columns(table: pa.Table, spec: TableSpec) -> dict[str, list[str | None]]:
    n = table.num_rows
    return {
        name: (_column_text(table.column(name)) if name in table.column_names else [None] * n)
        for name in spec.column_names
    }


def iter_parquet(path: Path, spec: TableSpec) -> tuple[Header, Iterator[Record]]:
    header, table = read_parquet(path, spec)
    columns = parquet_text_columns(table, spec)

    def records() -> Iterator[Record]:
        names = list(columns)
        for i in range(table.num_rows):
            values = {name: columns[name][i] for name in names}
            yield Record(i + 2, render_raw(values, names), values)

    return header, records()


def render_raw(values: dict[str, str | None], names: list[str]) -> str:
    """A Parquet row as the CSV line it would have been (the quarantine keeps text)."""
    out = io.StringIO()
    csv.writer(out, lineterminator="").writerow(["" if values[n] is None else values[n] for n in names])
    return out.getvalue()


def iter_records(delivery_file: DeliveryFile) -> tuple[Header, Iterator[Record]]:
    if delivery_file.ext == "csv":
        return iter_csv(delivery_file.path, delivery_file.spec)
    return iter_parquet(delivery_file.path, delivery_file.spec)
