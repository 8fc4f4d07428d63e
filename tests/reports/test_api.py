"""The reports API: the export's figures as JSON, scoped by unit like every page (spec/indicators.md)."""

import datetime as dt

import pytest
from django.core.management import call_command
from test_targets import BONUS, COEFFICIENTS, TARGETS, WEIGHTS, _folder

from reports_data import build
from webapi_data import token_client

D = dt.date
pytestmark = pytest.mark.django_db


@pytest.fixture
def api_bank(rbank, tmp_path, make_login):
    build(rbank).refresh()
    call_command(
        "targets",
        "import",
        str(_folder(tmp_path, targets=TARGETS, weights=WEIGHTS, coefficients=COEFFICIENTS, bonus=BONUS)),
    )
    return {
        "head": make_login("ho", "head_office"),
        "manager": make_login("mgr", "branch_manager", branch_code="B001"),
        "rm": make_login("rm1", "rm", staff_no="S001"),
        "compliance": make_login("cmp", "compliance"),
        "handler": make_login("desk", "complaint_handler"),
    }


def _units(client, path):
    response = client.get(path)
    assert response.status_code == 200, response.content
    return {r["unit"] for r in response.json()["results"]}, response.json()


def test_indicators_scoped_per_role(api_bank):
    path = "/api/indicators/?as_of=2026-11-12&period=xun&page_size=500"
    head, _ = _units(token_client(api_bank["head"]), path)
    assert {"bank", "branch:B001", "branch:B002", "rm:S001", "rm:S002", "rm:S003"} <= head
    # B001's manager: B001 and the sub-branch below it, and the rms of those branches
    mgr, _ = _units(token_client(api_bank["manager"]), path)
    assert mgr == {"branch:B001", "branch:B001A", "rm:S001", "rm:S003"}
    rm, body = _units(token_client(api_bank["rm"]), path)
    assert rm == {"rm:S001"}
    row = next(r for r in body["results"] if r["indicator"] == "deposit_balance")
    assert (row["value"], row["prev_value"], row["change_ytd"]) == ("13000.02", "12000.00", "8000.02")
    loans = next(r for r in body["results"] if r["indicator"] == "loan_customers")
    assert loans["value"] == 1
    assert token_client(api_bank["handler"]).get(path).status_code == 403


def test_indicators_bad_input_names_the_parameter(api_bank):
    client = token_client(api_bank["head"])
    response = client.get("/api/indicators/?as_of=2026-11-31&period=month")
    assert response.status_code == 400 and "as_of" in response.json()["errors"]
    response = client.get("/api/indicators/?as_of=2026-11-12&period=fortnight")
    assert response.status_code == 400 and "period" in response.json()["errors"]


def test_targets_and_scorecards_scoped(api_bank):
    rm_units, body = _units(token_client(api_bank["rm"]), "/api/targets/?as_of=2026-11-12&page_size=500")
    assert rm_units == {"rm:S001"}
    fee = next(r for r in body["results"] if r["indicator"] == "fee_income" and r["period"] == "2026-11")
    assert (fee["completion_pct"], fee["gap_pct"], fee["status"]) == ("34.99", "-5.01", "at_risk")
    mgr_units, _ = _units(token_client(api_bank["manager"]), "/api/targets/?as_of=2026-11-12")
    assert mgr_units == {"branch:B001", "rm:S001"}  # not B002's, not the bank's
    cards, body = _units(token_client(api_bank["rm"]), "/api/scorecards/?period=2026-11&as_of=2026-11-12")
    assert cards == {"rm:S001"}
    card = body["results"][0]
    assert (card["score"], card["coefficient"], card["red_line"], card["bonus"]) == ("70.50", "0.60", "N", "6000.00")
    assert [c["indicator"] for c in card["contributions"]] == ["deposit_avg", "fee_income", "sales_amount"]
    head_cards, _ = _units(token_client(api_bank["head"]), "/api/scorecards/?period=2026-11&as_of=2026-11-12")
    assert head_cards == {"rm:S001", "rm:S002", "rm:S003"}
    bad = token_client(api_bank["head"]).get("/api/scorecards/?period=2026-14&as_of=2026-11-12")
    assert bad.status_code == 400 and "period" in bad.json()["errors"]


def test_red_lines_posted_by_compliance_only(api_bank):
    payload = {"staff_no": "S001", "code": "bribery", "date": "2026-11-06", "note": "gift card"}
    assert token_client(api_bank["rm"]).post("/api/red-lines/", payload, format="json").status_code == 403
    assert token_client(api_bank["manager"]).post("/api/red-lines/", payload, format="json").status_code == 403
    response = token_client(api_bank["compliance"]).post("/api/red-lines/", payload, format="json")
    assert response.status_code == 201, response.content
    assert response.json()["recorded_by"] == "cmp"
    unknown = token_client(api_bank["compliance"]).post(
        "/api/red-lines/", {**payload, "staff_no": "S999"}, format="json"
    )
    assert unknown.status_code == 400 and "staff_no" in unknown.json()["errors"]
    bad_code = token_client(api_bank["compliance"]).post("/api/red-lines/", {**payload, "code": "x"}, format="json")
    assert bad_code.status_code == 400 and "code" in bad_code.json()["errors"]
    card = token_client(api_bank["rm"]).get("/api/scorecards/?period=2026-11&as_of=2026-11-12").json()["results"][0]
    assert (card["red_line"], card["coefficient"], card["bonus"]) == ("Y", "0.00", "0.00")
    # the rm sees their own red line, B002's rm none of S001's
    assert token_client(api_bank["rm"]).get("/api/red-lines/").json()["count"] == 1


def test_schema_lists_the_reports_endpoints(client, make_login):
    client.force_login(make_login("dev", "head_office"))  # the schema needs a login (issue 15.6)
    paths = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()["paths"]
    for path in ("/api/v1/indicators/", "/api/v1/targets/", "/api/v1/scorecards/", "/api/v1/red-lines/"):
        assert path in paths
    assert "post" in paths["/api/v1/red-lines/"]
