"""Writing delivery files: CSV lines built column-wise with pyarrow, plus the `.ok` control file.

Values generated here never contain a comma, quote or line break, so no field needs RFC 4180
quoting and a line is simply the fields joined by commas. Money is integer cents formatted
with integer arithmetic only (no float ever formats a balance).
"""

import datetime as dt
import hashlib
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

Column = pa.Array | str | np.ndarray


def money(cents: np.ndarray) -> pa.Array:
    """Integer cents -> '1234.50' / '-20.00' strings."""
    cents = np.asarray(cents, dtype=np.int64)
    absolute = np.abs(cents)
    text = pc.binary_join_element_wise(
        pa.array(absolute // 100).cast(pa.string()),
        pc.utf8_lpad(pa.array(absolute % 100).cast(pa.string()), 2, "0"),
        ".",
    )
    negative = cents < 0
    if negative.any():
        text = pc.if_else(pa.array(negative), pc.binary_join_element_wise("-", text, ""), text)
    return text


def money_str(cents: int) -> str:
    sign = "-" if cents < 0 else ""
    units, frac = divmod(abs(int(cents)), 100)
    return f"{sign}{units}.{frac:02d}"


def padded(numbers: np.ndarray, width: int, prefix: str = "") -> pa.Array:
    """Zero-padded decimal strings with a fixed prefix, e.g. C000000123."""
    text = pc.utf8_lpad(pa.array(np.asarray(numbers, dtype=np.int64)).cast(pa.string()), width, "0")
    return pc.binary_join_element_wise(prefix, text, "") if prefix else text


def day_strings(base: dt.date, days: np.ndarray) -> np.ndarray:
    """Day offsets from `base` -> 'YYYY-MM-DD' (numpy unicode array)."""
    stamps = np.datetime64(base, "D") + np.asarray(days, dtype=np.int64).astype("timedelta64[D]")
    return np.datetime_as_string(stamps, unit="D")


def _as_column(value: Column):
    if isinstance(value, str):
        return value
    if isinstance(value, np.ndarray):
        return pa.array(value.astype(str) if value.dtype.kind != "U" else value, type=pa.string())
    return value


def csv_lines(columns: list[Column]) -> bytes:
    """Join columns (arrays, or strings repeated on every row) into newline-terminated CSV lines."""
    cols = [_as_column(c) for c in columns]
    joined = pc.binary_join_element_wise(*cols, ",") if len(cols) > 1 else cols[0]
    if isinstance(joined, pa.ChunkedArray):
        joined = joined.combine_chunks()
    lines = pc.binary_join_element_wise(joined, "", "\n")
    if len(lines) == 0:
        return b""
    if lines.null_count:
        raise ValueError("null in a generated CSV column")
    offsets = np.frombuffer(lines.buffers()[1], dtype=np.int32)[lines.offset : lines.offset + len(lines) + 1]
    return lines.buffers()[2].to_pybytes()[offsets[0] : offsets[-1]]


class DeliveryFile:
    """One data file of the delivery; `close()` writes `<name>.ok` with rows and sha256."""

    def __init__(self, out_dir: Path, table: str, day: dt.date, header: tuple[str, ...], fmt: str = "csv"):
        self.name = f"{table}_{day:%Y%m%d}.{fmt}"
        self.table = table
        self.day = day
        self.path = out_dir / self.name
        self.rows = 0
        self._header = header
        self._sha = hashlib.sha256()
        if fmt == "csv":
            self._sink: _CsvSink | _ParquetSink = _CsvSink(self.path, header, self._sha)
        elif fmt == "parquet":
            self._sink = _ParquetSink(self.path, header)
        else:
            raise ValueError(f"unknown format {fmt!r} (csv or parquet)")

    def write_columns(self, columns: list[Column]) -> None:
        self.rows += self._sink.write_columns(columns)

    def write_row(self, fields: list[str]) -> int:
        """Write one row given as strings; returns its line number (header = line 1; Parquet: row index + 2)."""
        if len(fields) != len(self._header):
            raise ValueError(f"{self.name}: row has {len(fields)} fields, header {len(self._header)}")
        self._sink.write_row(fields)
        self.rows += 1
        return self.rows + 1

    def close(self) -> None:
        self._sink.close()
        if isinstance(self._sink, _ParquetSink):
            with self.path.open("rb") as fh:
                for block in iter(lambda: fh.read(1 << 20), b""):
                    self._sha.update(block)
        ok = self.path.with_name(self.name + ".ok")
        ok.write_text(f"rows={self.rows}\nsha256={self._sha.hexdigest()}\n", encoding="ascii")


class _CsvSink:
    def __init__(self, path: Path, header: tuple[str, ...], sha) -> None:
        self._sha = sha
        self._fh = path.open("wb")
        self._write(",".join(header).encode() + b"\n")

    def _write(self, data: bytes) -> None:
        self._fh.write(data)
        self._sha.update(data)

    def write_columns(self, columns: list[Column]) -> int:
        data = csv_lines(columns)
        self._write(data)
        return data.count(b"\n")

    def write_row(self, fields: list[str]) -> None:
        self._write((",".join(fields) + "\n").encode())

    def close(self) -> None:
        self._fh.close()


class _ParquetSink:
    """The same columns as the CSV, as Parquet strings; an empty field is a null."""

    def __init__(self, path: Path, header: tuple[str, ...]) -> None:
        import pyarrow.parquet as pq

        self._schema = pa.schema([(name, pa.string()) for name in header])
        self._writer = pq.ParquetWriter(path, self._schema, compression="zstd")
        self._pending: list[list[str]] = []

    def _table(self, columns: list) -> pa.Table:
        arrays = []
        for col in columns:
            arr = col if isinstance(col, pa.Array) else pa.array(col, type=pa.string())
            arrays.append(pc.if_else(pc.equal(arr, ""), pa.scalar(None, pa.string()), arr))
        return pa.Table.from_arrays(arrays, schema=self._schema)

    def _flush(self) -> None:
        if self._pending:
            self._writer.write_table(self._table([list(col) for col in zip(*self._pending, strict=True)]))
            self._pending = []

    def write_columns(self, columns: list[Column]) -> int:
        self._flush()
        n = max(len(c) for c in columns if not isinstance(c, str))
        cols = [pa.array([c] * n, type=pa.string()) if isinstance(c, str) else _as_column(c) for c in columns]
        if n:
            self._writer.write_table(self._table(cols))
        return n

    def write_row(self, fields: list[str]) -> None:
        self._pending.append(fields)

    def close(self) -> None:
        self._flush()
        self._writer.close()
