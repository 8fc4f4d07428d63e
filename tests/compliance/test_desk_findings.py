"""Findings and rectification from spec/compliance.md alone: open → rectified → verified (four eyes),
back to open, overdue past the due date, the plan's report."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from bankcrm.compliance.models import FindingCode, InspectionPlan, SampleItem
from bankcrm.compliance.services import BadInput, move_finding, plan_report, record_finding

pytestmark = pytest.mark.django_db


@pytest.fixture
def plan(small_bank):
    plan = InspectionPlan.objects.create(
        code="P1", population="sales", period="2026Q3", rate_pct=Decimal("20"), full_above=Decimal("2000000.00"),
        drawn_at=timezone.now(), population_count=10,
    )  # fmt: skip
    for key in ("S1", "S2", "S3"):
        SampleItem.objects.create(plan=plan, key=key, amount=Decimal("100.00"), reason="random", digest="0" * 64)
    FindingCode.objects.create(code="DOC", name="资料不全")
    FindingCode.objects.create(code="SIG", name="签字缺失")
    return plan


def finding(plan, key="S1", code="DOC", severity="medium", due=dt.date(2026, 10, 31)):
    return record_finding(
        plan.items.get(key=key), code=code, severity=severity, description="缺少风险揭示书", responsible="S001",
        due_date=due, inspector="insp1",
    )  # fmt: skip


def test_four_eyes_rectification(plan):
    f = finding(plan)
    with pytest.raises(BadInput, match="needs a note"):
        move_finding(f, "rectify", "S001-login", "")
    with pytest.raises(BadInput, match="not allowed"):
        move_finding(f, "verify", "insp2")
    f = move_finding(f, "rectify", "S001-login", "已补签")
    with pytest.raises(BadInput, match="four eyes"):
        move_finding(f, "verify", "S001-login")
    f = move_finding(f, "reopen", "insp2", "签字不符")
    assert f.status == "open" and f.rectified_by == ""
    f = move_finding(f, "rectify", "S001-login", "重新签字")
    f = move_finding(f, "verify", "insp2")
    assert (f.status, f.verified_by) == ("verified", "insp2")


def test_overdue_is_past_the_due_date_without_rectification(plan):
    f = finding(plan, due=dt.date(2026, 10, 31))
    assert not f.is_overdue(dt.date(2026, 10, 31))  # on the due date: not yet
    assert f.is_overdue(dt.date(2026, 11, 1))
    f = move_finding(f, "rectify", "S001-login", "done")
    assert not f.is_overdue(dt.date(2026, 12, 1))


def test_bad_finding_names_every_field(plan):
    with pytest.raises(BadInput) as exc:
        record_finding(
            plan.items.get(key="S1"), code="NOPE", severity="grave", description=" ", responsible="S999",
            due_date=dt.date(2026, 10, 1), inspector="insp1",
        )  # fmt: skip
    assert [e.split(":")[0] for e in exc.value.errors] == ["code", "severity", "responsible", "description"]


def test_plan_report(plan):
    today = timezone.localdate()
    finding(plan, "S1", "DOC", "high", due=today + dt.timedelta(days=5))  # rectified on time
    finding(plan, "S1", "SIG", "low", due=today - dt.timedelta(days=1))  # open past due: overdue
    finding(plan, "S2", "DOC", "high", due=today + dt.timedelta(days=5))  # open, not due yet
    first = plan.items.get(key="S1").findings.get(code="DOC")
    move_finding(first, "rectify", "S001-login", "补齐")
    report = plan_report(plan, today)
    assert (report["population"], report["sampled"], report["inspected"]) == (10, 3, 2)
    assert report["findings"] == [
        {"code": "DOC", "severity": "high", "count": 2},
        {"code": "SIG", "severity": "low", "count": 1},
    ]
    assert report["overdue"] == 1
    assert report["on_time_rate_pct"] == Decimal("50.00")  # 1 on time of 2 due (one rectified, one overdue)
