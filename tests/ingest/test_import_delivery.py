"""A clean delivery end to end: order, database, warehouse, report, re-import."""

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from ingest_files import DAY, by_file, cells

from bankcrm.campaigns.models import Sale
from bankcrm.core import warehouse
from bankcrm.customers.models import Account, Customer, KycAssessment, Product
from bankcrm.ingest.models import ImportedFile, ImportRun
from bankcrm.org.models import Branch, Staff

pytestmark = pytest.mark.django_db


def test_clean_delivery_loads_every_table_in_dependency_order(delivery, run_import):
    d = delivery().write_all()
    code, report = run_import(d.folder)
    assert code == 0
    assert [f["table"] for f in report["files"]] == [
        "branches",
        "staff",
        "products",
        "customers",
        "accounts",
        "kyc",
        "balances",
        "loans",
        "transactions",
        "sales",
    ]
    for entry in report["files"]:
        assert entry["status"] == "imported", entry
        assert entry["rows_rejected"] == 0 and entry["rejects"] == []
        assert entry["rows_read"] == entry["rows_loaded"] > 0
    assert Branch.objects.get(code="B001").parent_id == "H001"
    assert Staff.objects.get(staff_no="S001").status == "active"
    assert Product.objects.get(code="WM01").fee_rate == Decimal("0.0150")
    assert Product.objects.get(code="DD01").term_days is None
    c1 = Customer.objects.get(customer_no="C001")
    assert (c1.birth_date, c1.rm_id, c1.marketing_consent) == (dt.date(1990, 3, 7), "S001", True)
    assert Account.objects.get(account_no="A002").branch_id is None
    assert KycAssessment.objects.get(customer_id="C001").risk_level == "C3"
    assert Sale.objects.get(sale_id="SA01").fee_income == Decimal("75.00")

    balances = pq.read_table(warehouse.partition_dir("balances", dt.date(2026, 10, 31)) / "part-0.parquet")
    assert balances.schema.equals(warehouse.BALANCES_SCHEMA, check_metadata=False)
    assert balances.to_pylist() == [
        {"account_no": "A001", "balance_cents": 123450},
        {"account_no": "A002", "balance_cents": -2000},
    ]
    txns = pq.read_table(warehouse.partition_dir("transactions", dt.date(2026, 10, 31)) / "part-0.parquet")
    # Parquet has no second-resolution timestamps: pyarrow stores timestamp[s] as milliseconds
    assert txns.cast(warehouse.TRANSACTIONS_SCHEMA).schema.names == warehouse.TRANSACTIONS_SCHEMA.names
    first = txns.to_pylist()[0]
    assert first["amount_cents"] == 10000 and first["customer_initiated"] is True
    assert first["txn_time"] == dt.datetime(2026, 10, 31, 9, 15)

    run = ImportRun.objects.get()
    assert run.status == "finished" and run.report == report
    assert ImportedFile.objects.filter(status="imported").count() == 10


def test_second_import_of_same_files_is_skipped_and_changes_nothing(delivery, run_import):
    d = delivery().write_all()
    run_import(d.folder)
    Customer.objects.filter(customer_no="C001").update(name="changed by hand")
    code, report = run_import(d.folder)
    assert code == 0
    assert {f["status"] for f in report["files"]} == {"skipped_duplicate"}
    assert all(f["rows_read"] == f["rows_loaded"] == f["rows_rejected"] == 0 for f in report["files"])
    assert Customer.objects.get(customer_no="C001").name == "changed by hand"


def test_dimension_rows_replace_records_and_keys_absent_are_kept(delivery, run_import):
    run_import(delivery("day1").write_all().folder)
    d2 = delivery("day2")
    d2.write("staff", [["S001", "王芳", "B001", "rm", "left"]], day="20261101")
    d2.write("customers", [cells("C002,李四,PASSPORT,E12345678,F,,,,,B001,,2021-05-06,closed,")], day="20261101")
    code, _report = run_import(d2.folder)
    assert code == 0
    assert Staff.objects.get(staff_no="S001").status == "left"
    assert Staff.objects.filter(staff_no="S002").exists()  # not in the file: left as it was
    c2 = Customer.objects.get(customer_no="C002")
    assert (c2.status, c2.rm_id, c2.birth_date) == ("closed", None, None)
    assert Customer.objects.get(customer_no="C001").status == "active"


def test_fact_file_replaces_its_date_only(delivery, run_import):
    run_import(delivery("day1").write_all().folder)
    d2 = delivery("day2")
    d2.write("balances", [["2026-10-31", "A001", "1.00"]])  # corrected file for the same date
    d2.write("balances", [["2026-11-01", "A002", "2.00"]], day="20261101")
    code, _report = run_import(d2.folder)
    assert code == 0
    assert warehouse.partition_dates("balances") == [dt.date(2026, 10, 31), dt.date(2026, 11, 1)]
    day1 = pq.read_table(warehouse.partition_dir("balances", dt.date(2026, 10, 31))).to_pylist()
    assert day1 == [{"account_no": "A001", "balance_cents": 100}]


def test_branch_parent_later_in_same_file_and_reference_to_earlier_file(delivery, run_import):
    d = delivery()
    d.write("branches", [["B001", "城东支行", "H001", "北京"], ["H001", "总行", "", "北京"], ["B009", "x", "NOPE", ""]])
    d.write("staff")
    _code, report = run_import(d.folder)
    files = by_file(report)
    assert files[f"branches_{DAY}.csv"]["rows_loaded"] == 2
    assert files[f"branches_{DAY}.csv"]["rejects"] == [
        {"line": 4, "column": "parent_code", "reason": "unknown_reference", "raw": "B009,x,NOPE,",
         "detail": "branches 'NOPE' does not exist"}
    ]  # fmt: skip
    assert files[f"staff_{DAY}.csv"]["rows_loaded"] == 2  # staff refer to B001 loaded just before


def test_unknown_file_names_are_warned_and_skipped(delivery, run_import):
    d = delivery().write_all(skip=("balances", "loans", "transactions", "sales", "kyc", "accounts"))
    (d.folder / "customers_2026103.csv").write_text("x")
    (d.folder / "cards_20261031.csv").write_text("x")  # not a table of the contract
    (d.folder / "README.txt").write_text("x")
    code, report = run_import(d.folder)
    assert code == 0
    assert len(report["files"]) == 4
    assert len(report["warnings"]) == 3
    assert any("cards_20261031.csv" in w for w in report["warnings"])


def test_missing_folder_is_a_clear_error():
    from django.core.management import CommandError, call_command

    with pytest.raises(CommandError, match="not found"):
        call_command("import_delivery", "/nonexistent/delivery")


def test_account_keys_follow_new_accounts_and_changes_outside_the_import(delivery, run_import):
    run_import(delivery("day1").write_all().folder)
    d2 = delivery("day2")
    d2.write("accounts", [cells("A003,C001,DD01,2026-11-01,,,active,B001")], day="20261101")
    d2.write("balances", [cells("2026-11-01,A003,5.00")], day="20261101")
    _, report = run_import(d2.folder)
    assert by_file(report)["balances_20261101.csv"]["rows_loaded"] == 1  # the account of the same delivery
    Account.objects.create(
        account_no="A004", customer_id="C001", product_id="DD01", open_date=dt.date(2026, 11, 2), status="active"
    )
    d3 = delivery("day3")
    d3.write("balances", [cells("2026-11-02,A004,6.00"), cells("2026-11-02,A999,1.00")], day="20261102")
    _, report = run_import(d3.folder)
    entry = by_file(report)["balances_20261102.csv"]
    assert entry["rows_loaded"] == 1 and [r["reason"] for r in entry["rejects"]] == ["unknown_reference"]


def test_command_line_exit_status_and_report(delivery, tmp_path):
    """The operator's view: `bankcrm import` exits 3 when a file was refused, and still writes the report."""
    import json
    import os
    import subprocess
    import sys

    d = delivery().write_all(skip=("accounts", "kyc", "balances", "loans", "transactions", "sales"))
    d.control(d.folder / f"products_{DAY}.csv", rows=99)
    src = str(Path(__file__).resolve().parents[2] / "src")  # this checkout, not an installed copy
    env = {**os.environ, "BANKCRM_HOME": str(tmp_path / "cli-home"), "PYTHONPATH": src}
    env.pop("BANKCRM_DATABASE_URL", None)
    env.pop("DJANGO_SETTINGS_MODULE", None)
    report = tmp_path / "cli-report.json"
    result = subprocess.run(
        [sys.executable, "-m", "bankcrm", "import", str(d.folder), "--report", str(report)],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert result.returncode == 3, result.stderr
    assert "products_20261031.csv" in result.stderr.strip().splitlines()[-1]
    assert f"branches_{DAY}.csv: imported — read 2, loaded 2, rejected 0" in result.stdout
    files = json.loads(report.read_text(encoding="utf-8"))["files"]
    assert [f["status"] for f in files] == ["imported", "imported", "refused", "imported"]
