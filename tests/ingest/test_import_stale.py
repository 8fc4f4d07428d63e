"""An older dimension file does not roll back newer data (issue 8, item 11; docs/adr/0201 "Stale rows")."""

import datetime as dt

import pytest
from ingest_files import GOOD, by_file
from test_bad_files import with_value

from bankcrm.customers.models import Customer
from bankcrm.ingest.models import RejectedRow

pytestmark = pytest.mark.django_db


def customers(status: str, address: str = "北京市东城区") -> list[list[str]]:
    return [
        with_value("customers", "address", address, with_value("customers", "status", status, row))
        for row in GOOD["customers"]
    ]


def statuses() -> dict[str, str]:
    return dict(Customer.objects.values_list("customer_no", "status"))


def test_older_customers_file_resent_does_not_reopen_closed_customers(delivery, run_import):
    d = delivery("night1").write_all(skip=("customers", "accounts", "kyc", "balances", "transactions", "sales"))
    d.write("customers", customers("active"), day="20261030")
    d.write("customers", customers("closed"), day="20261031")  # the next night closes both
    run_import(d.folder)
    assert statuses() == {"C001": "closed", "C002": "closed"}
    assert Customer.objects.get(customer_no="C001").source_date == dt.date(2026, 10, 31)

    # the core re-sends the 30 October file with one byte changed (so it is not a duplicate)
    resent = delivery("resent")
    resent.write(
        "customers",
        [*customers("active", "北京市西城区"), with_value("customers", "customer_no", "C009")],
        day="20261030",
    )
    code, report = run_import(resent.folder)
    entry = by_file(report)["customers_20261030.csv"]
    assert code == 0 and entry["status"] == "imported"
    assert [(r["line"], r["column"], r["reason"]) for r in entry["rejects"]] == [
        (2, "customer_no", "stale_row"),
        (3, "customer_no", "stale_row"),
    ]
    assert "2026-10-31" in entry["rejects"][0]["detail"]
    assert entry["rows_stale"] == 2 and entry["rows_rejected"] == 2 and entry["rows_loaded"] == 1  # C009 is new
    assert entry["rows_read"] == entry["rows_loaded"] + entry["rows_rejected"]
    assert statuses() == {"C001": "closed", "C002": "closed", "C009": "active"}  # a new record applies
    assert Customer.objects.get(customer_no="C001").address == "北京市东城区"
    assert sorted(RejectedRow.objects.filter(reason="stale_row").values_list("line", flat=True)) == [2, 3]


def test_same_date_resend_applies_and_a_newer_file_applies(delivery, run_import):
    d = delivery("night").write_all(skip=("customers", "accounts", "kyc", "balances", "transactions", "sales"))
    d.write("customers", customers("closed"), day="20261031")
    run_import(d.folder)
    same = delivery("same-day")
    same.write("customers", customers("closed", "北京市朝阳区"), day="20261031")  # a corrected re-delivery
    _, report = run_import(same.folder)
    assert by_file(report)["customers_20261031.csv"]["rejects"] == []
    assert Customer.objects.get(customer_no="C002").address == "北京市朝阳区"
    newer = delivery("newer")
    newer.write("customers", customers("active"), day="20261101")  # reopened the next day
    _, report = run_import(newer.folder)
    assert by_file(report)["customers_20261101.csv"]["rejects"] == []
    assert statuses() == {"C001": "active", "C002": "active"}
    assert Customer.objects.get(customer_no="C001").source_date == dt.date(2026, 11, 1)


def test_stale_rule_holds_for_every_dimension_table(delivery, run_import):
    later = delivery("later").write_all(skip=("balances", "transactions", "sales"))
    for table in ("branches", "staff", "products", "customers", "accounts", "kyc"):
        later.write(table, day="20261101")
        (later.folder / f"{table}_20261031.csv").unlink()
    run_import(later.folder)
    older = delivery("older").write_all(skip=("balances", "transactions", "sales"))
    _, report = run_import(older.folder)  # every row of the 31 October files is older than the store
    for table in ("branches", "staff", "products", "customers", "accounts", "kyc"):
        entry = by_file(report)[f"{table}_20261031.csv"]
        assert {r["reason"] for r in entry["rejects"]} == {"stale_row"}, table
        assert entry["rows_rejected"] == len(GOOD[table]) and entry["rows_loaded"] == 0
