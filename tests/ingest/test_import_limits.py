"""Values the database cannot hold are rejected rows, never a database error (issue 8, item 9).

On PostgreSQL a 300-character name or a NUL byte raised DataError and aborted the import; on SQLite
both were stored. Run this file on both (BANKCRM_DATABASE_URL=postgres://… for PostgreSQL).
"""

import pytest
from ingest_files import DAY, GOOD, base_columns, by_file
from test_bad_files import EXTRA, line_of, with_value

from bankcrm.customers.models import Customer
from bankcrm.ingest import dimensions

pytestmark = pytest.mark.django_db

# (table, column) of free text stored in a model column: each gets a 300-character value
LONG = [
    ("branches", "name"),
    ("branches", "city"),
    ("staff", "name"),
    ("products", "name"),
    ("customers", "name"),
    ("customers", "address"),
    ("customers", "id_number"),
    ("customers", "phone"),
    ("accounts", "account_no"),
    ("kyc", "customer_no"),
    ("sales", "channel"),
]


def write(d, table: str, rows: list[list[str]]):
    header = ",".join(base_columns(table)).encode() + b"\n"
    d.write(table, data=header + b"".join(line_of(r) for r in rows))


@pytest.mark.parametrize(("table", "column"), LONG)
def test_value_longer_than_its_column_is_a_too_long_reject(delivery, run_import, table, column):
    d = delivery().write_all(skip=(table,))
    write(d, table, [*GOOD[table], with_value(table, column, "长" * 300)])
    code, report = run_import(d.folder)
    entry = by_file(report)[f"{table}_{DAY}.csv"]
    assert [(r["line"], r["column"], r["reason"]) for r in entry["rejects"]] == [
        (len(GOOD[table]) + 2, column, "too_long")
    ]
    assert "300" in entry["rejects"][0]["detail"]
    assert entry["rows_loaded"] == len(GOOD[table]) == dimensions.MAPPING[table][0]._base_manager.count()
    assert code == 0 and all(f["status"] == "imported" for f in report["files"])


def test_nul_byte_and_limits_on_customers(delivery, run_import):
    d = delivery().write_all(skip=("customers",))
    rows = [
        *GOOD["customers"],
        with_value("customers", "name", "张" * 100),  # exactly the column's 100 characters: loads
        with_value("customers", "name", "李\x00四", with_value("customers", "customer_no", "C004")),
        with_value("customers", "name", "王" * 101, with_value("customers", "customer_no", "C005")),
    ]
    write(d, "customers", rows)
    code, report = run_import(d.folder)
    entry = by_file(report)[f"customers_{DAY}.csv"]
    assert [(r["line"], r["column"], r["reason"]) for r in entry["rejects"]] == [
        (5, "name", "bad_row"),
        (6, "name", "too_long"),
    ]
    assert "NUL" in entry["rejects"][0]["detail"]
    assert Customer.objects.get(customer_no=EXTRA["customers"][0]).name == "张" * 100
    assert not Customer.objects.filter(customer_no__in=["C004", "C005"]).exists()
    assert code == 0
