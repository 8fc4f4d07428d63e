"""The synthetic generator's delivery (bankcrm generate) imports with exactly its planted problems."""

import datetime as dt

import pytest

from bankcrm.ingest.models import QualityFinding
from bankcrm.synthetic import generate_delivery

pytestmark = [pytest.mark.django_db, pytest.mark.slow]


def test_generated_delivery_imports_with_exactly_the_planted_rejects(tmp_path, run_import):
    summary = generate_delivery(tmp_path / "gen", customers=120, months=1, end=dt.date(2026, 10, 31), seed=7)
    code, report = run_import(tmp_path / "gen")
    assert code == 0
    assert {f["status"] for f in report["files"]} == {"imported"}
    found = sorted((f["file"], r["line"], r["column"], r["reason"]) for f in report["files"] for r in f["rejects"])
    planted = sorted((p["file"], p["line"], p["column"], p["reason"]) for p in summary.planted_rejects)
    assert found == planted
    for entry in report["files"]:
        assert entry["rows_read"] == summary.files[entry["file"]]
    for finding, customers in summary.planted_quality.items():
        flagged = set(QualityFinding.objects.filter(finding=finding).values_list("customer_id", flat=True))
        assert set(customers) <= flagged, finding
    assert report["quality_findings"] == QualityFinding.objects.count()
    # the loans planted too lenient are exactly the classification check's findings after the import
    from bankcrm.analytics.loans import loan_findings

    found = sorted(f["account_no"] for f in loan_findings(dt.date(2026, 10, 31)))
    assert found == sorted(summary.lenient_loans["loans_20261031.csv"])
