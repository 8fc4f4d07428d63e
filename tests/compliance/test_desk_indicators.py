"""Risk indicators from spec/compliance.md alone: band edges, previous period, alerts, bad input."""

from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command

from bankcrm.compliance.models import IndicatorAlert, IndicatorValue, RiskIndicator
from bankcrm.compliance.services import BadInput, acknowledge_alert

pytestmark = pytest.mark.django_db


def load(tmp_path, text, name="values.csv"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    call_command("compliance", "indicators", "import", str(path))


def status(period, code):
    return IndicatorValue.objects.get(period=period, indicator_id=code).status


def test_catalogue_defaults_from_the_spec():
    car = RiskIndicator.objects.get(pk="car")
    assert (car.direction, car.limit, car.warning) == ("min", Decimal("10.5"), Decimal("11.5"))
    npl = RiskIndicator.objects.get(pk="npl_ratio")
    assert (npl.direction, npl.limit, npl.warning) == ("max", Decimal("5.0"), Decimal("4.0"))
    assert RiskIndicator.objects.count() == 11
    assert set(RiskIndicator.objects.filter(computed=True).values_list("pk", flat=True)) == {
        "retail_npl_ratio",
        "deposit_deviation",
    }


@pytest.mark.parametrize(
    ("code", "value", "expected"),
    [
        # min car: limit 10.5, warning 11.5 → limit ≤ v < warning is warning
        ("car", "10.49", "breach"),
        ("car", "10.5", "warning"),  # exactly at the limit
        ("car", "11.49", "warning"),
        ("car", "11.5", "normal"),  # exactly at the warning
        # max npl: limit 5.0, warning 4.0 → warning < v ≤ limit is warning
        ("npl_ratio", "5.01", "breach"),
        ("npl_ratio", "5.0", "warning"),  # exactly at the limit
        ("npl_ratio", "4.01", "warning"),
        ("npl_ratio", "4.0", "normal"),  # exactly at the warning
        ("provision_coverage", "150", "warning"),
        ("provision_coverage", "149.99", "breach"),
        ("provision_coverage", "170", "normal"),
    ],
)
def test_band_edges(tmp_path, code, value, expected):
    load(tmp_path, f"period,code,value\n2026Q3,{code},{value}\n")
    assert status("2026Q3", code) == expected


def test_export_with_previous_period_and_change(tmp_path):
    load(tmp_path, "period,code,value\n2026Q2,car,12.00\n2026Q3,car,10.5\n2026Q3,npl_ratio,4.2\n")
    out = tmp_path / "ri.csv"
    call_command("export", "risk-indicators", "--period", "2026Q3", "--out", str(out))
    assert out.read_text(encoding="utf-8").splitlines() == [
        "period,code,value,status,prev_value,change",
        "2026Q3,car,10.5,warning,12,-1.5",
        "2026Q3,npl_ratio,4.2,warning,,",
    ]


def test_alert_stays_until_acknowledged_with_a_note(tmp_path):
    load(tmp_path, "period,code,value\n2026Q3,liquidity_ratio,24.9\n2026Q3,leverage_ratio,5\n")
    alert = IndicatorAlert.objects.get()
    assert (alert.value.indicator_id, alert.status, alert.acknowledged_at) == ("liquidity_ratio", "breach", None)
    with pytest.raises(BadInput, match="note"):
        acknowledge_alert(alert, "comp1", "  ")
    load(tmp_path, "period,code,value\n2026Q3,liquidity_ratio,24.9\n")  # same value again: no second alert
    assert IndicatorAlert.objects.count() == 1
    acknowledge_alert(alert, "comp1", "资本补充计划已报董事会")
    alert.refresh_from_db()
    assert alert.acknowledged_by == "comp1" and alert.note == "资本补充计划已报董事会"


def test_bad_lines_are_named_and_nothing_is_loaded(tmp_path, capsys):
    text = "period,code,value\n2026Q3,car,11\n2026Q3,no_such,1\n2026Q3,car,abc\n2026Q3,retail_npl_ratio,1\n"
    with pytest.raises(CommandError):
        load(tmp_path, text)
    err = capsys.readouterr().err
    assert "line 3: unknown indicator code 'no_such'" in err
    assert "line 4: value 'abc' of car is not a number" in err
    assert not IndicatorValue.objects.exists()
