"""The one spreadsheet helper (core/spreadsheets.py): text neutralised, numbers untouched (issue 8.14)."""

import io
from decimal import Decimal

import pytest
from openpyxl import Workbook, load_workbook

from bankcrm.core.spreadsheets import CsvWriter, append_row, csv_cells, money_cell

CASES = [
    # (value, CSV cell, reason)
    ('=HYPERLINK("http://x","y")', '\'=HYPERLINK("http://x","y")', "formula"),
    ("+1", "'+1", "a plus runs as a formula"),
    ("-2+3", "'-2+3", "text starting with '-' is text: quoted"),
    ("@SUM(A1)", "'@SUM(A1)", "Lotus-style @ function"),
    ("\t=1", "'\t=1", "tab first: some programs strip it, then run the rest"),
    ("\r=1", "'\r=1", "carriage return first, likewise"),
    ("张三", "张三", "ordinary text unchanged"),
    ("a=b", "a=b", "only the first character matters"),
    ("", "", "empty stays empty"),
]


@pytest.mark.parametrize(("value", "cell", "reason"), CASES)
def test_csv_text_cells(value, cell, reason):
    assert csv_cells([value]) == [cell], reason


def test_csv_numbers_pass_unchanged():
    buf = io.StringIO()
    CsvWriter(buf).writerow([money_cell("-20"), -3, Decimal("-0.50"), None, "-20.00", "-2+3"])
    # a plain signed decimal written as text is still a number (the specs' CSVs write money so);
    # anything more than that is neutralised
    assert buf.getvalue() == "-20.00,-3,-0.50,,-20.00,'-2+3\n"


@pytest.mark.parametrize("write_only", [False, True])
def test_xlsx_text_is_a_string_cell_numbers_stay_numbers(write_only):
    book = Workbook(write_only=write_only)
    sheet = book.create_sheet("x") if write_only else book.active
    values = [v for v, _, _ in CASES if v] + [Decimal("-20.00"), -3]
    append_row(sheet, values)
    buf = io.BytesIO()
    book.save(buf)
    row = load_workbook(io.BytesIO(buf.getvalue())).worksheets[-1][1]
    # the text itself, no quote needed (XML reads a lone CR back as LF: still text, not a formula)
    assert [c.value for c in row[:-2]] == [v.replace("\r", "\n") for v in values[:-2]]
    assert {c.data_type for c in row[:-2]} == {"s"}
    assert [(c.value, c.data_type) for c in row[-2:]] == [(-20, "n"), (-3, "n")]


def test_csv_a_lone_cr_is_quoted_so_the_row_stays_one_row():
    import csv

    buf = io.StringIO()
    writer = CsvWriter(buf)
    writer.writerow(["a", "x\ry", "\r=1", 2])
    writer.writerow(["b", "line\nbreak", "", 3])
    assert buf.getvalue() == 'a,"x\ry","\'\r=1",2\nb,"line\nbreak",,3\n'
    assert list(csv.reader(io.StringIO(buf.getvalue(), newline=""))) == [
        ["a", "x\ry", "'\r=1", "2"],
        ["b", "line\nbreak", "", "3"],
    ]
