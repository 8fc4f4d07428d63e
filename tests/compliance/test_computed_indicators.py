"""The computed risk indicators (spec/compliance.md catalogue): ``retail_npl_ratio`` (spec/loans.md
npl_ratio_pct, bank, at the quarter's last day) and ``deposit_deviation`` (spec/indicators.md
deposit_deviation_pct, bank and each branch, each month of the quarter, the worst month counts),
graded with the catalogue bands and alerted. Every expected figure is worked out by hand below."""

import datetime as dt
from decimal import Decimal

import pyarrow as pa
import pytest
from django.core.management import CommandError, call_command

from bankcrm.compliance.models import IndicatorAlert, IndicatorValue
from bankcrm.core import warehouse

pytestmark = pytest.mark.django_db

FILES = {
    "branches": "branch_code,name,parent_code,city\nH001,总行,,北京\nB001,城东支行,H001,北京\n"
    "B002,城西支行,H001,北京\n",
    "staff": "staff_no,name,branch_code,role,status\nS001,王芳,B001,rm,active\n",
    "products": "product_code,name,category,risk_level,term_days,fee_rate\nDD01,活期储蓄,deposit_demand,,,\n"
    "LN01,个人住房贷款,loan,,7300,\n",
    "customers": (
        "customer_no,name,id_type,id_number,gender,birth_date,phone,address,occupation,branch_code,"
        "rm_staff_no,onboard_date,status,marketing_consent\n"
        "C001,张三,PASSPORT,E1234567,,,,,,B001,S001,2020-01-01,active,\n"
        "C002,李四,PASSPORT,E7654321,,,,,,B002,,2020-01-01,active,\n"
    ),
    "accounts": (
        "account_no,customer_no,product_code,open_date,maturity_date,close_date,status,branch_code\n"
        "A001,C001,DD01,2020-01-01,,,active,B001\nA002,C002,DD01,2020-01-01,,,active,B002\n"
        "L001,C001,LN01,2020-01-01,2040-01-01,,active,B001\nL002,C002,LN01,2020-01-01,2040-01-01,,active,B002\n"
    ),
}
LOANS_HEADER = "as_of_date,account_no,principal,overdue_principal,overdue_interest,overdue_days,five_class\n"


@pytest.fixture(autouse=True)
def isolated_home(settings, tmp_path):
    home = tmp_path / "home"
    home.mkdir()
    settings.BANKCRM_HOME = home
    settings.WAREHOUSE_DIR = home / "warehouse"
    settings.LOG_DIR = home / "logs"


def import_files(tmp_path, loans: dict[str, list[str]]):
    folder = tmp_path / "delivery"
    folder.mkdir(exist_ok=True)
    for table, text in FILES.items():
        (folder / f"{table}_20260701.csv").write_text(text, encoding="utf-8")
    for day, rows in loans.items():
        (folder / f"loans_{day}.csv").write_text(LOANS_HEADER + "".join(r + "\n" for r in rows))
    call_command("import_delivery", str(folder))


def balances(day: dt.date, yuan: dict[str, str]) -> None:
    """A day's balances partition as the import writes it (integer cents)."""
    import pyarrow.parquet as pq

    table = pa.table(
        {"account_no": list(yuan), "balance_cents": [int(Decimal(v) * 100) for v in yuan.values()]},
        schema=warehouse.BALANCES_SCHEMA,
    )
    warehouse.replace_partition("balances", day, lambda folder: pq.write_table(table, folder / "part-0.parquet"))


def deposits_of_q3():
    """July: A001 (B001) 100,000.00 daily, 104,000.00 on the 31st; A002 (B002) 50,000.00 daily.
    August: no files at all (no month-end file: the month is left out).
    September: A001 100,000.00 daily; A002 50,000.00, 52,500.00 on the 30th."""
    for n in range(1, 32):
        balances(dt.date(2026, 7, n), {"A001": "104000.00" if n == 31 else "100000.00", "A002": "50000.00"})
    for n in range(1, 31):
        balances(dt.date(2026, 9, n), {"A001": "100000.00", "A002": "52500.00" if n == 30 else "50000.00"})


def values(period="2026Q3"):
    return {(v.indicator_id, v.unit): v for v in IndicatorValue.objects.filter(period=period)}


def test_deposit_deviation_worst_month_per_unit_and_retail_npl_from_the_latest_file(tmp_path):
    import_files(
        tmp_path,
        {"20260831": ["2026-08-31,L001,900000.00,0,0,0,normal", "2026-08-31,L002,60000.00,0,0,120,substandard"]},
    )
    deposits_of_q3()
    call_command("compliance", "indicators", "compute", "--period", "2026Q3")
    got = values()
    # B001 July: avg = (30 × 100,000.00 + 104,000.00) ÷ 31 = 100,129.03; (104,000 − 100,129.03) ÷ 100,129.03 = 3.87 %
    # (September 0.00 %): worst July, 3 < 3.87 ≤ 4 → warning
    assert (got["deposit_deviation", "branch:B001"].value, got["deposit_deviation", "branch:B001"].status) == (
        Decimal("3.87"),
        "warning",
    )
    # B002 September: avg = (29 × 50,000 + 52,500) ÷ 30 = 50,083.33; 2,416.67 ÷ 50,083.33 = 4.83 % > 4 → breach
    assert (got["deposit_deviation", "branch:B002"].value, got["deposit_deviation", "branch:B002"].status) == (
        Decimal("4.83"),
        "breach",
    )
    assert "2026-09" in got["deposit_deviation", "branch:B002"].basis
    # bank July: 3,870.97 ÷ 150,129.03 = 2.58 %; September: 2,416.67 ÷ 150,083.33 = 1.61 % → July, normal
    assert (got["deposit_deviation", "bank"].value, got["deposit_deviation", "bank"].status) == (
        Decimal("2.58"),
        "normal",
    )
    assert "2026-08" not in got["deposit_deviation", "bank"].basis  # August has no month-end file
    # no loans file on 2026-09-30: the latest of the quarter, 2026-08-31: 60,000 ÷ 960,000 = 6.25 % > 5 → breach
    npl = got["retail_npl_ratio", "bank"]
    assert (npl.value, npl.status) == (Decimal("6.25"), "breach")
    assert npl.basis == "loans file of 2026-08-31 (none for 2026-09-30)"
    alerts = sorted((a.value.indicator_id, a.value.unit, a.status) for a in IndicatorAlert.objects.all())
    assert alerts == [
        ("deposit_deviation", "branch:B001", "warning"),
        ("deposit_deviation", "branch:B002", "breach"),
        ("retail_npl_ratio", "bank", "breach"),
    ]
    call_command("compliance", "indicators", "compute", "--period", "2026Q3")  # a rerun alerts nothing new
    assert IndicatorAlert.objects.count() == 3


def test_retail_npl_ratio_at_the_quarters_last_day_exactly_at_the_warning_is_normal(tmp_path):
    import_files(
        tmp_path,
        {
            "20260831": ["2026-08-31,L001,900000.00,0,0,0,normal", "2026-08-31,L002,60000.00,0,0,120,substandard"],
            # 40,000 ÷ 1,000,000 = 4.00 %: at the warning line, so normal (``max``: warning < value ≤ limit)
            "20260930": ["2026-09-30,L001,960000.00,0,0,0,normal", "2026-09-30,L002,40000.00,0,0,150,doubtful"],
        },
    )
    out = tmp_path / "risk.csv"
    call_command("export", "risk-indicators", "--period", "2026Q3", "--out", str(out))  # computes first
    lines = out.read_text(encoding="utf-8").splitlines()
    assert lines[0] == "period,code,value,status,prev_value,change"
    assert lines[1:] == ["2026Q3,retail_npl_ratio,4,normal,,"]  # no balances: no deposit deviation row
    assert values()["retail_npl_ratio", "bank"].basis == "loans file of 2026-09-30"


@pytest.mark.parametrize(
    ("language", "npl", "deviation"),
    [
        ("en", "retail_npl_ratio: no loans file imported for 2026-07-01 … 2026-09-30",
         "deposit_deviation: no balances file for any month end of 2026-07-01 … 2026-09-30"),
        ("zh-hans", "retail_npl_ratio：2026-07-01 至 2026-09-30 未导入贷款文件",
         "deposit_deviation：2026-07-01 至 2026-09-30 各月末均无余额文件"),
    ],
)  # fmt: skip
def test_nothing_to_compute_says_why_in_the_users_language(tmp_path, capsys, language, npl, deviation):
    from django.utils import translation

    import_files(tmp_path, {})
    with translation.override(language), pytest.raises(CommandError, match="no computed indicator could be computed"):
        call_command("compliance", "indicators", "compute", "--period", "2026Q3")
    err = capsys.readouterr().err
    assert npl in err and deviation in err


def test_importing_a_quarters_values_computes_its_computed_indicators(tmp_path):
    import_files(
        tmp_path, {"20260930": ["2026-09-30,L001,950000.00,0,0,0,normal", "2026-09-30,L002,50000.00,0,0,0,normal"]}
    )
    path = tmp_path / "finance.csv"
    path.write_text("period,code,value\n2026Q3,car,12.5\n", encoding="utf-8")
    call_command("compliance", "indicators", "import", str(path))
    got = values()
    assert got["car", "bank"].value == Decimal("12.5")
    assert (got["retail_npl_ratio", "bank"].value, got["retail_npl_ratio", "bank"].status) == (Decimal("0"), "normal")


def test_desk_computes_on_request_and_shows_branch_values(tmp_path, make_login):
    from webapi_data import page_client, token_client

    import_files(
        tmp_path,
        {"20260930": ["2026-09-30,L001,900000.00,0,0,0,normal", "2026-09-30,L002,60000.00,0,0,120,substandard"]},
    )
    deposits_of_q3()
    officer = make_login("comp1", "compliance")
    client = page_client(officer)
    page = client.get("/compliance/indicators/").content.decode()
    assert "Compute now" in page or "立即计算" in page
    response = client.post("/compliance/indicators/compute/", {"period": "2026Q3"})
    assert response.status_code == 302 and response["Location"].endswith("?period=2026Q3")
    page = client.get("/compliance/indicators/", {"period": "2026Q3"}).content.decode()
    assert "branch:B002" in page and "4.83" in page and "6.25" in page
    alerts = token_client(officer).get("/api/indicator-alerts/").json()
    rows = alerts["results"] if isinstance(alerts, dict) else alerts
    assert {(a["code"], a["unit"], a["status"]) for a in rows} == {
        ("deposit_deviation", "branch:B001", "warning"),
        ("deposit_deviation", "branch:B002", "breach"),
        ("retail_npl_ratio", "bank", "breach"),
    }
    rm = make_login("rm1", "rm", staff_no="S001")
    assert page_client(rm).post("/compliance/indicators/compute/", {"period": "2026Q3"}).status_code == 403
    assert not IndicatorValue.objects.filter(period="2026Q4").exists()
