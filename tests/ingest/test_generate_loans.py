"""The synthetic bank's loans files (spec/loans.md): the rules checked against the files as written.

1,500 customers × 3 months (seed 3): about a hundred loans, so the tail and the findings exist.
"""

import csv
import datetime as dt
from collections import Counter

import pytest

from bankcrm.synthetic import generate_delivery

END = dt.date(2026, 10, 31)
MONTH_ENDS = ("20260831", "20260930", "20261031")
# 商业银行金融资产风险分类办法 (2023), written out here from spec/loans.md (not the code's table)
ORDER = ["normal", "special_mention", "substandard", "doubtful", "loss"]


def floor(days: int) -> str:
    if days > 360:
        return "loss"
    if days > 270:
        return "doubtful"
    if days > 90:
        return "substandard"
    if days > 0:
        return "special_mention"
    return "normal"


def read(path):
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def cents(text: str) -> int:
    units, frac = text.split(".")
    return int(units) * 100 + int(frac)


@pytest.fixture(scope="module")
def bank(tmp_path_factory):
    folder = tmp_path_factory.mktemp("loans-delivery")
    summary = generate_delivery(folder, customers=1500, months=3, end=END, seed=3)
    loans = {day: {r["account_no"]: r for r in read(folder / f"loans_{day}.csv")} for day in MONTH_ENDS}
    return folder, summary, loans


def test_a_loans_file_at_every_month_end_and_only_loan_accounts(bank):
    folder, _summary, loans = bank
    assert sorted(p.name for p in folder.glob("loans_*.csv")) == [f"loans_{d}.csv" for d in MONTH_ENDS]
    products = {r["product_code"]: r["category"] for r in read(folder / "products_20260801.csv")}
    accounts = {}
    for path in sorted(folder.glob("accounts_*.csv")):
        accounts.update({r["account_no"]: r["product_code"] for r in read(path)})
    for day, rows in loans.items():
        assert rows, day
        assert {products[accounts[a]] for a in rows} == {"loan"}, day
        assert {r["as_of_date"] for r in rows.values()} == {f"{day[:4]}-{day[4:6]}-{day[6:]}"}


def test_principal_is_the_days_loan_balance(bank):
    folder, _summary, loans = bank
    for day, rows in loans.items():
        balances = {r["account_no"]: r["balance"] for r in read(folder / f"balances_{day}.csv")}
        assert {a: r["principal"] for a, r in rows.items()} == {a: balances[a] for a in rows}, day


def test_most_loans_current_with_a_long_tail_that_rolls(bank):
    _folder, _summary, loans = bank
    last = loans["20261031"]
    days = [int(r["overdue_days"]) for r in last.values()]
    assert sum(d == 0 for d in days) > 0.8 * len(days)
    assert any(0 < d <= 30 for d in days) or any(30 < d <= 90 for d in days)
    assert max(days) > 90  # the tail reaches M4+
    # a loan overdue on both month ends (not cured) is exactly the days between the files older
    for account, row in last.items():
        d = int(row["overdue_days"])
        if d > 31:
            assert int(loans["20260930"][account]["overdue_days"]) == d - 31, account
    # an overdue loan owes something; a current one owes nothing
    for row in last.values():
        owed = cents(row["overdue_principal"]) + cents(row["overdue_interest"])
        assert (owed > 0) == (int(row["overdue_days"]) > 0), row
        assert cents(row["overdue_principal"]) <= cents(row["principal"])


def test_classes_follow_the_floors_except_a_few_too_lenient(bank):
    _folder, summary, loans = bank
    for day, rows in loans.items():
        lenient = sorted(
            a for a, r in rows.items() if ORDER.index(r["five_class"]) < ORDER.index(floor(int(r["overdue_days"])))
        )
        assert lenient == sorted(summary.lenient_loans[f"loans_{day}.csv"]), day
        assert len(lenient) <= 0.2 * len(rows)
    assert summary.lenient_loans["loans_20261031.csv"]  # at least one finding to show
    classes = Counter(r["five_class"] for r in loans["20261031"].values())
    assert (
        classes["normal"] > len(loans["20261031"]) / 2
        and classes["substandard"] + classes["doubtful"] + classes["loss"] > 0
    )
