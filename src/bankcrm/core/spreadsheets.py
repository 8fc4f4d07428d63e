"""Every CSV and Excel export goes through here, so no exported cell can run as a formula (issue 8.14).

A spreadsheet program runs a cell as a formula when its text starts with ``=``, ``+``, ``-`` or ``@``
(and after a leading tab or carriage return, which some programs strip first). Names, notes, finding
details and quarantined raw lines come from outside the bank's control, so a customer named
``=HYPERLINK("http://x","y")`` would otherwise become a live link (or worse) in a clerk's Excel.

The rule (docs/security.md, "Spreadsheet formula injection (issue 8.14)"):

* TEXT cells — Python ``str`` values — that start with one of ``FORMULA_TRIGGERS`` get a leading
  ``'`` in CSV (Excel shows the text, not a formula; other readers see the quote and can strip it),
  and are written as explicit string cells (data_type ``s``) in xlsx, where no quote is needed.
  This includes text that legitimately starts with ``-`` (a note "-- see file", a code "-12"): it is
  text, so it is quoted; being strict here costs a visible quote, being lenient costs a formula.
* NUMBER cells — ``int``, ``Decimal``, ``float`` — are never touched: a negative balance stays the
  number -20.00 in xlsx and the text ``-20.00`` in the CSV columns the specs define as numbers.
  Exporters therefore pass money as ``Decimal`` (``money_cell``), never as preformatted text.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Iterable
from decimal import Decimal
from pathlib import Path
from typing import IO, Any

from django.utils.functional import Promise

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
CENT = Decimal("0.01")


def money_cell(value) -> Decimal:
    """A money amount as a number cell with exactly two decimals (str() gives e.g. ``-20.00``)."""
    return Decimal(value).quantize(CENT)


PLAIN_NUMBER = re.compile(r"-?[0-9]+(\.[0-9]+)?")


def csv_text(value: str) -> str:
    """A text cell that a spreadsheet would run as a formula gets a leading apostrophe.

    A plain signed decimal (``-20.00``, as the specs' CSV exports write money) is a number, not a
    formula, and stays as it is; anything more (``-2+3``, ``+1``) is neutralised.
    """
    if PLAIN_NUMBER.fullmatch(value):
        return value
    return "'" + value if value.startswith(FORMULA_TRIGGERS) else value


def csv_cells(values: Iterable[Any]) -> list:
    """None becomes an empty cell, text is neutralised, numbers and dates pass unchanged."""
    out = []
    for v in values:
        if isinstance(v, Promise):  # a lazy translation is text too
            v = str(v)
        if v is None:
            out.append("")
        elif isinstance(v, str):
            out.append(csv_text(v))
        elif isinstance(v, dt.date):
            out.append(v.isoformat())
        else:
            out.append(v)
    return out


class CsvWriter:
    """``csv.writer`` whose rows go through ``csv_cells``; the header is written as given.

    Python's csv quotes a field only for the characters of *its* line terminator, so with ``\n`` a
    field holding a lone CR went out unquoted and split the row for every reader. Each row is
    therefore formatted with ``\r\n`` (quoting both) and then ended with the terminator asked for.
    """

    def __init__(self, fh, *, lineterminator: str = "\n") -> None:
        self._fh, self._end = fh, lineterminator
        self._buf = io.StringIO()
        self._writer = csv.writer(self._buf, lineterminator="\r\n")

    def _write(self, cells: list) -> Any:
        self._buf.seek(0)
        self._buf.truncate()
        self._writer.writerow(cells)
        return self._fh.write(self._buf.getvalue()[:-2] + self._end)

    def writeheader(self, columns: Iterable[str]) -> Any:
        return self._write(list(columns))

    def writerow(self, values: Iterable[Any]) -> Any:
        return self._write(csv_cells(values))


def open_csv(path: Path) -> IO[str]:
    """A CLI export file: UTF-8, no BOM (the spec's byte format), newline handling left to csv."""
    return Path(path).open("w", newline="", encoding="utf-8")


class _Echo:
    """A write-only buffer: ``writerow`` then returns the formatted line (for streaming responses)."""

    def write(self, value: str) -> str:
        return value


def csv_line_writer(*, lineterminator: str = "\r\n") -> CsvWriter:
    """A writer whose ``writerow`` returns the line as text, for StreamingHttpResponse."""
    return CsvWriter(_Echo(), lineterminator=lineterminator)


def xlsx_cells(sheet, values: Iterable[Any]) -> list:
    """Cells for ``sheet.append``: every text value an explicit string cell, numbers untouched.

    openpyxl stores a str starting with ``=`` as a formula; forcing data_type ``s`` stores it as
    text whatever it starts with. Works for normal and write-only worksheets.
    """
    from openpyxl.cell import WriteOnlyCell

    cells = []
    for v in values:
        if isinstance(v, Promise):  # a lazy translation is text too
            v = str(v)
        if isinstance(v, str):
            cell = WriteOnlyCell(sheet, value=v)
            cell.data_type = "s"
            cells.append(cell)
        else:
            cells.append(v)
    return cells


def append_row(sheet, values: Iterable[Any]) -> None:
    sheet.append(xlsx_cells(sheet, values))
