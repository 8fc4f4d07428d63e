"""Rejected rows: every reason code, line numbers, raw text, rows_read invariant (spec/batch-files.md)."""

import pyarrow.parquet as pq
import pytest
from ingest_files import DAY, by_file, cells

from bankcrm.campaigns.models import Sale
from bankcrm.core import warehouse
from bankcrm.customers.models import Customer
from bankcrm.ingest.models import RejectedRow

pytestmark = pytest.mark.django_db

CUSTOMER_HEADER = (
    "customer_no,name,id_type,id_number,gender,birth_date,phone,address,occupation,"
    "branch_code,rm_staff_no,onboard_date,status,marketing_consent"
)


def base(delivery, name="delivery"):
    return delivery(name).write_all(skip=("customers", "accounts", "kyc", "balances", "transactions", "sales"))


def assert_invariant(report):
    for f in report["files"]:
        assert f["rows_read"] == f["rows_loaded"] + f["rows_rejected"] == f["rows_loaded"] + len(f["rejects"])


def test_each_reason_code_with_line_column_and_raw(delivery, run_import):
    d = base(delivery)
    lines = [
        CUSTOMER_HEADER,
        "C001,张三,PASSPORT,E1,M,1990-03-07,,,,B001,S001,2020-01-01,active,Y",  # 2 ok
        ",无号,PASSPORT,E2,M,,,,,B001,,2020-01-01,active,",  # 3 missing key
        "C003,王五,PASSPORT,E3,M,1990-02-30,,,,B001,,2020-01-01,active,",  # 4 impossible date
        "C004,赵六,PASSPORT,E4,M,19900307,,,,B001,,2020-01-01,active,",  # 5 not YYYY-MM-DD
        "C005,钱七,passport,E5,M,,,,,B001,,2020-01-01,active,",  # 6 code in wrong case
        "C001,张三,PASSPORT,E1,M,,,,,B001,,2020-01-01,active,",  # 7 duplicate key
        "C007,孙八,PASSPORT,E7,M,,,,,B999,,2020-01-01,active,",  # 8 unknown branch
        "C008,周九,PASSPORT,E8,M,,,,,B001,S999,2020-01-01,active,",  # 9 unknown rm
        "C009,吴十,PASSPORT,E9,M,,,,,B001,,2020-01-01,active",  # 10 a field short
        'C010,"郑,十一",PASSPORT,E10,M,,,,,B001,,2020-01-01,active,Y',  # 11 ok, quoted comma
        'C011,"bad"quote,PASSPORT,E11,M,,,,,B001,,2020-01-01,active,',  # 12 bad quoting
        "C012,冯,PASSPORT,E12,X,,,,,B001,,2020-01-01,active,",  # 13 gender code
        "C013,陈,PASSPORT,E13,M,,,,,B001,,2020-01-01,active,maybe",  # 14 flag
        "C014,褚,PASSPORT,E14,M,,,,,B001,,,active,",  # 15 missing required date
    ]
    d.write("customers", text="\n".join(lines) + "\n")
    d.write("sales", [cells("SA01,2026-10-31,C001,WM01,12.345,1.00,,B001,branch")])
    code, report = run_import(d.folder)
    assert code == 0  # rejected rows are not a failure
    assert_invariant(report)
    customers = by_file(report)[f"customers_{DAY}.csv"]
    got = [(r["line"], r["column"], r["reason"]) for r in customers["rejects"]]
    assert got == [
        (3, "customer_no", "missing_field"),
        (4, "birth_date", "bad_date"),
        (5, "birth_date", "bad_date"),
        (6, "id_type", "bad_code"),
        (7, "customer_no", "duplicate_key"),
        (8, "branch_code", "unknown_reference"),
        (9, "rm_staff_no", "unknown_reference"),
        (10, None, "bad_row"),
        (12, None, "bad_row"),
        (13, "gender", "bad_code"),
        (14, "marketing_consent", "bad_code"),
        (15, "onboard_date", "missing_field"),
    ]
    assert customers["rejects"][0]["raw"] == lines[2]
    assert customers["rows_read"] == 14 and customers["rows_loaded"] == 2
    assert Customer.objects.get(customer_no="C010").name == "郑,十一"
    assert Customer.objects.get(customer_no="C001").birth_date is not None  # the first row is kept
    sales = by_file(report)[f"sales_{DAY}.csv"]
    assert [(r["column"], r["reason"]) for r in sales["rejects"]] == [("amount", "bad_number")]
    assert not Sale.objects.exists()
    # the quarantine keeps the same entries
    stored = RejectedRow.objects.filter(imported_file__file_name=f"customers_{DAY}.csv").order_by("line")
    assert [(r.line, r.reason, r.raw) for r in stored[:1]] == [(3, "missing_field", lines[2])]
    assert stored.count() == 12


def test_first_problem_in_spec_column_order(delivery, run_import):
    d = base(delivery)
    # header in a different order: bad status (late column) and bad id_type (early column) on one row
    header = "status,customer_no,name,id_type,id_number,branch_code,onboard_date"
    d.write("customers", text=header + "\nnope,C001,张三,WRONG,E1,B001,2020-01-01\n")
    _, report = run_import(d.folder)
    entry = by_file(report)[f"customers_{DAY}.csv"]
    assert [(r["column"], r["reason"]) for r in entry["rejects"]] == [("id_type", "bad_code")]
    assert any("absent" in w for w in entry["warnings"])  # optional columns missing from the header


def test_multiline_quoted_field_bom_and_line_numbers(delivery, run_import):
    d = base(delivery)
    text = (
        "\ufeff" + CUSTOMER_HEADER + "\r\n"
        'C001,张三,PASSPORT,E1,M,,,"北京市\r\n东城区\r\n1号",,B001,,2020-01-01,active,\r\n'
        "C002,李四,PASSPORT,E2,M,,,,,B001,,2020-13-01,active,\r\n"
    )
    d.write("customers", text=text)
    _, report = run_import(d.folder)
    entry = by_file(report)[f"customers_{DAY}.csv"]
    assert entry["rejects"] == [
        {
            "line": 5,  # the record before spans lines 2-4
            "column": "onboard_date",
            "reason": "bad_date",
            "raw": "C002,李四,PASSPORT,E2,M,,,,,B001,,2020-13-01,active,",
            "detail": "'2020-13-01' is not a date YYYY-MM-DD",
        }
    ]
    assert Customer.objects.get(customer_no="C001").address == "北京市\r\n东城区\r\n1号"


def test_bad_encoding_is_bad_row_and_an_undecodable_file_is_refused(delivery, run_import):
    d = base(delivery)
    good = "C001,张三,PASSPORT,E1,M,,,,,B001,,2020-01-01,active,\n".encode()
    gbk = "C002,李四,PASSPORT,E2,M,,,,,B001,,2020-01-01,active,\n".encode("gbk")
    d.write("customers", data=(CUSTOMER_HEADER + "\n").encode() + good + gbk)
    d.write(
        "staff",
        data="staff_no,name,branch_code,role,status\nS9,王,B001,rm,active\n".replace("name", "姓名").encode("gbk"),
    )
    code, report = run_import(d.folder)
    entry = by_file(report)[f"customers_{DAY}.csv"]
    assert [(r["line"], r["reason"]) for r in entry["rejects"]] == [(3, "bad_row")]
    assert "UTF-8" in entry["rejects"][0]["detail"]
    staff = by_file(report)[f"staff_{DAY}.csv"]
    assert staff["status"] == "refused" and "UTF-8" in staff["reason"]
    assert code == 3


def test_extra_column_warns_and_missing_required_column_refuses(delivery, run_import):
    d = base(delivery)
    d.write("customers", text=CUSTOMER_HEADER + ",vip_flag\nC001,张三,PASSPORT,E1,M,,,,,B001,,2020-01-01,active,,Y\n")
    d.write("sales", text="sale_id,sale_date,customer_no,product_code,amount,staff_no,branch_code,channel\n")
    code, report = run_import(d.folder)
    customers = by_file(report)[f"customers_{DAY}.csv"]
    assert customers["status"] == "imported" and customers["rows_loaded"] == 1
    assert any("vip_flag" in w for w in customers["warnings"])
    sales = by_file(report)[f"sales_{DAY}.csv"]
    assert sales["status"] == "refused" and "fee_income" in sales["reason"]
    assert sales["rows_read"] == sales["rows_loaded"] == sales["rows_rejected"] == 0
    assert code == 3


def test_fact_rejects_fast_path(delivery, run_import):
    d = delivery().write_all(skip=("balances", "transactions", "sales"))
    d.write(
        "balances",
        text="as_of_date,account_no,balance\n"
        "2026-10-31,A001,10.00\n"
        "2026-10-31,A002,12.345\n"  # 3 bad_number
        "\n"  # a blank line holds no record
        "2026-10-31,A999,1.00\n"  # 5 unknown_reference
        "2026-10-31,A001,11.00\n"  # 6 duplicate_key
        "2026-10-30,A002,1.00\n"  # 7 another date than the file's
        "2026-10-31,,1.00\n"  # 8 missing_field
        "2026-10-31,A002,-20.00\n",  # 9 ok
    )
    d.write(
        "transactions",
        text="txn_id,account_no,txn_time,amount,direction,channel,customer_initiated\n"
        "T1,A001,2026-10-31 09:00:00,1.00,D,mobile,Y\n"
        "T2,A001,2026-10-31 25:00:00,1.00,D,mobile,Y\n"  # bad_date
        "T3,A001,2026-10-31 09:00:00,-1.00,D,mobile,Y\n"  # bad_number (amount is positive)
        "T4,A001,2026-10-31 09:00:00,1.00,X,mobile,Y\n"  # bad_code
        "T5,A001,2026-10-31 09:00:00,1.00,D,mobile,y\n"  # bad_code (flag)
        "T1,A002,2026-10-31 09:00:00,1.00,D,mobile,Y\n",  # duplicate txn_id
    )
    code, report = run_import(d.folder)
    assert code == 0
    assert_invariant(report)
    balances = by_file(report)[f"balances_{DAY}.csv"]
    assert [(r["line"], r["column"], r["reason"], r["raw"]) for r in balances["rejects"]] == [
        (3, "balance", "bad_number", "2026-10-31,A002,12.345"),
        (5, "account_no", "unknown_reference", "2026-10-31,A999,1.00"),
        (6, "account_no", "duplicate_key", "2026-10-31,A001,11.00"),
        (7, "as_of_date", "bad_date", "2026-10-30,A002,1.00"),
        (8, "account_no", "missing_field", "2026-10-31,,1.00"),
    ]
    assert balances["rows_read"] == 7 and balances["rows_loaded"] == 2
    stored = pq.read_table(warehouse.fact_dir("balances")).to_pylist()
    assert sorted((r["account_no"], r["balance_cents"]) for r in stored) == [("A001", 1000), ("A002", -2000)]
    txns = by_file(report)[f"transactions_{DAY}.csv"]
    assert [(r["line"], r["column"], r["reason"]) for r in txns["rejects"]] == [
        (3, "txn_time", "bad_date"),
        (4, "amount", "bad_number"),
        (5, "direction", "bad_code"),
        (6, "customer_initiated", "bad_code"),
        (7, "txn_id", "duplicate_key"),
    ]


def test_fact_rejects_through_the_python_reader(delivery, run_import):
    """Quotes or a short row take the careful path; results use the same codes and lines."""
    d = delivery().write_all(skip=("balances", "transactions", "sales"))
    d.write(
        "balances",
        text='as_of_date,account_no,balance\n2026-10-31,"A001",10.00\n2026-10-31,A002\n2026-10-31,A002,1.5\n',
    )
    _, report = run_import(d.folder)
    balances = by_file(report)[f"balances_{DAY}.csv"]
    assert [(r["line"], r["reason"]) for r in balances["rejects"]] == [(3, "bad_row")]
    assert balances["rows_read"] == 3 and balances["rows_loaded"] == 2


def test_fact_rejects_one_pass_path_crlf_and_repeated_bad_line(delivery, run_import):
    """No duplicate keys: DuckDB checks in one pass and rejected lines are found by their text."""
    d = delivery().write_all(skip=("balances", "transactions", "sales"))
    d.write(
        "balances",
        data=(
            b"account_no,balance,as_of_date\r\n"  # columns in another order
            b"A001,10.00,2026-10-31\r\n"
            b"A999,1.00,2026-10-31\r\n"  # 3 unknown
            b"\r\n"
            b"A002,1.001,2026-10-31\r\n"  # 5 bad_number
            b"A002,1.001,2026-10-31\r\n"  # 6 the same bad line again
            b"A002,,2026-10-31\r\n"  # 7 missing balance
        ),
    )
    _, report = run_import(d.folder)
    balances = by_file(report)[f"balances_{DAY}.csv"]
    assert [(r["line"], r["column"], r["reason"], r["raw"]) for r in balances["rejects"]] == [
        (3, "account_no", "unknown_reference", "A999,1.00,2026-10-31"),
        (5, "balance", "bad_number", "A002,1.001,2026-10-31"),
        (6, "balance", "bad_number", "A002,1.001,2026-10-31"),
        (7, "balance", "missing_field", "A002,,2026-10-31"),
    ]
    assert (balances["rows_read"], balances["rows_loaded"]) == (5, 1)


def test_fact_file_with_bom_takes_the_fast_path_correctly(delivery, run_import):
    d = delivery().write_all(skip=("balances", "transactions", "sales"))
    d.write("balances", data="\ufeffas_of_date,account_no,balance\n2026-10-31,A001,1.00\n2026-10-31,A002,x\n".encode())
    _, report = run_import(d.folder)
    balances = by_file(report)[f"balances_{DAY}.csv"]
    assert (balances["rows_read"], balances["rows_loaded"]) == (2, 1)
    assert [(r["line"], r["reason"], r["raw"]) for r in balances["rejects"]] == [(3, "bad_number", "2026-10-31,A002,x")]


def test_fact_duplicates_of_an_unknown_account(delivery, run_import):
    """The first row of an unknown account is unknown_reference, a repeat of it duplicate_key (ADR 0201 §8)."""
    d = delivery().write_all(skip=("balances", "transactions", "sales"))
    d.write(
        "balances",
        text="as_of_date,account_no,balance\n"
        "2026-10-31,A999,1.00\n"  # 2 unknown_reference
        "2026-10-31,A001,10.00\n"
        "2026-10-31,A999,2.00\n"  # 4 duplicate_key
        "2026-10-31,A002,3.00\n",
    )
    code, report = run_import(d.folder)
    assert code == 0
    balances = by_file(report)[f"balances_{DAY}.csv"]
    assert [(r["line"], r["reason"], r["raw"]) for r in balances["rejects"]] == [
        (2, "unknown_reference", "2026-10-31,A999,1.00"),
        (4, "duplicate_key", "2026-10-31,A999,2.00"),
    ]
    stored = pq.read_table(warehouse.fact_dir("balances")).to_pylist()
    assert sorted((r["account_no"], r["balance_cents"]) for r in stored) == [("A001", 1000), ("A002", 300)]
