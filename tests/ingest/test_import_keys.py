"""Issue 8.12: a key that would break a page address is refused at import (bad_code), nothing else lost."""

import pytest
from ingest_files import DAY, by_file

from bankcrm.customers.models import Customer

pytestmark = pytest.mark.django_db

HEADER = (
    "customer_no,name,id_type,id_number,gender,birth_date,phone,address,occupation,"
    "branch_code,rm_staff_no,onboard_date,status,marketing_consent"
)


def test_slash_or_backslash_in_a_key_is_bad_code(delivery, run_import):
    d = delivery("keys").write_all(skip=("customers", "accounts", "kyc", "balances", "transactions", "sales"))
    lines = [
        HEADER,
        "C001,张三,PASSPORT,E1,M,,,,,B001,,2020-01-01,active,",
        "C/002,李四,PASSPORT,E2,M,,,,,B001,,2020-01-01,active,",
        "C\\003,王五,PASSPORT,E3,M,,,,,B001,,2020-01-01,active,",
        "C004?x,赵六,PASSPORT,E4,M,,,,,B001,,2020-01-01,active,",  # '?' is escaped in URLs: accepted
    ]
    d.write("customers", text="\n".join(lines) + "\n")
    code, report = run_import(d.folder)
    assert code == 0
    entry = by_file(report)[f"customers_{DAY}.csv"]
    assert [(r["line"], r["column"], r["reason"]) for r in entry["rejects"]] == [
        (3, "customer_no", "bad_code"),
        (4, "customer_no", "bad_code"),
    ]
    assert entry["rows_read"] == 4 and entry["rows_loaded"] == 2
    assert set(Customer.objects.values_list("customer_no", flat=True)) == {"C001", "C004?x"}
