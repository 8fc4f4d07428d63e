"""The API contract, as an integrator meets it (issue 8.17): a client generated from the live schema.

openapi-python-client (offline: it needs no network) generates a Python client from /api/schema/
of a running server; the test imports it and runs, through the generated functions and models
only, the integrator's scenario: customer search, the 360, a complaint's lifecycle under each
policy, and the access log. Any field the server sends that the schema does not allow (an ""
that is not in an enum, a null that is not nullable) makes the generated models raise.
"""

import datetime as dt
import importlib
import json
import subprocess
import sys
import urllib.request

import pytest

pytestmark = pytest.mark.slow

PACKAGE = "bankcrm_generated_client"


@pytest.fixture
def generated(live_server, tmp_path, make_login):
    from bankcrm.org.services import issue_token

    # Reading the schema needs a login (issue 15.6): the integrator's own token.
    make_login("integrator", "head_office")
    request = urllib.request.Request(
        f"{live_server.url}/api/schema/?format=json", headers={"Authorization": f"Token {issue_token('integrator')}"}
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        schema = json.loads(response.read())
    (tmp_path / "schema.json").write_text(json.dumps(schema))
    # No post hooks: the generated code is imported as it is, not formatted by a tool on PATH.
    (tmp_path / "config.yaml").write_text(f"post_hooks: []\nproject_name_override: {PACKAGE}\n"
                                          f"package_name_override: {PACKAGE}\n")  # fmt: skip
    result = subprocess.run(
        [sys.executable, "-m", "openapi_python_client", "generate", "--path", str(tmp_path / "schema.json"),
         "--output-path", str(tmp_path / "client"), "--config", str(tmp_path / "config.yaml"), "--fail-on-warning"],
        capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    sys.path.insert(0, str(tmp_path / "client"))
    try:
        yield {name: importlib.import_module(f"{PACKAGE}.{name}") for name in ("client", "models", "types")} | {
            "api": lambda tag, op: importlib.import_module(f"{PACKAGE}.api.{tag}.{op}")
        }
    finally:
        sys.path.remove(str(tmp_path / "client"))
        for name in [m for m in sys.modules if m == PACKAGE or m.startswith(f"{PACKAGE}.")]:
            del sys.modules[name]


def _client(generated, live_server, user):
    from bankcrm.org.services import issue_token

    return generated["client"].AuthenticatedClient(
        base_url=live_server.url, token=issue_token(user.username), prefix="Token", raise_on_unexpected_status=True
    )


# Receipt times in the past (the server refuses a time ahead of its clock), one per policy's desk.
POLICIES = {
    "cn": dt.datetime(2026, 9, 23, 10, 30, tzinfo=dt.timezone(dt.timedelta(hours=8))),
    "uk": dt.datetime(2025, 12, 22, 9, 0, tzinfo=dt.UTC),
    "in": dt.datetime(2026, 9, 23, 11, 0, tzinfo=dt.timezone(dt.timedelta(hours=5, minutes=30))),
}


def test_generated_client_runs_the_integrators_scenario(generated, live_server, bank360, make_login):
    models, api = generated["models"], generated["api"]
    head_office = _client(generated, live_server, make_login("ho", "head_office"))
    desk = _client(generated, live_server, make_login("desk", "complaint_handler"))
    compliance = _client(generated, live_server, make_login("audit", "compliance"))

    # Search and the 360 (masked; empty codes come back as null, typed by the schema).
    page = api("customers", "customers_list").sync(client=head_office, q="C001")
    assert page.count == 1 and page.results[0].customer_no == "C001"
    assert "*" in page.results[0].id_number
    c360 = api("customers", "customers_retrieve").sync(client=head_office, customer_no="C001")
    assert c360.customer_no == "C001" and len(c360.accounts) == 3
    assert c360.kyc.channel is None  # recorded without a channel: null, not ""
    assert [m.month for m in c360.aum_by_month][:1] == ["2026-09"]

    # A complaint's lifecycle under each policy.
    for policy, received in POLICIES.items():
        body = models.ComplaintCreate(
            customer_no="C001",
            channel=models.ChannelEnum.COUNTER,
            category=models.CategoryEnum.FEES_PRICING,
            policy=models.PolicyEnum(policy),
            received_at=received,
            branch_code="B001",
            description=f"charged twice ({policy})",
        )
        created = api("complaints", "complaints_create").sync_detailed(client=desk, body=body)
        assert created.status_code == 201, created.content
        complaint = created.parsed
        assert isinstance(complaint, models.ComplaintDetail), complaint
        assert complaint.status == models.ComplaintStatusEnum.RECEIVED
        assert complaint.satisfaction is None  # the defect: "" here made the generated client raise
        assert complaint.events[0].from_status is None and complaint.deadlines
        transition = api("complaints", "complaints_transition_create")
        steps = [
            models.Transition(action=models.TransitionActionEnum.ACKNOWLEDGE, note="called back"),
            models.Transition(action=models.TransitionActionEnum.INVESTIGATE),
            models.Transition(action=models.TransitionActionEnum.RESPOND, remedy="refunded", root_cause="process"),
            models.Transition(action=models.TransitionActionEnum.CLOSE, satisfaction=models.SatisfactionEnum.SATISFIED),
        ]
        for step, expected in zip(steps, ("acknowledged", "investigating", "responded", "closed"), strict=True):
            complaint = transition.sync(client=desk, reference=complaint.reference, body=step)
            assert isinstance(complaint, models.ComplaintDetail), complaint
            assert complaint.status == models.ComplaintStatusEnum(expected)
        assert complaint.policy == models.PolicyEnum(policy)
        assert complaint.satisfaction == models.SatisfactionEnum.SATISFIED
        # A refused state change is a typed 409 with its detail.
        refused = transition.sync_detailed(
            client=desk, reference=complaint.reference, body=models.Transition(action=models.TransitionActionEnum.CLOSE)
        )
        assert refused.status_code == 409 and "closed" in refused.parsed.detail
        listed = api("complaints", "complaints_retrieve").sync(client=desk, reference=complaint.reference)
        assert [e.action.value for e in listed.events][:2] == ["register", "registered_late"]

    # A 400 is typed too: detail plus errors per field.
    bad = api("complaints", "complaints_create").sync_detailed(
        client=desk,
        body=models.ComplaintCreate(
            channel=models.ChannelEnum.COUNTER, category=models.CategoryEnum.LOAN, description="x", branch_code="ZZZ"
        ),
    )
    assert bad.status_code == 400 and "branch_code" in bad.parsed.errors.additional_properties

    # Compliance reads who looked at the customer.
    log = api("access_log", "access_log_list").sync(client=compliance, customer_no="C001")
    assert any(row.user == "ho" and row.action.value == "view" for row in log.results), log
