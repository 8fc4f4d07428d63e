"""The loans file (spec/loans.md, spec/batch-files.md): a fact file with every guarantee of balances.

Expectations are written by hand from the spec: which rows load, and each rejected row's line and reason.
"""

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from ingest_files import by_file

from bankcrm.core import warehouse

pytestmark = pytest.mark.django_db

# GOOD (conftest) holds the loan product LN01 and the loan accounts L001 (C001) and L002 (C002).
HEADER = "as_of_date,account_no,principal,overdue_principal,overdue_interest,overdue_days,five_class"


def loans_delivery(delivery, loans_text: str, *, skip=(), name="delivery"):
    d = delivery(name)
    d.write_all(skip=skip)
    d.write("loans", text=loans_text)
    return d


def partition(day="2026-10-31") -> list[dict]:
    import datetime as dt

    folder = warehouse.partition_dir("loans", dt.date.fromisoformat(day))
    return pq.read_table(folder / "part-0.parquet").sort_by("account_no").to_pylist()


def test_good_loans_file_is_stored_in_cents(delivery, run_import):
    text = (
        f"{HEADER}\n2026-10-31,L001,500000.00,3000.50,120.25,45,special_mention\n2026-10-31,L002,80000,0,0,0,normal\n"
    )
    d = loans_delivery(delivery, text)
    code, report = run_import(d.folder)
    assert code == 0
    entry = by_file(report)["loans_20261031.csv"]
    assert (entry["status"], entry["rows_read"], entry["rows_loaded"], entry["rows_rejected"]) == ("imported", 2, 2, 0)
    assert partition() == [
        {
            "account_no": "L001",
            "principal_cents": 50000000,
            "overdue_principal_cents": 300050,
            "overdue_interest_cents": 12025,
            "overdue_days": 45,
            "five_class": "special_mention",
        },
        {
            "account_no": "L002",
            "principal_cents": 8000000,
            "overdue_principal_cents": 0,
            "overdue_interest_cents": 0,
            "overdue_days": 0,
            "five_class": "normal",
        },
    ]
    assert pq.read_schema(
        warehouse.partition_dir("loans", __import__("datetime").date(2026, 10, 31)) / "part-0.parquet"
    ).equals(warehouse.LOANS_SCHEMA)


BAD_ROWS = [
    # (row, reason, column) — one reject per row, the first problem in the spec's column order
    ("2026-10-31,A999,100.00,0,0,0,normal", "unknown_reference", "account_no"),
    ("2026-10-31,A001,100.00,0,0,0,normal", "unknown_reference", "account_no"),  # a demand deposit, not a loan
    ("2026-10-31,L002,-1.00,0,0,0,normal", "bad_number", "principal"),
    ("2026-10-31,L002,1.00,-5.00,0,3,special_mention", "bad_number", "overdue_principal"),
    ("2026-10-31,L002,1.00,0,1.234,3,special_mention", "bad_number", "overdue_interest"),
    ("2026-10-31,L002,1.00,0,0,-1,normal", "bad_number", "overdue_days"),
    ("2026-10-31,L002,1.00,0,0,1.5,normal", "bad_number", "overdue_days"),
    ("2026-10-31,L002,1.00,0,0,0,Normal", "bad_code", "five_class"),
    ("2026-10-31,L002,1.00,0,0,0,", "missing_field", "five_class"),
    ("2026-10-30,L002,1.00,0,0,0,normal", "bad_date", "as_of_date"),
]


@pytest.mark.parametrize("parquet", [False, True], ids=["csv", "parquet"])
def test_bad_rows_are_rejected_by_line_and_reason(delivery, run_import, parquet):
    good = "2026-10-31,L001,500000.00,0,0,0,normal"
    dup = "2026-10-31,L001,1.00,0,0,0,normal"  # same key as line 2: the first row is kept
    lines = [good, *[row for row, _, _ in BAD_ROWS], dup]
    d = loans_delivery(delivery, HEADER + "\n" + "\n".join(lines) + "\n")
    name = "loans_20261031.csv"
    if parquet:
        csv_path = d.folder / name
        rows = [line.split(",") for line in lines]
        cols = HEADER.split(",")
        pq.write_table(
            pa.table({c: [r[i] or None for r in rows] for i, c in enumerate(cols)}),
            d.folder / "loans_20261031.parquet",
        )
        csv_path.unlink()
        name = "loans_20261031.parquet"
    code, report = run_import(d.folder)
    assert code == 0
    entry = by_file(report)[name]
    assert entry["status"] == "imported"
    expected = [(i + 3, reason, column) for i, (_, reason, column) in enumerate(BAD_ROWS)]
    expected.append((len(lines) + 1, "duplicate_key", "account_no"))
    assert [(r["line"], r["reason"], r["column"]) for r in entry["rejects"]] == expected
    assert entry["rows_read"] == len(lines) == entry["rows_loaded"] + entry["rows_rejected"]
    assert entry["rows_loaded"] == 1
    assert [r["principal_cents"] for r in partition()] == [50000000]


def test_same_bytes_skipped_and_a_new_file_replaces_the_date(delivery, run_import):
    text = f"{HEADER}\n2026-10-31,L001,500000.00,0,0,0,normal\n"
    d = loans_delivery(delivery, text)
    run_import(d.folder)
    code, report = run_import(d.folder)
    assert code == 0
    assert by_file(report)["loans_20261031.csv"]["status"] == "skipped_duplicate"
    d.write("loans", text=f"{HEADER}\n2026-10-31,L002,70000.00,100.00,5.00,12,special_mention\n")
    code, report = run_import(d.folder)
    assert code == 0
    assert by_file(report)["loans_20261031.csv"]["status"] == "imported"
    assert [r["account_no"] for r in partition()] == ["L002"]


def test_loans_file_for_a_date_without_balances_imports(delivery, run_import):
    d = loans_delivery(delivery, f"{HEADER}\n2026-10-31,L001,500000.00,0,0,0,normal\n", skip=("balances",))
    code, report = run_import(d.folder)
    assert code == 0
    files = by_file(report)
    assert "balances_20261031.csv" not in files
    entry = files["loans_20261031.csv"]
    assert (entry["status"], entry["rows_loaded"]) == ("imported", 1)


def test_loans_are_imported_after_balances_and_before_transactions(delivery, run_import):
    d = loans_delivery(delivery, f"{HEADER}\n2026-10-31,L001,500000.00,0,0,0,normal\n")
    code, report = run_import(d.folder)
    assert code == 0
    tables = [f["table"] for f in report["files"]]
    assert tables.index("balances") < tables.index("loans") < tables.index("transactions")
