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


def test_acknowledge_alert_needs_a_note(tmp_path, officer):
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
