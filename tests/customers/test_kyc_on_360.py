"""Issue 14: a relationship manager records a new KYC assessment on the 360 (questionnaire score → C1–C5)."""

import datetime as dt
from types import SimpleNamespace

import pytest
from django.contrib.contenttypes.models import ContentType

from bankcrm.core.models import ObjectChange
from bankcrm.customers import services
from bankcrm.customers.models import KycAssessment
from webapi_data import page_client

TODAY = dt.date(2026, 3, 5)


def kyc_type():
    return ContentType.objects.get_for_model(KycAssessment)


@pytest.fixture
def rm(bank360, make_login, monkeypatch):
    monkeypatch.setattr(services, "timezone", SimpleNamespace(localdate=lambda: TODAY))
    return make_login("wf", "rm", staff_no="S001")


def todays(customer_no="C001"):
    return KycAssessment.objects.filter(customer_id=customer_no, assessed_date=TODAY).first()


@pytest.mark.parametrize(
    "score, level",
    # the default bands "20,40,60,80" are the highest score of C1..C4, written out by hand
    [(0, "C1"), (20, "C1"), (21, "C2"), (40, "C2"), (55, "C3"), (80, "C4"), (81, "C5"), (100, "C5")],
)
def test_score_maps_to_level_by_default_bands(rm, score, level):
    response = page_client(rm).post("/customers/C001/kyc/", {"score": score})
    assert response.status_code == 302 and response["Location"] == "/customers/C001/#kyc"
    assessment = todays()
    assert assessment.risk_level == level
    assert assessment.expires_date == dt.date(2027, 3, 5)
    assert assessment.channel == "branch"


def test_the_360_shows_the_new_assessment_in_force(rm):
    client = page_client(rm)
    client.post("/customers/C001/kyc/", {"score": 65})
    html = client.get("/customers/C001/").content.decode()
    assert "C4" in html and "2027-03-05" in html
    assert 'action="/customers/C001/kyc/#kyc"' in html


def test_bands_are_the_banks(rm, settings):
    settings.BANKCRM_KYC = {"bands": [10, 30, 50, 70]}
    page_client(rm).post("/customers/C001/kyc/", {"score": 75})
    assert todays().risk_level == "C5"


def test_the_assessment_is_change_logged_with_its_author(rm):
    page_client(rm).post("/customers/C001/kyc/", {"score": 30})
    entry = ObjectChange.objects.filter(content_type=kyc_type(), object_id=str(todays().pk), action="create").get()
    assert entry.user_name == "wf"
    assert entry.postchange_data["risk_level"] == "C2"


def test_a_second_assessment_the_same_day_replaces_it(rm):
    client = page_client(rm)
    client.post("/customers/C001/kyc/", {"score": 10})
    client.post("/customers/C001/kyc/", {"score": 90})
    assert KycAssessment.objects.filter(customer_id="C001", assessed_date=TODAY).count() == 1
    assert todays().risk_level == "C5"
    assert (
        ObjectChange.objects.filter(content_type=kyc_type(), object_id=str(todays().pk), action="update").count() == 1
    )


@pytest.mark.parametrize(
    "score, message",
    [("", "请输入问卷得分。"), ("abc", "问卷得分必须是整数。"), ("-1", "问卷得分必须是不小于 0 的整数。")],
)
def test_bad_scores_are_refused_in_chinese(rm, score, message):
    response = page_client(rm).post("/customers/C001/kyc/", {"score": score})
    assert response.status_code == 400
    assert message in response.content.decode()
    assert todays() is None


def test_an_rm_cannot_assess_another_rms_customer(rm):
    assert page_client(rm).post("/customers/C002/kyc/", {"score": 30}).status_code == 404
    assert todays("C002") is None


def test_a_branch_head_assesses_in_the_branch_not_outside(bank360, make_login, monkeypatch):
    monkeypatch.setattr(services, "timezone", SimpleNamespace(localdate=lambda: TODAY))
    client = page_client(make_login("boss", "branch_manager", branch_code="B001"))
    assert client.post("/customers/C001/kyc/", {"score": 30}).status_code == 302
    assert client.post("/customers/C002/kyc/", {"score": 30}).status_code == 404
    assert todays("C002") is None


def test_read_only_roles_may_not_assess(bank360, make_login):
    client = page_client(make_login("ho", "head_office"))
    assert client.post("/customers/C001/kyc/", {"score": 30}).status_code == 403
    assert "/customers/C001/kyc/" not in client.get("/customers/C001/").content.decode()


def test_the_kyc_expiring_queue_item_links_to_the_form(rm):
    html = page_client(rm).get("/campaigns/queue/", {"kind": "kyc_expiring"}).content.decode()
    assert 'href="/customers/C001/#kyc"' in html
