"""Inspection sampling from spec/compliance.md alone: the sha256 order recomputed here, ⌈rate × n⌉,
the full-above threshold exactly at 2,000,000.00, frozen at the draw, bad plans."""

import datetime as dt
import hashlib
import json
import math
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command

from bankcrm.campaigns.models import Sale
from bankcrm.compliance.models import InspectionPlan

pytestmark = pytest.mark.django_db

AMOUNTS = {  # sale_id → amount, all in 2026Q3
    "S01": "2000000.00",  # exactly at full_above → in full
    "S02": "1999999.99",  # one cent below → drawn or not like the others
    "S03": "3500000.00",
    "S04": "1000.00",
    "S05": "2500.00",
    "S06": "80000.00",
    "S07": "15000.00",
    "S08": "600.00",
    "S09": "72000.00",
    "S10": "10.00",
    "S11": "990000.00",
}


@pytest.fixture
def sales(small_bank):
    from bankcrm.customers.models import Product

    Product.objects.create(code="WM1", name="理财一号", category="wealth")
    for n, (sale_id, amount) in enumerate(AMOUNTS.items()):
        Sale.objects.create(
            sale_id=sale_id, sale_date=dt.date(2026, 7, 1) + dt.timedelta(days=8 * n), customer_id="C001",
            product_id="WM1", amount=Decimal(amount), fee_income=Decimal("1.00"), branch_id="B001", channel="counter",
        )  # fmt: skip
    Sale.objects.create(  # outside the quarter
        sale_id="S99", sale_date=dt.date(2026, 10, 1), customer_id="C001", product_id="WM1",
        amount=Decimal("5000000.00"), fee_income=Decimal("1.00"), branch_id="B001", channel="counter",
    )  # fmt: skip


def plan_file(tmp_path, **fields):
    data = {
        "code": "INS-2026Q3-S",
        "population": "sales",
        "period": "2026Q3",
        "rate_pct": 30,
        "full_above": "2000000.00",
    }
    data.update(fields)
    path = tmp_path / "plan.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def expected_sample(code, rate):
    full = sorted(k for k, a in AMOUNTS.items() if Decimal(a) >= Decimal("2000000.00"))
    assert full == ["S01", "S03"]
    others = [k for k, a in AMOUNTS.items() if Decimal(a) < Decimal("2000000.00")]
    take = math.ceil(rate * len(others) / 100)
    drawn = sorted(others, key=lambda k: hashlib.sha256(f"{code}:{k}".encode()).hexdigest())[:take]
    return sorted([(k, "full") for k in full] + [(k, "random") for k in drawn])


def sample_rows(tmp_path, code):
    out = tmp_path / "sample.csv"
    call_command("export", "sample", "--plan", code, "--out", str(out))
    return out.read_text(encoding="utf-8").splitlines()


def test_draw_follows_the_spec_rule_and_is_frozen(tmp_path, sales):
    call_command("compliance", "plan", "create", str(plan_file(tmp_path)))
    call_command("compliance", "plan", "draw", "INS-2026Q3-S")
    lines = sample_rows(tmp_path, "INS-2026Q3-S")
    assert lines[0] == "plan,key,amount,reason"
    got = [tuple(line.split(",")[1::2]) for line in lines[1:]]
    want = expected_sample("INS-2026Q3-S", 30)
    assert got == want
    assert len([r for r in want if r[1] == "random"]) == 3  # ⌈30 × 9 ÷ 100⌉ = ⌈2.7⌉ = 3
    assert "INS-2026Q3-S,S01,2000000.00,full" in lines
    # more sales arrive; drawing again gives the same sample and the plan cannot be changed
    Sale.objects.filter(sale_id="S99").update(sale_date=dt.date(2026, 9, 30))
    call_command("compliance", "plan", "draw", "INS-2026Q3-S")
    assert sample_rows(tmp_path, "INS-2026Q3-S") == lines
    with pytest.raises(CommandError, match="already drawn"):
        call_command("compliance", "plan", "create", str(plan_file(tmp_path, rate_pct=50)))
    assert InspectionPlan.objects.get().population_count == 11


@pytest.mark.parametrize(("rate", "count"), [(10, 1), (11, 1), (12, 2), (100, 9)])  # of 9 below full_above
def test_rounding_up(tmp_path, sales, rate, count):
    # ⌈10 × 9 ÷ 100⌉ = ⌈0.9⌉ = 1; ⌈11 × 9 ÷ 100⌉ = ⌈0.99⌉ = 1; ⌈12 × 9 ÷ 100⌉ = ⌈1.08⌉ = 2
    code = f"P{rate}"
    call_command("compliance", "plan", "create", str(plan_file(tmp_path, code=code, rate_pct=rate)))
    call_command("compliance", "plan", "draw", code)
    lines = sample_rows(tmp_path, code)
    assert sum(line.endswith(",random") for line in lines) == count
    assert [tuple(line.split(",")[1::2]) for line in lines[1:]] == expected_sample(code, rate)


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"rate_pct": 9.99}, "rate_pct"),
        ({"rate_pct": 101}, "rate_pct"),
        ({"rate_pct": "x"}, "rate_pct"),
        ({"period": "2026Q5"}, "period"),
        ({"population": "loans"}, "population"),
    ],
)
def test_bad_plans(tmp_path, fields, message):
    with pytest.raises(CommandError, match=message):
        call_command("compliance", "plan", "create", str(plan_file(tmp_path, **fields)))


def test_empty_population(tmp_path, sales, settings):
    settings.WAREHOUSE_DIR = tmp_path / "warehouse"  # no loans file imported
    call_command("compliance", "plan", "create", str(plan_file(tmp_path, code="EMPTY", period="2025Q1")))
    with pytest.raises(CommandError, match="empty"):
        call_command("compliance", "plan", "draw", "EMPTY")
    call_command("compliance", "plan", "create", str(plan_file(tmp_path, code="LOANS", population="new_loans")))
    with pytest.raises(CommandError, match="population new_loans of 2026Q3 is empty"):
        call_command("compliance", "plan", "draw", "LOANS")
