"""The synthetic bank (`bankcrm generate`): format contract, determinism, realism, planted problems."""

import csv
import datetime as dt
import hashlib
import itertools
import re
from collections import defaultdict
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from stdnum.cn import ric

from bankcrm.synthetic import generate_delivery

END = dt.date(2026, 10, 31)
MONEY = re.compile(r"^-?\d+\.\d{2}$")
DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
AUM = {"deposit_demand", "deposit_time", "wealth", "fund", "insurance", "precious_metal", "trust"}

# spec/batch-files.md, copied here on purpose: the test must fail if the generator drifts from the spec
SPEC_COLUMNS = {
    "branches": "branch_code, name, parent_code, city",
    "staff": "staff_no, name, branch_code, role, status, id_number",
    "products": "product_code, name, category, risk_level, term_days, fee_rate",
    "customers": "customer_no, name, id_type, id_number, gender, birth_date, phone, address, "
    "occupation, branch_code, rm_staff_no, onboard_date, status, marketing_consent",
    "accounts": "account_no, customer_no, product_code, open_date, maturity_date, close_date, status, branch_code",
    "kyc": "customer_no, assessed_date, risk_level, expires_date, channel",
    "balances": "as_of_date, account_no, balance",
    "loans": "as_of_date, account_no, principal, overdue_principal, overdue_interest, overdue_days, five_class",
    "transactions": "txn_id, account_no, txn_time, amount, direction, channel, customer_initiated, "
    "counterparty_account",
    "sales": "sale_id, sale_date, customer_no, product_code, amount, fee_income, staff_no, branch_code, channel",
}
MONEY_COLUMNS = {
    "loans": ["principal", "overdue_principal", "overdue_interest"],
    "balances": ["balance"],
    "transactions": ["amount"],
    "sales": ["amount", "fee_income"],
}


def cents(text: str) -> int:
    units, frac = text.split(".")
    sign = -1 if units.startswith("-") else 1
    return sign * (abs(int(units)) * 100 + int(frac))


class Delivery:
    def __init__(self, folder: Path, summary):
        self.folder = folder
        self.summary = summary
        self.rejects = {(r["file"], r["line"]) for r in summary.planted_rejects}
        self._cache: dict[str, list[dict]] = {}

    def files(self, table: str) -> list[Path]:
        return sorted(p for p in self.folder.glob(f"{table}_*.csv"))

    def rows(self, table: str, *, keep_rejects: bool = False) -> list[dict]:
        """Rows of every file of a table in file-date order (planted reject rows left out)."""
        key = f"{table}:{keep_rejects}"
        if key not in self._cache:
            out = []
            for path in self.files(table):
                with path.open(encoding="utf-8", newline="") as fh:
                    for line, row in enumerate(csv.DictReader(fh), start=2):
                        if keep_rejects or (path.name, line) not in self.rejects:
                            row["_file"], row["_line"] = path.name, line
                            out.append(row)
            self._cache[key] = out
        return self._cache[key]

    def latest(self, table: str, key: str) -> dict[str, dict]:
        return {row[key]: row for row in self.rows(table)}  # later files replace earlier rows


@pytest.fixture(scope="module")
def delivery(tmp_path_factory) -> Delivery:
    folder = tmp_path_factory.mktemp("delivery")
    return Delivery(folder, generate_delivery(folder, customers=200, months=2, end=END, seed=7))


def test_same_seed_gives_identical_bytes_and_another_seed_differs(delivery, tmp_path):
    again = generate_delivery(tmp_path / "again", customers=200, months=2, end=END, seed=7)
    first = sorted(p.name for p in delivery.folder.iterdir())
    assert first == sorted(p.name for p in (tmp_path / "again").iterdir())
    for name in first:
        assert (delivery.folder / name).read_bytes() == (tmp_path / "again" / name).read_bytes(), name
    assert again.planted_rejects == delivery.summary.planted_rejects

    generate_delivery(tmp_path / "other", customers=200, months=2, end=END, seed=8)
    for table in ("customers", "balances", "transactions"):
        name = delivery.files(table)[0].name
        assert (delivery.folder / name).read_bytes() != (tmp_path / "other" / name).read_bytes()


def test_one_file_per_calendar_day_for_the_facts_and_dimensions_dated_first_day(delivery):
    days = [dt.date(2026, 9, 1) + dt.timedelta(days=i) for i in range(61)]
    for table in ("balances", "transactions", "sales"):
        assert [p.name for p in delivery.files(table)] == [f"{table}_{d:%Y%m%d}.csv" for d in days]
    for table in ("branches", "staff", "products", "customers", "accounts", "kyc"):
        assert delivery.files(table)[0].name == f"{table}_20260901.csv"
    # later-dated dimension files carry the month's changes (new customers, opened and closed accounts)
    # the loans file at each month end (the monthly classification cycle; spec/loans.md)
    assert [p.name for p in delivery.files("loans")] == ["loans_20260930.csv", "loans_20261031.csv"]
    assert [p.name for p in delivery.files("accounts")] == [
        "accounts_20260901.csv",
        "accounts_20260930.csv",
        "accounts_20261031.csv",
    ]


def test_every_header_is_exactly_the_spec_columns(delivery):
    names = {p.name.rsplit("_", 1)[0] for p in delivery.folder.glob("*.csv")}
    assert names == set(SPEC_COLUMNS)
    for path in delivery.folder.glob("*.csv"):
        header = path.read_text(encoding="utf-8").split("\n", 1)[0]
        assert header.split(",") == SPEC_COLUMNS[path.name.rsplit("_", 1)[0]].split(", "), path.name


def test_control_files_describe_the_file_as_written(delivery):
    for path in delivery.folder.glob("*.csv"):
        ok = dict(line.split("=", 1) for line in (path.parent / (path.name + ".ok")).read_text().split())
        data = path.read_bytes()
        assert ok["sha256"] == hashlib.sha256(data).hexdigest(), path.name
        with path.open(encoding="utf-8", newline="") as fh:
            assert int(ok["rows"]) == sum(1 for _ in csv.DictReader(fh)), path.name


def test_money_fields_have_two_decimals_and_no_float_artefacts(delivery):
    checked = 0
    for table, columns in MONEY_COLUMNS.items():
        for row in delivery.rows(table):
            for column in columns:
                assert MONEY.match(row[column]), (row["_file"], row["_line"], row[column])
                checked += 1
    assert checked > 10_000


def test_dates_and_timestamps_are_well_formed(delivery):
    for row in delivery.rows("transactions"):
        dt.datetime.strptime(row["txn_time"], "%Y-%m-%d %H:%M:%S")
    for row in delivery.rows("accounts"):
        for column in ("open_date", "maturity_date", "close_date"):
            assert not row[column] or dt.date.fromisoformat(row[column])
    for row in delivery.rows("customers"):
        assert DATE.match(row["onboard_date"]) and DATE.match(row["birth_date"])


def test_id_card_numbers_are_valid_and_consistent_except_the_planted_ones(delivery):
    planted = delivery.summary.planted_quality
    bad_checksum = set(planted["bad_id_checksum"])
    birth_mismatch = set(planted["id_birthdate_mismatch"])
    gender_mismatch = set(planted["id_gender_mismatch"])
    assert bad_checksum and birth_mismatch and gender_mismatch
    seen = 0
    for no, row in delivery.latest("customers", "customer_no").items():
        if row["id_type"] != "ID_CARD":
            continue
        seen += 1
        number = row["id_number"]
        assert ric.is_valid(number) == (no not in bad_checksum), (no, number)
        if no in bad_checksum:
            continue
        assert (ric.get_birth_date(number).isoformat() == row["birth_date"]) == (no not in birth_mismatch), no
        gender = "M" if int(number[16]) % 2 else "F"
        assert (gender == row["gender"]) == (no not in gender_mismatch), no
    assert seen > 150


def test_mobiles_valid_except_planted(delivery):
    bad = set(delivery.summary.planted_quality["bad_mobile"])
    assert bad
    for no, row in delivery.latest("customers", "customer_no").items():
        assert bool(re.fullmatch(r"1[3-9]\d{9}", row["phone"])) == (no not in bad), (no, row["phone"])


def test_duplicate_ids_are_exactly_the_planted_pairs(delivery):
    by_id = defaultdict(list)
    for no, row in delivery.latest("customers", "customer_no").items():
        if row["status"] == "active":
            by_id[(row["id_type"], row["id_number"])].append(no)
    shared = sorted(no for nos in by_id.values() if len(nos) > 1 for no in nos)
    assert shared and shared == sorted(delivery.summary.planted_quality["duplicate_id"])


def test_some_customers_unassigned_or_with_an_rm_who_left(delivery):
    staff = delivery.latest("staff", "staff_no")
    customers = delivery.latest("customers", "customer_no").values()
    assigned = [c for c in customers if c["rm_staff_no"]]
    assert all(staff[c["rm_staff_no"]]["role"] == "rm" for c in assigned)
    assert any(staff[c["rm_staff_no"]]["status"] == "left" for c in assigned)
    assert any(not c["rm_staff_no"] for c in customers if c["status"] == "active")
    assert len(assigned) > len(customers) * 0.8


def test_planted_rejects_are_where_the_summary_says(delivery):
    reasons = {r["reason"] for r in delivery.summary.planted_rejects}
    assert reasons == {"missing_field", "unknown_reference", "bad_code", "bad_date", "bad_number", "duplicate_key"}
    for reject in delivery.summary.planted_rejects:
        rows = {(r["_file"], r["_line"]): r for r in delivery.rows(reject["file"].rsplit("_", 1)[0], keep_rejects=True)}
        row = rows[(reject["file"], reject["line"])]
        value = row[reject["column"]]
        if reject["reason"] == "missing_field":
            assert value == ""
            optional = {"gender", "birth_date", "phone", "address", "occupation", "rm_staff_no", "marketing_consent"}
            assert all(v for k, v in row.items() if k not in optional | {reject["column"]}), row
        elif reject["reason"] == "bad_date":
            with pytest.raises(ValueError):
                dt.date.fromisoformat(value)
        elif reject["reason"] == "bad_number":
            assert not MONEY.match(value)
        elif reject["reason"] == "duplicate_key":
            earlier = [r for (f, line), r in rows.items() if f == reject["file"] and line < reject["line"]]
            assert value in {r[reject["column"]] for r in earlier}
        elif reject["reason"] == "unknown_reference":
            assert value not in delivery.latest("branches", "branch_code")
        elif reject["reason"] == "bad_code":
            assert value not in {"active", "dormant", "frozen", "closed"}


def test_no_balance_on_or_after_close_and_none_before_open(delivery):
    accounts = delivery.latest("accounts", "account_no")
    closed = [a for a in accounts.values() if a["close_date"]]
    assert any(a["close_date"] > "2026-09-01" for a in closed), "accounts close during the window"
    assert any(a["open_date"] > "2026-09-01" for a in accounts.values()), "accounts open during the window"
    for row in delivery.rows("balances"):
        account = accounts[row["account_no"]]
        assert row["as_of_date"] >= account["open_date"], row
        assert not account["close_date"] or row["as_of_date"] < account["close_date"], row
        assert account["status"] != "closed" or account["close_date"] > row["as_of_date"]


def test_demand_balances_move_exactly_by_their_transactions(delivery):
    accounts = delivery.latest("accounts", "account_no")
    demand = {no for no, a in accounts.items() if a["product_code"] == "D001"}
    balance = defaultdict(dict)
    for row in delivery.rows("balances"):
        if row["account_no"] in demand:
            balance[row["as_of_date"]][row["account_no"]] = cents(row["balance"])
    net = defaultdict(lambda: defaultdict(int))
    for row in delivery.rows("transactions"):
        if row["account_no"] in demand:
            sign = 1 if row["direction"] == "C" else -1
            net[row["txn_time"][:10]][row["account_no"]] += sign * cents(row["amount"])
    days = sorted(balance)
    compared = 0
    for before, day in itertools.pairwise(days):
        for no, value in balance[day].items():
            if no in balance[before]:
                assert value == balance[before][no] + net[day][no], (day, no)
                assert value >= 0
                compared += 1
    assert compared > 5000


def test_transactions_customer_initiated_and_system(delivery):
    rows = delivery.rows("transactions")
    by_flag = defaultdict(set)
    for row in rows:
        by_flag[row["customer_initiated"]].add(row["channel"])
        assert row["direction"] in ("C", "D") and cents(row["amount"]) > 0
    assert by_flag["Y"] >= {"counter", "mobile", "online", "pos", "atm"}
    assert by_flag["N"] >= {"batch", "system"}
    assert not by_flag["Y"] & {"batch", "system"}


def test_sales_fee_is_amount_times_rate(delivery):
    products = delivery.latest("products", "product_code")
    staff = delivery.latest("staff", "staff_no")
    sales = delivery.rows("sales")
    assert len(sales) > 5
    for sale in sales:
        rate = products[sale["product_code"]]["fee_rate"]
        numerator = cents(sale["amount"]) * int(rate.replace(".", ""))
        assert cents(sale["fee_income"]) == (numerator + 5_000) // 10_000, sale
        assert not sale["staff_no"] or sale["staff_no"] in staff


def test_product_shelf_covers_every_category(delivery):
    products = delivery.latest("products", "product_code").values()
    assert {p["category"] for p in products} == {
        "deposit_demand",
        "deposit_time",
        "wealth",
        "fund",
        "insurance",
        "precious_metal",
        "trust",
        "loan",
        "credit_card",
        "mobile_banking",
        "payroll",
    }
    assert {p["risk_level"] for p in products if p["category"] == "wealth"} == {"R1", "R2", "R3", "R4", "R5"}


def test_maturities_inside_and_just_after_the_window_and_kyc_expiry_spread(delivery):
    accounts = delivery.latest("accounts", "account_no").values()
    termed = [a for a in accounts if a["maturity_date"] and a["product_code"][0] in "TCW"]
    assert any("2026-09-01" < a["maturity_date"] <= "2026-10-31" for a in termed)
    assert any("2026-10-31" < a["maturity_date"] <= "2026-11-30" and a["status"] != "closed" for a in termed)
    newest = {}
    for row in delivery.rows("kyc"):
        if row["customer_no"] not in newest or row["assessed_date"] > newest[row["customer_no"]]["assessed_date"]:
            newest[row["customer_no"]] = row
    expires = [row["expires_date"] for row in newest.values()]
    assert any(e < "2026-10-31" for e in expires)
    assert any("2026-10-31" <= e <= "2026-11-30" for e in expires)
    assert len(newest) < 200


def test_dormant_customers_have_only_system_transactions(delivery):
    accounts = delivery.latest("accounts", "account_no")
    owner = {no: a["customer_no"] for no, a in accounts.items()}
    initiated = {owner[r["account_no"]] for r in delivery.rows("transactions") if r["customer_initiated"] == "Y"}
    old = defaultdict(bool)
    for a in accounts.values():
        if a["open_date"] <= "2025-10-31" and a["status"] != "closed":
            old[a["customer_no"]] = True
    dormant = [c for c in old if c not in initiated]
    assert dormant


@pytest.mark.slow
def test_tier_distribution_is_long_tailed(tmp_path):
    d = Delivery(tmp_path, generate_delivery(tmp_path, customers=2000, months=1, end=END, seed=11))
    accounts = d.latest("accounts", "account_no")
    categories = {p["product_code"]: p["category"] for p in d.rows("products")}
    total = defaultdict(int)
    for row in d.rows("balances"):
        account = accounts[row["account_no"]]
        if categories[account["product_code"]] in AUM:
            total[account["customer_no"]] += cents(row["balance"])
    average = [v / 31 / 100 for v in total.values()]
    mass = sum(v < 50_000 for v in average)
    vip = sum(50_000 <= v < 500_000 for v in average)
    wealth = sum(500_000 <= v < 6_000_000 for v in average)
    private = sum(v >= 6_000_000 for v in average)
    assert mass > 0.75 * len(average)
    assert vip > wealth > private >= 1


def test_generate_command_replaces_an_earlier_delivery_in_the_folder(tmp_path, capsys):
    out = tmp_path / "d"
    out.mkdir()
    (out / "notes.txt").write_text("keep me")
    call_command("generate", "--out", str(out), "--customers", "50", "--months", "2", "--end", "2026-03-31")
    assert "50 customers" in capsys.readouterr().out
    assert (out / "balances_20260201.csv.ok").exists()
    call_command("generate", "--out", str(out), "--customers", "50", "--months", "1", "--end", "2026-02-28")
    assert "replaced" in capsys.readouterr().out
    assert not (out / "balances_20260301.csv").exists(), "no stale day of the earlier delivery survives"
    assert not (out / "accounts_20260331.csv").exists()
    assert (out / "accounts_20260228.csv").exists()
    assert (out / "notes.txt").read_text() == "keep me"
    with pytest.raises(CommandError, match="--months"):
        call_command("generate", "--out", str(out), "--months", "0", "--end", "2026-02-28")


def test_parquet_delivery_holds_the_same_rows_as_the_csv_one(tmp_path):
    import pyarrow.parquet as pq

    generate_delivery(tmp_path / "csv", customers=60, months=1, end=END, seed=5)
    summary = generate_delivery(tmp_path / "pq", customers=60, months=1, end=END, seed=5, fmt="parquet")
    assert all(name.endswith(".parquet") for name in summary.files)
    assert {r["file"].replace(".parquet", ".csv") for r in summary.planted_rejects} <= {
        p.name for p in (tmp_path / "csv").glob("*.csv")
    }
    for path in (tmp_path / "pq").glob("*.parquet"):
        table = pq.read_table(path)
        csv_path = tmp_path / "csv" / path.name.replace(".parquet", ".csv")
        with csv_path.open(encoding="utf-8", newline="") as fh:
            expected = list(csv.DictReader(fh))
        got = [{k: ("" if v is None else v) for k, v in row.items()} for row in table.to_pylist()]
        assert got == expected, path.name
        ok = dict(line.split("=", 1) for line in (path.parent / (path.name + ".ok")).read_text().split())
        assert int(ok["rows"]) == table.num_rows
        assert ok["sha256"] == hashlib.sha256(path.read_bytes()).hexdigest()


def test_account_dates_agree_with_their_customer(delivery):
    customers = delivery.latest("customers", "customer_no")
    accounts = delivery.latest("accounts", "account_no").values()
    closed_customers = 0
    for account in accounts:
        customer = customers[account["customer_no"]]
        assert customer["onboard_date"] <= account["open_date"], account
        assert not account["close_date"] or account["open_date"] < account["close_date"], account
        assert (account["status"] == "closed") == bool(account["close_date"]), account
        if customer["status"] == "closed":
            closed_customers += 1
            assert account["status"] == "closed", account
    assert closed_customers


def test_bytes_do_not_depend_on_the_process_hash_seed(tmp_path):
    import os
    import subprocess
    import sys

    generate_delivery(tmp_path / "here", customers=60, months=1, end=END, seed=9)
    script = (
        "import datetime as dt, pathlib, sys; from bankcrm.synthetic import generate_delivery; "
        "generate_delivery(pathlib.Path(sys.argv[1]), customers=60, months=1, end=dt.date(2026, 10, 31), seed=9)"
    )
    src = str(Path(__file__).resolve().parents[2] / "src")
    env = {**os.environ, "PYTHONHASHSEED": "12345", "PYTHONPATH": src}
    subprocess.run([sys.executable, "-c", script, str(tmp_path / "there")], check=True, env=env)
    here = {p.name: p.read_bytes() for p in (tmp_path / "here").iterdir()}
    there = {p.name: p.read_bytes() for p in (tmp_path / "there").iterdir()}
    assert here == there
