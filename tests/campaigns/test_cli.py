"""``bankcrm campaign …`` and ``bankcrm export campaign | campaign-summary | suitability`` (spec table)."""

import datetime as dt
import hashlib
import json
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command

from bankcrm.campaigns.models import Campaign, Sale

from .conftest import START, add_customer, kyc, snapshot

pytestmark = pytest.mark.django_db


def run(*args):
    import io

    out, err = io.StringIO(), io.StringIO()
    call_command(*args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def is_control(code, customer_no, pct):
    return int(hashlib.sha256(f"{code}:{customer_no}".encode()).hexdigest()[:8], 16) % 10000 < pct * 100


def test_cli_lifecycle_and_exports(bank, marketer, marketer2, campaign_data, tmp_path):
    no_consent = add_customer(bank, "N1", consent=False)
    snapshot(no_consent)
    kyc(no_consent, "C3")
    path = tmp_path / "c.json"
    path.write_text(json.dumps(campaign_data(control_pct=50)), encoding="utf-8")
    out, _ = run("campaign", "create", str(path), "--user", "mkt1")
    assert "CMP1" in out and "draft" in out
    with pytest.raises(CommandError, match="创建人不能审批"):
        run("campaign", "approve", "CMP1", "--user", "mkt1")
    with pytest.raises(CommandError, match="尚未审批"):
        run("campaign", "start", "CMP1")
    out, err = run("campaign", "approve", "CMP1", "--user", "mkt2")
    assert "approved" in out and "3818" in err  # the small-control warning
    out, _ = run("campaign", "start", "CMP1")
    assert "running" in out
    Sale.objects.create(
        sale_id="IMP1", sale_date=START + dt.timedelta(days=1), customer_id="C001", product_id="WM2",
        amount=Decimal("5000.00"), fee_income=Decimal("25.00"), branch_id="B001", channel="counter",
    )  # fmt: skip
    members_csv = tmp_path / "members.csv"
    run("export", "campaign", "--code", "CMP1", "--out", str(members_csv))
    lines = members_csv.read_text(encoding="utf-8").splitlines()
    assert lines[0] == "code,customer_no,group,assignee,responded,response_date,sales_amount,fee_income"
    expected = []
    for no, rm in (("C001", "S001"), ("C002", "S002"), ("C003", "S003")):
        group = "control" if is_control("CMP1", no, 50) else "target"
        if no == "C001":
            expected.append(f"CMP1,C001,{group},S001,Y,{(START + dt.timedelta(days=1)).isoformat()},5000.00,25.00")
        else:
            expected.append(f"CMP1,{no},{group},{rm},N,,0.00,0.00")
    assert lines[1:] == expected
    excluded = (tmp_path / "members.excluded.csv").read_text(encoding="utf-8").splitlines()
    assert excluded == ["code,customer_no,reason", "CMP1,N1,no_consent"]
    summary_csv = tmp_path / "summary.csv"
    run("export", "campaign-summary", "--code", "CMP1", "--out", str(summary_csv))
    rows = summary_csv.read_text(encoding="utf-8").splitlines()
    assert rows[0] == (
        "code,group,members,responders,response_rate_pct,sales_amount,fee_income,uplift_pp,incremental_fee"
    )
    assert [r.split(",")[1] for r in rows[1:]] == ["target", "control"]
    run("campaign", "close", "CMP1")
    assert Campaign.objects.get(code="CMP1").status == "closed"


def test_cli_create_bad_file_names_the_fault(bank, marketer, campaign_data, tmp_path):
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(campaign_data(products=["NOPE"], control_pct=60)), encoding="utf-8")
    with pytest.raises(CommandError) as err:
        run("campaign", "create", str(path), "--user", "mkt1")
    assert "products" in str(err.value) and "NOPE" in str(err.value) and "control_pct" in str(err.value)
    path.write_text("{not json", encoding="utf-8")
    with pytest.raises(CommandError, match="not a JSON"):
        run("campaign", "create", str(path), "--user", "mkt1")
    with pytest.raises(CommandError, match="nobody"):
        run("campaign", "create", str(path), "--user", "nobody")


def test_export_suitability_findings(bank, tmp_path):
    elderly = add_customer(bank, "OLD", birth=dt.date(1950, 5, 1))
    kyc(elderly, "C3", assessed=dt.date(2024, 1, 1), expires=dt.date(2025, 1, 1))  # expired by 2026
    common = dict(amount=Decimal("100.00"), fee_income=Decimal("1.00"), branch_id="B001", channel="counter")
    day = dt.date(2026, 11, 5)
    Sale.objects.create(sale_id="S1", sale_date=day, customer_id="OLD", product_id="FD5", **common)  # two
    Sale.objects.create(sale_id="S2", sale_date=day, customer_id="C001", product_id="WM2", **common)  # fine (C3, R2)
    Sale.objects.create(sale_id="S3", sale_date=day, customer_id="C001", product_id="WM4", **common)  # mismatch
    Sale.objects.create(sale_id="S4", sale_date=day, customer_id="OLD", product_id="PM1", **common)  # R1: fine
    out = tmp_path / "s.csv"
    run("export", "suitability", "--out", str(out))
    assert out.read_text(encoding="utf-8").splitlines() == [
        "sale_id,customer_no,product_code,sale_date,finding",
        "S1,OLD,FD5,2026-11-05,elderly_high_risk",
        "S1,OLD,FD5,2026-11-05,kyc_expired",
        "S3,C001,WM4,2026-11-05,suitability_mismatch",
    ]
