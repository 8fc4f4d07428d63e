"""The desk through the API and pages: alerts acknowledged with a note, cases read (and logged), search."""

import pytest
from django.core.management import call_command

from bankcrm.compliance.models import IndicatorAlert, ScreeningCase
from bankcrm.core.models import AccessLog
from webapi_data import page_client, token_client

pytestmark = pytest.mark.django_db


@pytest.fixture
def officer(small_bank, make_login):
    return make_login("comp1", "compliance")


def test_acknowledge_alert_needs_a_note(tmp_path, officer, settings):
    settings.WAREHOUSE_DIR = tmp_path / "warehouse"  # nothing to compute: only the imported value alerts
    path = tmp_path / "v.csv"
    path.write_text("period,code,value\n2026Q3,car,10.4\n", encoding="utf-8")
    call_command("compliance", "indicators", "import", str(path))
    alert = IndicatorAlert.objects.get()
    client = token_client(officer)
    response = client.post(f"/api/indicator-alerts/{alert.pk}/acknowledge/", {"note": ""}, format="json")
    assert response.status_code == 400 and "note" in response.json()["errors"]
    response = client.post(f"/api/indicator-alerts/{alert.pk}/acknowledge/", {"note": "已报告"}, format="json")
    assert response.status_code == 200 and response.json()["acknowledged_by"] == "comp1"
    page = page_client(officer).get("/compliance/indicators/", {"period": "2026Q3"})
    assert page.status_code == 200 and "资本充足率" in page.content.decode()


def test_viewing_a_case_is_in_the_access_log(officer):
    case = ScreeningCase.objects.create(quarter="2026Q3", staff_id="S001", rule="browsing", detail="5 views")
    assert token_client(officer).get(f"/api/screening-cases/{case.pk}/").status_code == 200
    assert page_client(officer).get(f"/compliance/cases/{case.pk}/").status_code == 200
    logged = AccessLog.objects.filter(user_name="comp1", detail=f"screening case {case.pk}")
    assert logged.count() == 2


def test_regulation_search_api(tmp_path, officer):
    path = tmp_path / "r.csv"
    path.write_text(
        "reg_id,kind,title,issuer,doc_no,issued_date,effective_date,status,text\n"
        "R1,external,理财办法,银保监会,令2018年第6号,2018-09-26,2018-09-26,in_force,开展投资者适当性管理\n"
        "R2,internal,员工手册,本行,行发1号,,,in_force,严禁代客操作\n",
        encoding="utf-8",
    )
    call_command("compliance", "regulations", "import", str(path))
    body = token_client(officer).get("/api/regulations/", {"q": "适当性"}).json()
    results = body["results"] if isinstance(body, dict) else body
    assert [r["reg_id"] for r in results] == ["R1"]


def test_finding_through_the_api_four_eyes_and_report(small_bank, make_login):
    import datetime as dt
    from decimal import Decimal

    from django.utils import timezone

    from bankcrm.compliance.models import FindingCode, InspectionPlan, SampleItem

    plan = InspectionPlan.objects.create(
        code="P1", population="sales", period="2026Q3", rate_pct=Decimal("20"), full_above=Decimal("2000000.00"),
        drawn_at=timezone.now(), population_count=5,
    )  # fmt: skip
    SampleItem.objects.create(plan=plan, key="S1", amount=Decimal("1.00"), reason="random", digest="0" * 64)
    FindingCode.objects.create(code="DOC", name="资料不全")
    inspector, other = token_client(make_login("insp1", "compliance")), token_client(make_login("insp2", "compliance"))
    due = (timezone.localdate() + dt.timedelta(days=3)).isoformat()
    body = {"plan": "P1", "key": "S9", "code": "DOC", "severity": "high", "description": "x", "responsible": "S001"}
    response = inspector.post("/api/findings/", {**body, "due_date": due}, format="json")
    assert response.status_code == 400 and "key" in response.json()["errors"]
    response = inspector.post("/api/findings/", {**body, "key": "S1", "due_date": due}, format="json")
    assert response.status_code == 201, response.content
    pk = response.json()["id"]
    assert (
        inspector.post(f"/api/findings/{pk}/move/", {"action": "rectify", "note": "补齐"}, format="json").status_code
        == 200
    )
    assert inspector.post(f"/api/findings/{pk}/move/", {"action": "verify"}, format="json").status_code == 400
    assert other.post(f"/api/findings/{pk}/move/", {"action": "verify"}, format="json").json()["status"] == "verified"
    report = inspector.get("/api/inspection-plans/P1/report/").json()
    assert (report["sampled"], report["inspected"], report["on_time_rate_pct"]) == (1, 1, "100.00")
