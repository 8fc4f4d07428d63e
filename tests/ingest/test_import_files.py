"""Control files, Parquet input, and crash safety (a killed import re-run equals an uninterrupted one)."""

import datetime as dt
from decimal import Decimal

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from ingest_files import DAY, by_file

from bankcrm.campaigns.models import Sale
from bankcrm.core import warehouse
from bankcrm.customers.models import Account, Customer, KycAssessment, Product
from bankcrm.ingest import dimensions
from bankcrm.ingest.models import ImportedFile, QualityFinding
from bankcrm.org.models import Branch, Staff

pytestmark = pytest.mark.django_db


def test_control_files_good_bad_sha_bad_rows(delivery, run_import):
    d = delivery().write_all(skip=("kyc", "transactions", "sales"))
    d.control(d.folder / f"branches_{DAY}.csv", rows=2)  # <file>.ok
    d.control(d.folder / f"staff_{DAY}.csv", rows=2, name=f"staff_{DAY}.ok")  # <stem>.ok
    d.control(d.folder / f"products_{DAY}.csv", rows=3, sha="0" * 64)
    d.control(d.folder / f"balances_{DAY}.csv", rows=3)  # the file has 2 data rows
    code, report = run_import(d.folder)
    files = by_file(report)
    assert files[f"branches_{DAY}.csv"]["status"] == "imported"
    assert files[f"staff_{DAY}.csv"]["status"] == "imported"
    products = files[f"products_{DAY}.csv"]
    assert products["status"] == "refused" and "sha256" in products["reason"]
    assert not Product.objects.exists()
    balances = files[f"balances_{DAY}.csv"]
    assert balances["status"] == "refused" and "rows=3" in balances["reason"] and "2 data rows" in balances["reason"]
    assert warehouse.partition_dates("balances") == []
    assert code == 3
    # customers/accounts refer to products that were refused: their rows are rejected, not lost
    accounts = files[f"accounts_{DAY}.csv"]
    assert {r["reason"] for r in accounts["rejects"]} == {"unknown_reference"}
    # a refused file is not remembered as imported: fixed and re-delivered, it loads
    d.control(d.folder / f"products_{DAY}.csv", rows=3)
    code, report = run_import(d.folder)
    assert by_file(report)[f"products_{DAY}.csv"]["status"] == "imported"
    assert by_file(report)[f"branches_{DAY}.csv"]["status"] == "skipped_duplicate"


def test_parquet_input_with_native_types(delivery, run_import):
    d = delivery().write_all(skip=("customers", "balances", "transactions", "accounts", "kyc", "sales"))
    pq.write_table(
        pa.table(
            {
                "customer_no": ["C001", "C002"],
                "name": ["张三", "李四"],
                "id_type": ["ID_CARD", "PASSPORT"],
                "id_number": ["110105199003071239", "E1"],
                "gender": ["M", None],
                "birth_date": pa.array([dt.date(1990, 3, 7), None], pa.date32()),
                "phone": ["13812345678", None],
                "address": [None, None],
                "occupation": [None, None],
                "branch_code": ["B001", "B001"],
                "rm_staff_no": ["S001", "S001"],
                "onboard_date": pa.array([dt.date(2020, 1, 1), dt.date(2020, 1, 2)], pa.date32()),
                "status": ["active", "active"],
                "marketing_consent": pa.array([True, None], pa.bool_()),
            }
        ),
        d.folder / f"customers_{DAY}.parquet",
    )
    d.write("accounts", [["A001", "C001", "DD01", "2020-01-01", "", "", "active", "B001"]])
    pq.write_table(
        pa.table(
            {
                "as_of_date": pa.array([dt.date(2026, 10, 31)] * 3, pa.date32()),
                "account_no": ["A001", "A001", "A002"],
                "balance": pa.array([Decimal("12.5000"), Decimal("1.2345"), Decimal("3.00")], pa.decimal128(18, 4)),
            }
        ),
        d.folder / f"balances_{DAY}.parquet",
    )
    pq.write_table(
        pa.table(
            {
                "txn_id": ["T1"],
                "account_no": ["A001"],
                "txn_time": pa.array([dt.datetime(2026, 10, 31, 8, 30)], pa.timestamp("s")),
                "amount": pa.array([Decimal("5.10")], pa.decimal128(10, 2)),
                "direction": ["C"],
                "channel": ["atm"],
                "customer_initiated": pa.array([False]),
            }
        ),
        d.folder / f"transactions_{DAY}.parquet",
    )
    (d.folder / "transactions_20261101.parquet").write_bytes(b"PAR1 not really")
    code, report = run_import(d.folder)
    assert code == 3
    files = by_file(report)
    damaged = files["transactions_20261101.parquet"]
    assert damaged["status"] == "refused" and "Parquet" in damaged["reason"]
    assert files[f"customers_{DAY}.parquet"]["rows_loaded"] == 2
    c1 = Customer.objects.get(customer_no="C001")
    assert (c1.birth_date, c1.marketing_consent) == (dt.date(1990, 3, 7), True)
    assert Customer.objects.get(customer_no="C002").marketing_consent is None
    balances = files[f"balances_{DAY}.parquet"]
    # Parquet lines are row index + 2; 1.2345 has 4 decimals; A002 does not exist
    assert [(r["line"], r["reason"]) for r in balances["rejects"]] == [(3, "bad_number"), (4, "unknown_reference")]
    day = dt.date(2026, 10, 31)
    stored = pq.read_table(warehouse.partition_dir("balances", day)).to_pylist()
    assert stored == [{"account_no": "A001", "balance_cents": 1250}]
    txn = pq.read_table(warehouse.partition_dir("transactions", day)).to_pylist()[0]
    assert (txn["amount_cents"], txn["customer_initiated"], txn["txn_time"]) == (
        510,
        False,
        dt.datetime(2026, 10, 31, 8, 30),
    )


def snapshot():
    """Everything an import changes, as plain values."""
    tables = {}
    for model in (Branch, Staff, Product, Customer, Account, KycAssessment, Sale):
        fields = [f.attname for f in model._meta.concrete_fields if f.name not in ("id", "created", "last_updated")]
        tables[model.__name__] = sorted(model.objects.values_list(*fields))
    tables["findings"] = sorted(QualityFinding.objects.values_list("customer_id", "finding", "detail"))
    for table in warehouse.FACT_PARTITION_KEY:
        tables[table] = {
            day: sorted(pq.read_table(warehouse.partition_dir(table, day)).to_pylist(), key=str)
            for day in warehouse.partition_dates(table)
        }
        leftovers = [p.name for p in warehouse.fact_dir(table).iterdir() if p.name.startswith(".")]
        tables[f"{table}-leftovers"] = leftovers
    tables["imported"] = sorted(ImportedFile.objects.filter(status="imported").values_list("file_name", "sha256"))
    return tables


def wipe():
    for model in (Sale, KycAssessment, Account, Customer, Product, Staff):
        model.objects.all().delete()
    Branch.objects.exclude(parent=None).delete()
    Branch.objects.all().delete()
    ImportedFile.objects.all().delete()
    QualityFinding.objects.all().delete()
    import shutil

    shutil.rmtree(warehouse.warehouse_dir(), ignore_errors=True)


class Killed(Exception):
    pass


def test_killed_import_rerun_equals_uninterrupted(delivery, run_import, monkeypatch):
    d = delivery().write_all()
    real_upsert = dimensions.upsert

    def dying_upsert(table, rows, progress=None, **kwargs):
        if table == "customers":
            real_upsert(table, rows[:1], progress, **kwargs)  # the first batch is already in the database
            raise Killed("power cut")
        return real_upsert(table, rows, progress, **kwargs)

    monkeypatch.setattr(dimensions, "upsert", dying_upsert)
    with pytest.raises(Killed):
        run_import(d.folder)
    assert not Customer.objects.exists()  # the whole customers file rolled back
    assert Branch.objects.count() == 2  # files before it stay committed
    monkeypatch.undo()

    # and die again, this time while a balances partition is being written
    from bankcrm.ingest import facts

    real_check = facts.check_and_stage

    def dying_check(*args, **kwargs):
        outcome = real_check(*args, **kwargs)
        real_writer = outcome.writer

        def writer(folder):
            real_writer(folder)
            raise Killed("disk full")

        outcome.writer = writer
        return outcome

    monkeypatch.setattr(facts, "check_and_stage", dying_check)
    with pytest.raises(Killed):
        run_import(d.folder)
    monkeypatch.undo()
    assert warehouse.partition_dates("balances") == []

    code, _ = run_import(d.folder)
    assert code == 0
    after_crashes = snapshot()

    wipe()
    code, _ = run_import(d.folder)
    assert code == 0
    assert snapshot() == after_crashes
    assert after_crashes["Customer"] and after_crashes["balances"]


def test_fact_file_control_checks_come_before_its_content(delivery, run_import):
    """A balances file is read while it is hashed, but a wrong sha256 is still the reason given,
    and a re-delivered file is still recognised before its (now refused) content matters."""
    d = delivery().write_all(skip=("transactions", "sales"))
    code, _ = run_import(d.folder)
    assert code == 0
    d.write("balances", text="as_of_date,balance\n2026-10-31,1.00\n")  # account_no missing: refused
    d.control(d.folder / f"balances_{DAY}.csv", rows=1, sha="0" * 64)
    code, report = run_import(d.folder)
    balances = by_file(report)[f"balances_{DAY}.csv"]
    assert code == 3 and balances["status"] == "refused" and "sha256 mismatch" in balances["reason"]
    d.control(d.folder / f"balances_{DAY}.csv", rows=1)
    code, report = run_import(d.folder)
    balances = by_file(report)[f"balances_{DAY}.csv"]
    assert code == 3 and balances["status"] == "refused" and "account_no" in balances["reason"]
    d.write("balances")  # the original file again
    (d.folder / f"balances_{DAY}.csv.ok").unlink()
    code, report = run_import(d.folder)
    assert by_file(report)[f"balances_{DAY}.csv"]["status"] == "skipped_duplicate"


def test_account_number_cache_is_used_only_while_current(delivery, run_import, isolated_home):
    """Next night's balances are checked against the cached account numbers; an account added
    outside the import makes the cache stale, and it is rebuilt from the database."""
    d = delivery().write_all(skip=("transactions", "sales"))
    assert run_import(d.folder)[0] == 0
    cache = isolated_home / "cache" / "ingest-account-nos.parquet"
    assert sorted(pq.read_table(cache).column(0).to_pylist()) == ["A001", "A002", "L001", "L002"]

    day2 = delivery("day2")
    rows = [["2026-11-01", "A002", "1.00"], ["2026-11-01", "A003", "2.00"], ["2026-11-01", "A001", "3.00"]]
    day2.write("balances", rows, day="20261101")
    code, report = run_import(day2.folder)
    assert code == 0
    balances = by_file(report)["balances_20261101.csv"]
    assert [(r["line"], r["reason"]) for r in balances["rejects"]] == [(3, "unknown_reference")]
    assert balances["rows_loaded"] == 2

    Account.objects.create(
        account_no="A003",
        customer=Customer.objects.get(pk="C001"),
        product=Product.objects.get(pk="DD01"),
        open_date=dt.date(2026, 11, 1),
        status="active",
    )
    day3 = delivery("day3")
    day3.write("balances", [["2026-11-02", "A003", "2.00"], ["2026-11-02", "A003", "4.00"]], day="20261102")
    code, report = run_import(day3.folder)
    assert code == 0
    balances = by_file(report)["balances_20261102.csv"]
    assert [(r["line"], r["reason"]) for r in balances["rejects"]] == [(3, "duplicate_key")]
    assert sorted(pq.read_table(cache).column(0).to_pylist()) == ["A001", "A002", "A003", "L001", "L002"]
    stored = pq.read_table(warehouse.partition_dir("balances", dt.date(2026, 11, 2))).to_pylist()
    assert stored == [{"account_no": "A003", "balance_cents": 200}]
