"""The compliance officer's desk pages (issue 13), written from spec/compliance.md and the issue:
checklists per sampled item, finding and case forms with buttons only where they work, overdue
findings escalated to the branch head once, the plan report in Excel, the indicator trend chart,
citations of regulations (at the version cited) from findings, cases and complaint root causes."""

import datetime as dt
import html
import io
import json
import re
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.utils import timezone

from bankcrm.compliance.models import (
    ChecklistQuestion,
    Citation,
    Finding,
    FindingCode,
    FindingEscalation,
    InspectionPlan,
    RiskIndicator,
    SampleItem,
    ScreeningCase,
)
from bankcrm.compliance.services import BadInput, move_finding, record_finding, sweep
from bankcrm.core.models import AccessLog
from webapi_data import page_client

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 11, 16)


@pytest.fixture
def officer(small_bank, make_login):
    return make_login("comp1", "compliance")


@pytest.fixture
def second_officer(small_bank, make_login):
    return make_login("comp2", "compliance")


@pytest.fixture
def plan(small_bank):
    plan = InspectionPlan.objects.create(
        code="P1", population="sales", period="2026Q3", rate_pct=Decimal("20"), full_above=Decimal("2000000.00"),
        drawn_at=timezone.now(), population_count=10,
    )  # fmt: skip
    for key, amount in (("S1", "1200.00"), ("S2", "-30.50"), ("S3", "2500000.00")):
        SampleItem.objects.create(plan=plan, key=key, amount=Decimal(amount), reason="random", digest="0" * 64)
    FindingCode.objects.create(code="DOC", name="资料不全")
    FindingCode.objects.create(code="SIG", name="签字缺失")
    return plan


def new_finding(plan, key="S1", due=dt.date(2026, 11, 15), responsible="S001", code="DOC", severity="medium"):
    return record_finding(
        plan.items.get(key=key), code=code, severity=severity, description="缺少风险揭示书",
        responsible=responsible, due_date=due, inspector="comp1",
    )  # fmt: skip


def text(response) -> str:
    return response.content.decode()


# ------------------------------------------------------------------ 1. checklists


@pytest.fixture
def checklist(plan):
    return {
        "risk": ChecklistQuestion.objects.create(population="sales", position=1, text="风险揭示书已签字"),
        "kyc": ChecklistQuestion.objects.create(population="sales", position=2, text="客户风险评估在有效期内"),
        "rec": ChecklistQuestion.objects.create(population="sales", position=3, text="双录完整"),
        "loan": ChecklistQuestion.objects.create(population="new_loans", position=1, text="借款合同已面签"),
    }


def test_the_item_shows_the_checklist_of_its_population(officer, plan, checklist):
    page = text(page_client(officer).get("/compliance/plans/P1/items/S1/"))
    assert "风险揭示书已签字" in page and "客户风险评估在有效期内" in page and "双录完整" in page
    assert "借款合同已面签" not in page  # the new_loans template is another population's


def test_answers_are_stored_shown_and_a_no_suggests_a_finding(officer, plan, checklist):
    client = page_client(officer)
    q = checklist
    response = client.post(
        "/compliance/plans/P1/items/S1/checklist/",
        {
            f"q{q['risk'].pk}_answer": "yes",
            f"q{q['kyc'].pk}_answer": "no", f"q{q['kyc'].pk}_note": "评估已过期 3 个月",
            f"q{q['rec'].pk}_answer": "na", f"q{q['rec'].pk}_note": "非理财产品",
        },
        follow=True,
    )  # fmt: skip
    page = text(response)
    assert "回答为“否”" in page and "客户风险评估在有效期内" in page  # the suggestion, in Chinese
    item = plan.items.get(key="S1")
    assert {a.question.text: (a.answer, a.note) for a in item.answers.all()} == {
        "风险揭示书已签字": ("yes", ""),
        "客户风险评估在有效期内": ("no", "评估已过期 3 个月"),
        "双录完整": ("na", "非理财产品"),
    }
    assert item.inspected_at is not None and item.inspected_by == "comp1"  # answering is inspecting
    # the page links the "no" to a finding form with its description filled in
    assert f"?suggest={q['kyc'].pk}" in page
    prefilled = text(client.get(f"/compliance/plans/P1/items/S1/?suggest={q['kyc'].pk}"))
    assert re.search(r"<textarea[^>]*>\s*客户风险评估在有效期内</textarea>", prefilled)


def test_a_changed_answer_replaces_the_first_and_the_wording_answered_is_kept(officer, plan, checklist):
    client = page_client(officer)
    risk = checklist["risk"]
    client.post("/compliance/plans/P1/items/S1/checklist/", {f"q{risk.pk}_answer": "no"})
    client.post("/compliance/plans/P1/items/S1/checklist/", {f"q{risk.pk}_answer": "yes"})
    item = plan.items.get(key="S1")
    assert [(a.question_id, a.answer) for a in item.answers.all()] == [(risk.pk, "yes")]
    risk.text = "风险揭示书已由客户本人签字"  # the bank edits its template afterwards
    risk.save()
    page = text(client.get("/compliance/plans/P1/items/S1/"))
    assert "风险揭示书已签字" in page  # the item shows what was answered


def test_a_question_out_of_use_stays_on_items_that_answered_it(officer, plan, checklist):
    client = page_client(officer)
    rec = checklist["rec"]
    client.post("/compliance/plans/P1/items/S1/checklist/", {f"q{rec.pk}_answer": "yes"})
    rec.active = False
    rec.save()
    assert "双录完整" in text(client.get("/compliance/plans/P1/items/S1/"))
    assert "双录完整" not in text(client.get("/compliance/plans/P1/items/S2/"))


def test_an_answer_to_another_populations_question_is_refused(plan, checklist):
    from bankcrm.compliance.services import answer_checklist

    with pytest.raises(BadInput, match="not on the sales checklist"):
        answer_checklist(plan.items.get(key="S1"), {checklist["loan"].pk: ("yes", "")}, "comp1")
    with pytest.raises(BadInput, match="not yes, no or na"):
        answer_checklist(plan.items.get(key="S1"), {checklist["risk"].pk: ("maybe", "")}, "comp1")


def test_compliance_edits_the_checklist_template_on_its_page(officer, plan):
    client = page_client(officer)
    response = client.post(
        "/compliance/checklists/", {"population": "new_loans", "position": 1, "text": "抵押登记已办妥", "active": "on"}
    )
    assert response.status_code == 302
    question = ChecklistQuestion.objects.get()
    assert (question.population, question.text, question.active) == ("new_loans", "抵押登记已办妥", True)
    client.post("/compliance/checklists/", {"toggle": question.pk})
    question.refresh_from_db()
    assert question.active is False
    assert client.post("/compliance/checklists/", {"population": "x", "position": 1, "text": ""}).status_code == 400


# ------------------------------------------------------------------ 2. finding forms


def test_the_finding_form_offers_the_catalogue_and_staff_and_records(officer, plan):
    client = page_client(officer)
    page = text(client.get("/compliance/plans/P1/items/S1/"))
    assert "资料不全" in page and "签字缺失" in page and "王芳" in page  # codes and staff to choose from
    due = (timezone.localdate() + dt.timedelta(days=30)).isoformat()
    response = client.post(
        "/compliance/plans/P1/items/S1/findings/",
        {"code": "SIG", "severity": "high", "description": "客户未签字", "responsible": "S001", "due_date": due},
    )
    assert response.status_code == 302
    finding = Finding.objects.get()
    assert (finding.code_id, finding.severity, finding.responsible_id, finding.inspector) == (
        "SIG", "high", "S001", "comp1",
    )  # fmt: skip
    assert "客户未签字" in text(client.get("/compliance/plans/P1/items/S1/"))


def test_a_bad_finding_form_names_the_field_in_chinese(officer, plan):
    client = page_client(officer)
    response = client.post(
        "/compliance/plans/P1/items/S1/findings/",
        {"code": "NOPE", "severity": "high", "description": "x", "responsible": "S001", "due_date": "2020-01-01"},
    )
    assert response.status_code == 400
    page = text(response)
    assert "早于今天" in page  # the due date in the past
    assert "选择一个有效的选项" in page  # Django's own message for an unknown code
    assert not Finding.objects.exists()


def test_the_rectifier_sees_no_verify_button_and_is_refused_four_eyes(officer, second_officer, plan):
    finding = new_finding(plan, due=timezone.localdate() + dt.timedelta(days=5))
    first, second = page_client(officer), page_client(second_officer)
    page = text(first.get("/compliance/plans/P1/items/S1/"))
    assert 'value="rectify"' in page and 'value="verify"' not in page  # open: only rectify
    assert first.post(f"/compliance/findings/{finding.pk}/move/", {"action": "rectify", "note": ""}, follow=True)
    finding.refresh_from_db()
    assert finding.status == "open"  # a rectification needs a note
    first.post(f"/compliance/findings/{finding.pk}/move/", {"action": "rectify", "note": "已补签"})
    finding.refresh_from_db()
    assert (finding.status, finding.rectified_by) == ("rectified", "comp1")
    page = text(first.get("/compliance/plans/P1/items/S1/"))
    assert 'value="verify"' not in page and 'value="reopen"' in page
    refused = first.post(f"/compliance/findings/{finding.pk}/move/", {"action": "verify"}, follow=True)
    assert "双人复核" in text(refused)
    finding.refresh_from_db()
    assert finding.status == "rectified"
    assert 'value="verify"' in text(second.get("/compliance/plans/P1/items/S1/"))
    second.post(f"/compliance/findings/{finding.pk}/move/", {"action": "verify"})
    finding.refresh_from_db()
    assert (finding.status, finding.verified_by) == ("verified", "comp2")
    page = text(second.get("/compliance/plans/P1/items/S1/"))
    assert 'name="action"' not in page  # verified: no move left


def test_reopen_from_the_page(officer, second_officer, plan):
    finding = new_finding(plan, due=timezone.localdate() + dt.timedelta(days=5))
    move_finding(finding, "rectify", "comp1", "已补签")
    page_client(second_officer).post(f"/compliance/findings/{finding.pk}/move/", {"action": "reopen", "note": "不符"})
    finding.refresh_from_db()
    assert (finding.status, finding.rectified_by) == ("open", "")


# ------------------------------------------------------------------ 3. overdue and escalation


def test_overdue_badge_and_filter(officer, plan):
    today = timezone.localdate()
    new_finding(plan, "S1", due=today)  # due today: not overdue
    late = new_finding(plan, "S2", due=today - dt.timedelta(days=1))
    client = page_client(officer)
    page = text(client.get("/compliance/findings/"))
    assert page.count('text-bg-danger">已逾期') == 1
    overdue_only = text(client.get("/compliance/findings/", {"overdue": "1"}))
    assert f"<td>{late.pk}</td>" in overdue_only and overdue_only.count("<td>S1</td>") == 0
    assert "已逾期" in text(client.get("/compliance/plans/P1/items/S2/"))


def test_sweep_day_edges_and_once(plan):
    finding = new_finding(plan, due=dt.date(2026, 11, 15))
    assert sweep(dt.date(2026, 11, 15)).escalated == []  # on the due date: not overdue, nothing escalated
    result = sweep(dt.date(2026, 11, 16))  # the day after: overdue, escalated
    assert result.overdue == 1 and [e.finding_id for e in result.escalated] == [finding.pk]
    escalation = FindingEscalation.objects.get()
    assert (escalation.branch_id, escalation.escalated_on) == ("B001", dt.date(2026, 11, 16))  # S001's branch
    again = sweep(dt.date(2026, 11, 17))
    assert again.overdue == 1 and again.escalated == []  # escalated once
    assert FindingEscalation.objects.count() == 1


def test_sweep_leaves_rectified_findings_alone(plan):
    finding = new_finding(plan, due=dt.date(2026, 11, 15))
    move_finding(finding, "rectify", "comp1", "已补签")
    assert sweep(dt.date(2026, 12, 1)).overdue == 0
    assert not FindingEscalation.objects.exists()


def test_sweep_command_is_idempotent(plan, make_login):
    new_finding(plan, responsible="S002", due=dt.date(2026, 11, 15))  # S002 works at B002
    out, err = io.StringIO(), io.StringIO()
    call_command("compliance", "sweep", "--today", "2026-11-16", stdout=out, stderr=err)
    assert "1 overdue findings, 1 newly escalated" in out.getvalue()
    assert "branch B002: no branch-manager login" in err.getvalue()  # said, not silently dropped
    make_login("bm2", "branch_manager", branch_code="B002")
    out = io.StringIO()
    call_command("compliance", "sweep", "--today", "2026-11-16", stdout=out, stderr=io.StringIO())
    assert "1 overdue findings, 0 newly escalated" in out.getvalue()
    with pytest.raises(Exception, match="not a date"):
        call_command("compliance", "sweep", "--today", "16.11.2026")


def test_the_branch_head_sees_and_acknowledges_their_branchs_escalations(officer, plan, make_login):
    new_finding(plan, responsible="S001", due=dt.date(2026, 11, 15))  # B001
    new_finding(plan, "S2", responsible="S002", due=dt.date(2026, 11, 15), code="SIG")  # B002
    sweep(dt.date(2026, 11, 16))
    head_b1 = page_client(make_login("bm1", "branch_manager", branch_code="B001"))
    page = text(head_b1.get("/compliance/escalations/"))
    assert "资料不全" in page and "签字缺失" not in page  # only their branch
    assert "/compliance/plans/" not in page  # no link into the desk the branch head cannot open
    assert 'href="/compliance/escalations/"' in text(head_b1.get("/customers/"))  # in their menu
    assert head_b1.get("/compliance/findings/").status_code == 403  # the notice, not the desk
    assert head_b1.get("/compliance/plans/P1/items/S1/").status_code == 403
    escalation = FindingEscalation.objects.get(branch_id="B001")
    other = FindingEscalation.objects.get(branch_id="B002")
    assert head_b1.post(f"/compliance/escalations/{other.pk}/acknowledge/").status_code == 404
    head_b1.post(f"/compliance/escalations/{escalation.pk}/acknowledge/")
    escalation.refresh_from_db()
    assert escalation.acknowledged_by == "bm1"
    both = text(page_client(officer).get("/compliance/escalations/"))
    assert "资料不全" in both and "签字缺失" in both  # compliance sees every branch
    assert page_client(make_login("rm1", "rm", staff_no="S001")).get("/compliance/escalations/").status_code == 403


def test_the_findings_page_marks_escalated_findings(officer, plan):
    new_finding(plan, due=timezone.localdate() - dt.timedelta(days=3))
    sweep(timezone.localdate())
    assert "已上报支行负责人" in text(page_client(officer).get("/compliance/findings/"))


# ------------------------------------------------------------------ 2. screening case forms


@pytest.fixture
def case(small_bank):
    return ScreeningCase.objects.create(
        quarter="2026Q3", staff_id="S001", rule="browsing", detail="7 unjustified views"
    )


def test_case_moves_from_the_page(officer, second_officer, case):
    client = page_client(officer)
    page = text(client.get(f"/compliance/cases/{case.pk}/"))
    assert 'value="explained"' in page and 'value="escalated"' in page and 'value="closed"' not in page
    client.post(f"/compliance/cases/{case.pk}/move/", {"to": "explained", "note": "客户委托查询，有授权书"})
    case.refresh_from_db()
    assert case.status == "explained" and "客户委托查询" in case.notes and case.reviewer.username == "comp1"
    refused = client.post(f"/compliance/cases/{case.pk}/move/", {"to": "closed", "note": " "}, follow=True)
    assert "结案须填写说明" in text(refused)
    case.refresh_from_db()
    assert case.status == "explained"
    client.post(f"/compliance/cases/{case.pk}/note/", {"note": "已约谈"})
    client.post(f"/compliance/cases/{case.pk}/reviewer/", {"reviewer": second_officer.profile.pk})
    case.refresh_from_db()
    assert "已约谈" in case.notes and case.reviewer == second_officer
    client.post(f"/compliance/cases/{case.pk}/move/", {"to": "closed", "note": "情况属实，已处理"})
    case.refresh_from_db()
    assert case.status == "closed"
    page = text(client.get(f"/compliance/cases/{case.pk}/"))
    assert 'name="to"' not in page  # closed: no move, no note, no reviewer form
    assert f"/compliance/cases/{case.pk}/note/" not in page


def test_the_reviewer_must_be_a_compliance_login(officer, case, make_login):
    rm = make_login("rm1", "rm", staff_no="S001")
    client = page_client(officer)
    page = text(client.get(f"/compliance/cases/{case.pk}/"))
    assert "comp1" in page and "rm1" not in page  # only compliance logins offered
    client.post(f"/compliance/cases/{case.pk}/reviewer/", {"reviewer": rm.profile.pk})
    case.refresh_from_db()
    assert case.reviewer is None


def test_every_view_of_a_case_page_is_logged(officer, case):
    client = page_client(officer)
    client.get(f"/compliance/cases/{case.pk}/")
    client.get(f"/compliance/cases/{case.pk}/")
    assert AccessLog.objects.filter(user_name="comp1", detail=f"screening case {case.pk}").count() == 2


# ------------------------------------------------------------------ 4. the plan report in Excel


def test_plan_report_export(officer, second_officer, plan):
    from openpyxl import load_workbook

    today = timezone.localdate()
    on_time = new_finding(plan, "S1", due=today + dt.timedelta(days=5), code="DOC", severity="high")
    new_finding(plan, "S1", due=today - dt.timedelta(days=2), code="SIG", severity="low")  # overdue
    new_finding(plan, "S2", due=today + dt.timedelta(days=5), code="DOC", severity="high")
    move_finding(on_time, "rectify", "comp1", "补齐")
    response = page_client(officer).get("/compliance/plans/P1/export.xlsx")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    book = load_workbook(io.BytesIO(b"".join(response.streaming_content) if response.streaming else response.content))
    rows = [row for row in book.worksheets[0].iter_rows(values_only=True) if row and row[0]]
    report = {row[0]: row[1:3] for row in rows}
    assert report["population"] == ("总体数量", 10)  # name, Chinese label, value
    assert report["sampled"] == ("抽中数", 3)
    assert report["inspected"] == ("已检查", 2)
    assert report["overdue"] == ("逾期未整改", 1)
    assert report["on_time_rate_pct"][0] == "按期整改率 %"
    assert Decimal(str(report["on_time_rate_pct"][1])) == Decimal("50.00")  # 1 on time of 2 due
    assert report["DOC"][:2] == ("high", 2) and report["SIG"][:2] == ("low", 1)
    sample = list(book.worksheets[1].iter_rows(values_only=True))
    assert sample[0][:4] == ("plan", "key", "amount", "reason")
    assert [(r[1], Decimal(str(r[2]))) for r in sample[1:]] == [
        ("S1", Decimal("1200.00")), ("S2", Decimal("-30.50")), ("S3", Decimal("2500000.00")),
    ]  # fmt: skip
    findings = list(book.worksheets[2].iter_rows(values_only=True))
    assert len(findings) == 4 and [r[8] for r in findings[1:]].count("yes") == 1
    assert AccessLog.objects.filter(user_name="comp1", action="export", detail="inspection plan report P1").count() == 1


def test_the_export_keeps_a_formula_as_text(officer, plan):
    from openpyxl import load_workbook

    record_finding(
        plan.items.get(key="S1"), code="DOC", severity="low", description='=HYPERLINK("http://x","y")',
        responsible="S001", due_date=timezone.localdate(), inspector="comp1",
    )  # fmt: skip
    book = load_workbook(io.BytesIO(page_client(officer).get("/compliance/plans/P1/export.xlsx").content))
    cell = book.worksheets[2].cell(row=2, column=5)
    assert cell.value.startswith("=HYPERLINK") and cell.data_type == "s"


# ------------------------------------------------------------------ 5. the indicator trend chart


def test_indicator_page_draws_values_with_limit_and_warning(tmp_path, officer):
    path = tmp_path / "v.csv"
    path.write_text("period,code,value\n2026Q1,car,12.1\n2026Q2,car,11.2\n2026Q3,car,10.4\n", encoding="utf-8")
    call_command("compliance", "indicators", "import", str(path))
    response = page_client(officer).get("/compliance/indicators/car/")
    page = text(response)
    option = json.loads(html.unescape(re.search(r"data-chart='([^']*)'", page)[1]))
    assert option["xAxis"]["data"] == ["2026Q1", "2026Q2", "2026Q3"]
    lines = {s["name"]: s["data"] for s in option["series"]}
    assert lines["资本充足率 %"] == [12.1, 11.2, 10.4]
    assert lines["限额"] == [10.5, 10.5, 10.5] and lines["预警值"] == [11.5, 11.5, 11.5]
    assert "/static/vendor/echarts/echarts.min.js" in page and "cdn" not in page.lower()
    assert "超限" in page and "预警" in page  # 10.4 < 10.5 breach, 11.2 in the warning band
    assert "/compliance/indicators/car/" in text(page_client(officer).get("/compliance/indicators/"))


def test_indicator_page_without_values(officer):
    page = text(page_client(officer).get("/compliance/indicators/leverage_ratio/"))
    assert "data-chart" not in page and "暂无" in page
    assert page_client(officer).get("/compliance/indicators/nope/").status_code == 404
    assert RiskIndicator.objects.filter(pk="car").exists()


# ------------------------------------------------------------------ 6. citations


@pytest.fixture
def library(tmp_path):
    path = tmp_path / "r.csv"
    path.write_text(
        "reg_id,kind,title,issuer,doc_no,issued_date,effective_date,status,text\n"
        "R1,external,商业银行理财业务监督管理办法,银保监会,令2018年第6号,2018-09-26,2018-09-26,in_force,投资者适当性管理\n",
        encoding="utf-8",
    )
    call_command("compliance", "regulations", "import", str(path))
    return path


def replace_r1(path):
    path.write_text(
        "reg_id,kind,title,issuer,doc_no,issued_date,effective_date,status,text\n"
        "R1,external,理财业务管理办法（修订）,金融监管总局,令2025年第1号,2025-01-01,2025-03-01,in_force,新文本\n",
        encoding="utf-8",
    )
    call_command("compliance", "regulations", "import", str(path))


def test_a_finding_cites_a_regulation_at_the_version_cited(officer, plan, library):
    finding = new_finding(plan, due=timezone.localdate())
    client = page_client(officer)
    client.post(f"/compliance/findings/{finding.pk}/cite/", {"reg_id": "R1"})
    client.post(f"/compliance/findings/{finding.pk}/cite/", {"reg_id": "R1"})  # twice: still one citation
    citation = Citation.objects.get()
    assert (citation.finding_id, citation.regulation_id, citation.version) == (finding.pk, "R1", 1)
    page = text(client.get("/compliance/plans/P1/items/S1/"))
    assert "商业银行理财业务监督管理办法" in page and "令2018年第6号" in page
    assert 'href="/compliance/regulations/R1/"' in page
    replace_r1(library)
    page = text(client.get("/compliance/plans/P1/items/S1/"))
    assert "商业银行理财业务监督管理办法" in page and "修订" not in page  # as cited, not as replaced
    assert 'href="/compliance/regulations/R1/?version=1"' in page
    old = text(client.get("/compliance/regulations/R1/", {"version": "1"}))
    assert "投资者适当性管理" in old and "新文本" not in old
    assert "新文本" in text(client.get("/compliance/regulations/R1/"))


def test_an_unknown_regulation_is_named(officer, plan, library):
    finding = new_finding(plan, due=timezone.localdate())
    page = text(page_client(officer).post(f"/compliance/findings/{finding.pk}/cite/", {"reg_id": "R9"}, follow=True))
    assert "R9" in page and "制度库" in page
    assert not Citation.objects.exists()


def test_a_case_cites_a_regulation(officer, case, library):
    client = page_client(officer)
    client.post(f"/compliance/cases/{case.pk}/cite/", {"reg_id": "R1"})
    assert Citation.objects.get().case_id == case.pk
    assert "商业银行理财业务监督管理办法" in text(client.get(f"/compliance/cases/{case.pk}/"))
    citation = Citation.objects.get()
    client.post(f"/compliance/citations/{citation.pk}/remove/", {"next": f"/compliance/cases/{case.pk}/"})
    assert not Citation.objects.exists()


@pytest.fixture
def complaint(small_bank):
    from bankcrm.complaints.models import Complaint

    return Complaint.objects.create(
        reference="TS-0001", received_at=timezone.now(), customer=small_bank["customers"]["C001"],
        branch=small_bank["branches"]["B001"], channel="phone", category="fees_pricing", description="未揭示风险",
    )  # fmt: skip


def test_a_complaint_root_cause_cites_a_regulation(officer, complaint, library, make_login):
    client = page_client(officer)
    refused = client.post("/compliance/complaints/TS-0001/cite/", {"reg_id": "R1"}, follow=True)
    assert "投诉根因" in text(refused) and not Citation.objects.exists()  # no root cause yet
    complaint.root_cause = "disclosure"
    complaint.save()
    client.post("/compliance/complaints/TS-0001/cite/", {"reg_id": "R1"})
    assert Citation.objects.get().complaint_id == complaint.pk
    page = text(client.get("/compliance/complaints/TS-0001/"))
    assert "信息披露不充分" in page and "商业银行理财业务监督管理办法" in page
    assert "TS-0001" in text(client.get("/compliance/complaints/"))
    assert AccessLog.objects.filter(user_name="comp1", customer_no="C001", action="view").exists()
    # the complaint desk itself does not see the compliance citations
    handler = page_client(make_login("cs1", "complaint_handler"))
    assert handler.get("/compliance/complaints/TS-0001/").status_code == 403
    assert handler.post("/compliance/complaints/TS-0001/cite/", {"reg_id": "R1"}).status_code == 403


# ------------------------------------------------------------------ 7. who may see it


@pytest.mark.parametrize("role", ["head_office", "rm", "marketing", "complaint_handler", "branch_manager"])
def test_desk_pages_are_compliance_only(role, plan, case, library, complaint, make_login):
    kwargs = {"rm": {"staff_no": "S001"}, "branch_manager": {"branch_code": "B001"}}.get(role, {})
    client = page_client(make_login(f"{role}-1", role, **kwargs))
    finding = new_finding(plan, due=timezone.localdate())
    for url in (
        "/compliance/plans/P1/items/S1/", "/compliance/findings/", "/compliance/plans/P1/export.xlsx",
        "/compliance/indicators/car/", "/compliance/regulations/R1/", "/compliance/complaints/",
        "/compliance/complaints/TS-0001/", "/compliance/checklists/",
    ):  # fmt: skip
        assert client.get(url).status_code == 403, url
    for url, data in (
        ("/compliance/plans/P1/items/S1/findings/", {}), ("/compliance/plans/P1/items/S1/checklist/", {}),
        (f"/compliance/findings/{finding.pk}/move/", {"action": "rectify", "note": "x"}),
        (f"/compliance/findings/{finding.pk}/cite/", {"reg_id": "R1"}),
        (f"/compliance/cases/{case.pk}/move/", {"to": "explained"}),
        (f"/compliance/cases/{case.pk}/note/", {"note": "x"}),
        ("/compliance/checklists/", {"text": "x"}),
    ):  # fmt: skip
        assert client.post(url, data).status_code == 403, url
    finding.refresh_from_db()
    assert finding.status == "open" and not Citation.objects.exists()


# ------------------------------------------------------------------ the same through the API


def test_api_overdue_filter_citations_and_escalations(officer, plan, case, library, make_login):
    from webapi_data import token_client

    today = timezone.localdate()
    late = new_finding(plan, "S1", due=today - dt.timedelta(days=1))
    new_finding(plan, "S2", due=today, responsible="S002")
    api = token_client(officer)
    body = api.get("/api/findings/", {"overdue": "1"}).json()
    rows = body["results"] if isinstance(body, dict) else body
    assert [(r["id"], r["overdue"]) for r in rows] == [(late.pk, True)]
    cited = api.post(f"/api/findings/{late.pk}/cite/", {"reg_id": "R1"}, format="json")
    assert cited.status_code == 200
    assert [(c["reg_id"], c["version"], c["doc_no"]) for c in cited.json()["citations"]] == [("R1", 1, "令2018年第6号")]
    unknown = api.post(f"/api/screening-cases/{case.pk}/cite/", {"reg_id": "R9"}, format="json")
    assert unknown.status_code == 400 and "reg_id" in unknown.json()["errors"]
    assert api.post(f"/api/screening-cases/{case.pk}/cite/", {"reg_id": "R1"}, format="json").status_code == 200
    sweep(today)
    head = token_client(make_login("bm1", "branch_manager", branch_code="B001"))
    body = head.get("/api/finding-escalations/").json()
    rows = body["results"] if isinstance(body, dict) else body
    assert [(r["finding"], r["branch"]) for r in rows] == [(late.pk, "B001")]
    assert head.post(f"/api/finding-escalations/{rows[0]['id']}/acknowledge/").json()["acknowledged_by"] == "bm1"
    assert head.get("/api/findings/").status_code == 403  # the notice, not the desk
    assert (
        token_client(make_login("bm2", "branch_manager", branch_code="B002"))
        .get(f"/api/finding-escalations/{rows[0]['id']}/")
        .status_code
        == 404
    )


def test_the_manager_of_a_parent_branch_counts_as_the_head(plan, make_login):
    make_login("bm1", "branch_manager", branch_code="B001")
    new_finding(plan, responsible="S003", due=dt.date(2026, 11, 15))  # S003 works at B001A, below B001
    result = sweep(dt.date(2026, 11, 16))
    assert [e.branch_id for e in result.escalated] == ["B001A"] and result.no_branch_head == []


def test_remove_citation_does_not_redirect_off_site(officer, case, library):
    from bankcrm.compliance.models import Regulation
    from bankcrm.compliance.services import cite

    citation = cite(Regulation.objects.get(pk="R1"), "comp1", case=case)
    response = page_client(officer).post(
        f"/compliance/citations/{citation.pk}/remove/", {"next": "https://evil.example/"}
    )
    assert response.status_code == 302 and response["Location"] == "/compliance/regulations/"
