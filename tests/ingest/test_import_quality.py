"""Quality findings: every code, recomputed over the whole table, and ``bankcrm export quality``."""

import csv

import pytest
from ingest_files import cells

from bankcrm.ingest.exports import export_quality
from bankcrm.ingest.models import QualityFinding

pytestmark = pytest.mark.django_db


def findings():
    return sorted(QualityFinding.objects.values_list("customer_id", "finding"))


def customers_file(*rows):
    return [cells(r) for r in rows]


OK_ID = "110105199003071239"  # 1990-03-07, male
FEMALE_ID = "110105198512010026"  # 1985-12-01, female


def test_every_finding_code(delivery, run_import):
    d = delivery().write_all(skip=("customers", "accounts", "kyc", "balances", "transactions", "sales"))
    d.write(
        "customers",
        customers_file(
            f"C001,好,ID_CARD,{OK_ID},M,1990-03-07,13812345678,,,B001,S001,2020-01-01,active,",
            "C002,位数,ID_CARD,11010519900307123,M,,,,,B001,S001,2020-01-01,active,",
            "C003,校验,ID_CARD,110105199003071238,F,1980-01-01,,,,B001,S001,2020-01-01,active,",
            f"C004,生日,ID_CARD,{FEMALE_ID},F,1985-12-02,,,,B001,S001,2020-01-01,active,",
            f"C005,性别,ID_CARD,{FEMALE_ID},M,1985-12-01,,,,B001,S001,2020-01-01,closed,",
            "C006,手机,PASSPORT,P6,M,,12812345678,,,B001,S001,2020-01-01,active,",
            "C007,手机短,PASSPORT,P7,M,,1381234567,,,B001,S001,2020-01-01,active,",
            "C008,重号甲,PASSPORT,DUP1,M,,,,,B001,S001,2020-01-01,active,",
            "C009,重号乙,PASSPORT,DUP1,M,,,,,B001,S002,2020-01-01,active,",
            "C010,重号销户,PASSPORT,DUP1,M,,,,,B001,S002,2020-01-01,closed,",
            "C011,未归户,PASSPORT,P11,M,,,,,B001,,2020-01-01,active,",
            "C012,销户未归户,PASSPORT,P12,M,,,,,B001,,2020-01-01,closed,",
        ),
    )
    code, report = run_import(d.folder)
    assert code == 0
    assert findings() == [
        ("C002", "bad_id_checksum"),  # 17 characters
        ("C003", "bad_id_checksum"),  # wrong check digit: birth date and gender not compared
        ("C004", "id_birthdate_mismatch"),
        ("C005", "id_gender_mismatch"),
        ("C006", "bad_mobile"),
        ("C007", "bad_mobile"),
        ("C008", "duplicate_id"),
        ("C009", "duplicate_id"),
        ("C011", "no_rm"),
    ]
    assert report["quality_findings"] == 9
    assert QualityFinding.objects.get(customer_id="C009", finding="duplicate_id").rm_staff_no == "S002"


def test_findings_follow_corrections_and_departures(delivery, run_import):
    d = delivery("day1").write_all(skip=("accounts", "kyc", "balances", "transactions", "sales"))
    d.write(
        "customers",
        customers_file(
            "C001,甲,ID_CARD,110105199003071238,M,,,,,B001,S001,2020-01-01,active,",
            "C002,乙,PASSPORT,P2,F,,,,,B001,S002,2020-01-01,active,",
        ),
    )
    run_import(d.folder)
    assert findings() == [("C001", "bad_id_checksum")]
    found_at = QualityFinding.objects.get().found

    d2 = delivery("day2")
    d2.write("staff", [cells("S002,李强,B001,rm,left")], day="20261101")
    _, report = run_import(d2.folder)
    assert findings() == [("C001", "bad_id_checksum"), ("C002", "no_rm")]
    assert QualityFinding.objects.get(customer_id="C001").found == found_at  # a persisting finding keeps its date
    assert report["quality_findings"] == 2

    d3 = delivery("day3")
    d3.write("customers", customers_file(f"C001,甲,ID_CARD,{OK_ID},M,,,,,B001,S001,2020-01-01,active,"), day="20261102")
    _, report = run_import(d3.folder)
    assert findings() == [("C002", "no_rm")]
    assert report["quality_findings"] == 1


def test_findings_follow_changes_made_outside_the_import(delivery, run_import):
    d = delivery().write_all(skip=("accounts", "kyc", "balances", "transactions", "sales"))
    run_import(d.folder)
    assert findings() == []
    from bankcrm.customers.models import Customer

    customer = Customer.objects.get(customer_no="C002")
    customer.rm = None
    customer.save()  # e.g. an rm unassigned in the web app
    d2 = delivery("day2")
    d2.write("products", [cells("FD01,基金,fund,R3,,")], day="20261101")
    _, report = run_import(d2.folder)
    assert findings() == [("C002", "no_rm")] and report["quality_findings"] == 1


def test_export_quality_csv(delivery, run_import, tmp_path):
    d = delivery().write_all(skip=("customers", "accounts", "kyc", "balances", "transactions", "sales"))
    d.write(
        "customers",
        customers_file(
            "C002,乙,PASSPORT,P,M,,123,,,B001,,2020-01-01,active,",
            "C001,甲,ID_CARD,110105199003071238,M,,,,,B001,S001,2020-01-01,active,",
        ),
    )
    run_import(d.folder)
    out = tmp_path / "quality.csv"
    assert export_quality(out) == 3
    with out.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.reader(fh))
    assert rows[0] == ["customer_no", "finding", "detail"]
    assert [r[:2] for r in rows[1:]] == [["C001", "bad_id_checksum"], ["C002", "bad_mobile"], ["C002", "no_rm"]]
    assert all(r[2] for r in rows[1:])


def test_export_quality_through_the_cli(delivery, run_import, tmp_path, capsys):
    from django.core.management import call_command

    run_import(delivery().write_all().folder)
    out = tmp_path / "q.csv"
    call_command("export", "quality", "--out", str(out))
    # the delivery is clean: the export still has its header
    assert out.read_text(encoding="utf-8").splitlines() == ["customer_no,finding,detail"]
