"""The two optional columns the contract gained (spec/batch-files.md): staff ``id_number`` and
transactions ``counterparty_account``.

Expectations written by hand from the spec: a file without the column imports exactly as before; a
file with it but an empty value is fine; a bad value is rejected with its line and the spec's reason.
Files are written as a core system exports them: every field quoted, a UTF-8 BOM, CRLF line ends.
"""

import datetime as dt

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from ingest_files import by_file

from bankcrm.core import warehouse
from bankcrm.ingest.models import ImportedFile
from bankcrm.ingest.privacy import mask_raw
from bankcrm.org.models import Staff

pytestmark = pytest.mark.django_db

STAFF_HEADER = ["staff_no", "name", "branch_code", "role", "status", "id_number"]
TXN_HEADER = [
    "txn_id",
    "account_no",
    "txn_time",
    "amount",
    "direction",
    "channel",
    "customer_initiated",
    "counterparty_account",
]
ID_X = "11010519800101018x"  # check digit X written lower-case by the core system
ID_OK = "440306197512310028"


def core_system_csv(header: list[str], rows: list[list[str]]) -> bytes:
    """Every field quoted, BOM, CRLF: what a bank's extract tool writes."""
    lines = [",".join(f'"{v}"' for v in row) for row in [header, *rows]]
    return ("\ufeff" + "\r\n".join(lines) + "\r\n").encode("utf-8")


def staff_file(d, rows, day="20261031"):
    return d.write("staff", data=core_system_csv(STAFF_HEADER, rows), day=day)


def test_staff_id_numbers_are_stored_checked_and_rejected_by_line(delivery, run_import):
    d = delivery().write_all(skip=("staff",))
    staff_file(
        d,
        [
            ["S001", "王芳", "B001", "rm", "active", ID_X],  # line 2: valid, lower-case x
            ["S002", "李强", "B001", "rm", "active", ""],  # line 3: empty is fine
            ["S003", "赵敏", "B001", "teller", "active", "440306197512310021"],  # line 4: wrong check digit
            ["S004", "钱七", "B001", "teller", "active", "44030619751231002"],  # line 5: 17 characters
            ["S005", "孙八", "B001", "advisor", "active", ID_OK],  # line 6: valid
        ],
    )
    code, report = run_import(d.folder)
    entry = by_file(report)["staff_20261031.csv"]
    assert code == 0
    assert (entry["rows_read"], entry["rows_loaded"], entry["rows_rejected"]) == (5, 3, 2)
    assert [(r["line"], r["column"], r["reason"]) for r in entry["rejects"]] == [
        (4, "id_number", "bad_code"),
        (5, "id_number", "bad_code"),
    ]
    assert "warnings" not in entry
    stored = dict(Staff.objects.values_list("staff_no", "id_number"))
    assert stored == {"S001": "11010519800101018X", "S002": "", "S005": ID_OK}


def test_rejected_staff_id_number_is_masked_in_quarantine(delivery, run_import):
    d = delivery().write_all(skip=("staff",))
    staff_file(d, [["S001", "王芳", "B001", "rm", "active", "440306197512310021"]])
    run_import(d.folder)
    imported = ImportedFile.objects.get(file_name="staff_20261031.csv")
    raw = imported.rejects.get().raw
    assert "440306197512310021" in raw  # kept verbatim in quarantine (nothing lost) ...
    assert "440306197512310021" not in mask_raw("staff", imported.header, raw)  # ... and shown masked


def test_staff_file_without_the_column_keeps_the_stored_number_and_warns_nothing(delivery, run_import):
    first = delivery("first").write_all()
    staff_file(first, [["S001", "王芳", "B001", "rm", "active", ID_OK]])
    assert run_import(first.folder)[0] == 0
    later = delivery("later")
    later.write("staff", [["S001", "王芳", "B001", "rm", "left"]], day="20261101")  # the older format
    code, report = run_import(later.folder)
    entry = by_file(report)["staff_20261101.csv"]
    assert code == 0 and (entry["rows_loaded"], entry["rows_rejected"]) == (1, 0)
    assert "warnings" not in entry
    staff = Staff.objects.get(pk="S001")
    assert (staff.status, staff.id_number) == ("left", ID_OK)
    # a file that has the column, empty, clears it
    cleared = delivery("cleared")
    staff_file(cleared, [["S001", "王芳", "B001", "rm", "left", ""]], day="20261102")
    assert run_import(cleared.folder)[0] == 0
    assert Staff.objects.get(pk="S001").id_number == ""


def partition(day="2026-10-31") -> list[dict]:
    folder = warehouse.partition_dir("transactions", dt.date.fromisoformat(day))
    return pq.read_table(folder / "part-0.parquet").sort_by("txn_id").to_pylist()


def txn(txn_id, account, counterparty, amount="60000.00", direction="D"):
    return [txn_id, account, "2026-10-31 10:00:00", amount, direction, "mobile", "Y", counterparty]


@pytest.mark.parametrize("fmt", ["core_csv", "plain_csv", "parquet"])
def test_counterparty_account_is_stored_and_checked(delivery, run_import, fmt):
    d = delivery().write_all(skip=("transactions",))
    rows = [
        txn("T1", "A001", "A002"),  # line 2: a transfer to another account of this bank
        txn("T2", "A001", ""),  # line 3: not a transfer in this bank: empty
        txn("T3", "A001", "X999"),  # line 4: an account that does not exist
        txn("T4", "Z999", "X999"),  # line 5: both unknown: account_no is named (first in column order)
        txn("T5", "A002", "A001", direction="C"),  # line 6: the other leg
    ]
    if fmt == "core_csv":
        d.write("transactions", data=core_system_csv(TXN_HEADER, rows))
    elif fmt == "plain_csv":
        d.write("transactions", data=("\n".join(",".join(r) for r in [TXN_HEADER, *rows]) + "\n").encode())
    else:
        (d.folder / "transactions_20261031.csv").unlink(missing_ok=True)
        columns = {name: [r[i] or None for r in rows] for i, name in enumerate(TXN_HEADER)}
        pq.write_table(pa.table(columns), d.folder / "transactions_20261031.parquet")
    code, report = run_import(d.folder)
    entry = next(f for f in report["files"] if f["table"] == "transactions")
    assert code == 0
    assert (entry["rows_read"], entry["rows_loaded"], entry["rows_rejected"]) == (5, 3, 2)
    assert [(r["line"], r["column"], r["reason"]) for r in entry["rejects"]] == [
        (4, "counterparty_account", "unknown_reference"),
        (5, "account_no", "unknown_reference"),
    ]
    assert [(r["txn_id"], r["account_no"], r["counterparty_account"]) for r in partition()] == [
        ("T1", "A001", "A002"),
        ("T2", "A001", None),
        ("T5", "A002", "A001"),
    ]


def test_transactions_file_without_the_column_imports_as_before(delivery, run_import):
    d = delivery().write_all()  # the hand-written GOOD files: transactions of the older format
    code, report = run_import(d.folder)
    entry = by_file(report)["transactions_20261031.csv"]
    assert code == 0 and (entry["rows_read"], entry["rows_loaded"], entry["rows_rejected"]) == (2, 2, 0)
    assert "warnings" not in entry
    assert [(r["txn_id"], r["amount_cents"], r["counterparty_account"]) for r in partition()] == [
        ("T0001", 10000, None),
        ("T0002", 35, None),
    ]
    folder = warehouse.partition_dir("transactions", dt.date(2026, 10, 31))
    assert pq.read_schema(folder / "part-0.parquet").names == warehouse.TRANSACTIONS_SCHEMA.names
