"""Generated permission tests (after NetBox's ViewTestCases / APIViewTestCases).

Each exposed page and endpoint declares who may use it; the base class checks the same four
things for every one: anonymous (login page / 401), signed in without the permission (403),
in scope (200, the row is there) and out of scope (404 for one record, absent from lists —
never a hint that it exists).
"""

import pytest

from bankcrm.core.accesslog import record_access
from webapi_data import page_client, token_client

IN_SCOPE, OUT_OF_SCOPE = "C001", "C002"
LOGINS = {
    "rm": ("rm", {"staff_no": "S001"}),  # portfolio: C001
    "branch_manager": ("branch_manager", {"branch_code": "B001"}),  # B001 and B001A: C001, C003
    "head_office": ("head_office", {}),
    "compliance": ("compliance", {}),
    "marketing": ("marketing", {}),  # all branches, masked; campaigns
    "lobby": ("lobby", {"branch_code": "B001"}),  # 大堂经理 of B001: C001, C003
    "none": (None, {}),  # a login with no role: no permission at all
}


class EndpointChecks:
    kind = "page"  # or "api"
    method = "get"
    url = ""  # "{pk}" is replaced by the customer number
    data: dict | None = None
    is_list = False
    scoped = True  # False for bank-wide audit data
    allowed = "rm"  # a login that may use it, whose scope holds C001 but not C002
    denied = "none"  # a login without the permission
    ok_status = 200

    @pytest.fixture(autouse=True)
    def _bank(self, bank360, make_login, django_user_model):
        def login(key):
            role, kwargs = LOGINS[key]
            if role is None:
                return django_user_model.objects.create_user(f"plain-{key}", password="pw-for-tests-1")
            return make_login(f"{key}-user", role, **kwargs)

        self.login = login
        record_access("view", customer_no=IN_SCOPE)  # so audit lists have a row

    def client_for(self, user=None):
        if self.kind == "api":
            from rest_framework.test import APIClient

            return token_client(user) if user is not None else APIClient()
        if user is None:
            from django.test import Client

            return Client()
        return page_client(user)

    def request(self, client, pk=IN_SCOPE):
        url = self.url.format(pk=pk)
        if self.method == "get":
            return client.get(url, self.data or {})
        if self.kind == "api":
            return client.post(url, self.data or {}, format="json")
        return client.post(url, self.data or {})

    def test_anonymous(self):
        response = self.request(self.client_for(None))
        if self.kind == "api":
            assert response.status_code == 401
            assert "detail" in response.json()
        else:
            assert response.status_code == 302 and response["Location"].startswith("/login/")

    def test_without_permission(self):
        response = self.request(self.client_for(self.login(self.denied)))
        assert response.status_code == 403
        if self.kind == "api":
            assert "detail" in response.json()

    def test_in_scope(self):
        response = self.request(self.client_for(self.login(self.allowed)))
        assert response.status_code == self.ok_status, response.content[:500]
        if self.is_list and self.scoped:
            assert IN_SCOPE in response.content.decode()

    def test_out_of_scope(self):
        if not self.scoped:
            pytest.skip("bank-wide audit data has no scope")
        client = self.client_for(self.login(self.allowed))
        response = self.request(client, pk=OUT_OF_SCOPE)
        if self.is_list:
            assert response.status_code == 200
            assert OUT_OF_SCOPE not in response.content.decode()
        else:
            assert response.status_code == 404
            missing = self.request(client, pk="NO-SUCH-CUSTOMER")
            assert missing.status_code == 404
            if self.kind == "api":
                assert response.json() == missing.json()


# --- pages -------------------------------------------------------------------------------------


class TestCustomerSearchPage(EndpointChecks):
    url = "/customers/"
    is_list = True


class TestCustomer360Page(EndpointChecks):
    url = "/customers/{pk}/"


class TestCustomerDailyAumPage(EndpointChecks):
    url = "/customers/{pk}/aum-daily/"


class TestCustomerRevealPage(EndpointChecks):
    method = "post"
    url = "/customers/{pk}/reveal/"
    data = {"reason": "客户临柜办理", "fields": ["phone"]}
    denied = "head_office"  # reads everything, may not unmask


class TestCustomerContactCreate(EndpointChecks):
    method = "post"
    url = "/customers/{pk}/contacts/"
    data = {"channel": "phone", "outcome": "reached", "note": "ok"}
    denied = "head_office"
    ok_status = 302  # back to the 360 (non-htmx form post)


class TestCustomerReassign(EndpointChecks):
    method = "post"
    url = "/customers/{pk}/reassign/"
    data = {"rm": "S003"}
    allowed = "branch_manager"
    denied = "rm"
    ok_status = 302


class TestAccessLogPage(EndpointChecks):
    url = "/compliance/access-log/"
    is_list = True
    scoped = False
    allowed = "compliance"
    denied = "head_office"


class TestUnjustifiedViewsPage(EndpointChecks):
    url = "/compliance/unjustified/"
    is_list = True
    scoped = False
    allowed = "compliance"
    denied = "rm"


# --- API ---------------------------------------------------------------------------------------


class TestCustomerListAPI(EndpointChecks):
    kind = "api"
    url = "/api/customers/"
    is_list = True


class TestCustomer360API(EndpointChecks):
    kind = "api"
    url = "/api/customers/{pk}/"


class TestCustomerRevealAPI(EndpointChecks):
    kind = "api"
    method = "post"
    url = "/api/customers/{pk}/reveal/"
    data = {"reason": "客户临柜办理", "fields": ["id_number"]}
    denied = "head_office"


class TestAccessLogAPI(EndpointChecks):
    kind = "api"
    url = "/api/access-log/"
    is_list = True
    scoped = False
    allowed = "compliance"
    denied = "rm"


class StaffChecks(EndpointChecks):
    """Staff: a branch manager of B001 sees S001 (B001) and S003 (B001A), not S002 (B002)."""

    in_scope, out_of_scope = "S001", "S002"
    allowed = "branch_manager"

    def request(self, client, pk=IN_SCOPE):
        pk = {IN_SCOPE: self.in_scope, OUT_OF_SCOPE: self.out_of_scope}.get(pk, pk)
        return super().request(client, pk=pk)

    def test_in_scope(self):
        response = self.request(self.client_for(self.login(self.allowed)))
        assert response.status_code == 200
        assert self.in_scope in response.content.decode()

    def test_out_of_scope(self):
        client = self.client_for(self.login(self.allowed))
        response = self.request(client, pk=OUT_OF_SCOPE)
        if self.is_list:
            assert self.out_of_scope not in response.content.decode()
        else:
            assert response.status_code == 404


class TestStaffListAPI(StaffChecks):
    kind = "api"
    url = "/api/staff/"
    is_list = True


class TestStaffDetailAPI(StaffChecks):
    kind = "api"
    url = "/api/staff/{pk}/"


class TestBranchDetailAPI(StaffChecks):
    kind = "api"
    url = "/api/branches/{pk}/"
    in_scope, out_of_scope = "B001A", "B002"


# --- campaigns and sales (spec/campaigns.md) ---------------------------------------------------


@pytest.fixture
def draft_campaign(bank360, make_login):
    """A draft by another marketing login, so the checked login may approve it (four eyes)."""
    from bankcrm.campaigns.services import create_campaign

    author = make_login("mkt-author", "marketing")
    return create_campaign(
        {
            "code": "CMP1", "name": "理财推广", "products": ["WM01"], "start_date": "2026-11-02",
            "end_date": "2026-11-30", "channel": "phone", "control_pct": 10,
            "audience": {"as_of": "2026-10-31"},
        },
        user=author,
    )  # fmt: skip


class CampaignChecks(EndpointChecks):
    scoped = False  # campaigns are bank-wide; their members are scoped
    allowed = "marketing"
    denied = "none"

    @pytest.fixture(autouse=True)
    def _campaign(self, draft_campaign):
        self.campaign = draft_campaign


class TestCampaignListAPI(CampaignChecks):
    kind = "api"
    url = "/api/campaigns/"
    is_list = True


class TestCampaignDetailAPI(CampaignChecks):
    kind = "api"
    url = "/api/campaigns/CMP1/"


class TestCampaignCreateAPI(CampaignChecks):
    kind = "api"
    method = "post"
    url = "/api/campaigns/"
    data = {
        "code": "CMP2", "name": "x", "products": ["WM01"], "start_date": "2026-11-02", "end_date": "2026-11-30",
        "channel": "sms", "audience": {"as_of": "2026-10-31"},
    }  # fmt: skip
    denied = "rm"
    ok_status = 201


class TestCampaignTransitionAPI(CampaignChecks):
    kind = "api"
    method = "post"
    url = "/api/campaigns/CMP1/transition/"
    data = {"action": "approve"}
    denied = "branch_manager"  # reads campaigns, may not approve them


class SaleChecks(EndpointChecks):
    """POST /api/sales/: a customer outside the seller's scope is as unknown as a missing one (400)."""

    kind = "api"
    method = "post"
    url = "/api/sales/"
    allowed = "lobby"
    denied = "head_office"
    ok_status = 201

    def request(self, client, pk=IN_SCOPE):
        data = {"customer_no": pk, "product_code": "WM01", "amount": "1000.00", "channel": "pad"}
        return client.post(self.url, data, format="json")

    def test_out_of_scope(self):
        client = self.client_for(self.login(self.allowed))
        response = self.request(client, pk=OUT_OF_SCOPE)
        missing = self.request(client, pk="NO-SUCH-CUSTOMER")
        assert response.status_code == missing.status_code == 400
        assert OUT_OF_SCOPE in str(response.json()["errors"]["customer_no"])  # named as given, nothing more
        assert set(response.json()["errors"]) == set(missing.json()["errors"]) == {"customer_no"}


class TestSaleCreateAPIByLobby(SaleChecks):
    pass


class TestSaleCreateAPIByRm(SaleChecks):
    allowed = "rm"
    denied = "marketing"


class TestCampaignListPage(CampaignChecks):
    url = "/campaigns/"
    is_list = True


class TestCampaignDetailPage(CampaignChecks):
    url = "/campaigns/CMP1/"


class TestCampaignCreatePage(CampaignChecks):
    url = "/campaigns/new/"
    denied = "rm"


class TestCampaignApprovePage(CampaignChecks):
    method = "post"
    url = "/campaigns/CMP1/"
    data = {"action": "approve"}
    denied = "branch_manager"
    ok_status = 302


class TestSaleFormPage(EndpointChecks):
    url = "/campaigns/sales/new/"
    allowed = "lobby"
    denied = "head_office"
    scoped = False  # the form itself; the customer's scope is checked on submit (TestSaleCreateAPI*)


class TestLobbyPage(EndpointChecks):
    url = "/campaigns/lobby/"
    allowed = "lobby"
    denied = "marketing"
    scoped = False  # lookups are scoped: tests/campaigns/test_pages.py


class TestSaleReviewPage(EndpointChecks):
    url = "/campaigns/sales/review/"
    allowed = "branch_manager"
    denied = "none"
    scoped = False  # lists only the scope's sales: tests/campaigns/test_pages.py


class TestMisSellingReportPage(EndpointChecks):
    url = "/campaigns/suitability/"
    allowed = "compliance"
    denied = "none"
    scoped = False


# --- the compliance desk (spec/compliance.md): compliance (and admin) only; head office reads
# everything else, so it is the login that proves the desk is not covered by "read all".


class TestRiskIndicatorsPage(EndpointChecks):
    url = "/compliance/indicators/"
    scoped = False
    allowed = "compliance"
    denied = "head_office"


class TestInspectionPlansPage(EndpointChecks):
    url = "/compliance/plans/"
    scoped = False
    allowed = "compliance"
    denied = "head_office"


class TestScreeningCasesPage(EndpointChecks):
    url = "/compliance/cases/"
    scoped = False
    allowed = "compliance"
    denied = "rm"


class TestRegulationsPage(EndpointChecks):
    url = "/compliance/regulations/"
    data = {"q": "适当性"}
    scoped = False
    allowed = "compliance"
    denied = "marketing"


class TestRiskIndicatorsAPI(EndpointChecks):
    kind = "api"
    url = "/api/risk-indicators/"
    is_list = True
    scoped = False
    allowed = "compliance"
    denied = "head_office"


class TestIndicatorAlertsAPI(EndpointChecks):
    kind = "api"
    url = "/api/indicator-alerts/"
    is_list = True
    scoped = False
    allowed = "compliance"
    denied = "branch_manager"


class TestInspectionPlansAPI(EndpointChecks):
    kind = "api"
    url = "/api/inspection-plans/"
    is_list = True
    scoped = False
    allowed = "compliance"
    denied = "head_office"


class TestScreeningCasesAPI(EndpointChecks):
    kind = "api"
    url = "/api/screening-cases/"
    is_list = True
    scoped = False
    allowed = "compliance"
    denied = "head_office"


class TestRegulationsAPI(EndpointChecks):
    kind = "api"
    url = "/api/regulations/"
    data = {"q": "适当性"}
    is_list = True
    scoped = False
    allowed = "compliance"
    denied = "rm"


class TestFindingsAPI(EndpointChecks):
    kind = "api"
    url = "/api/findings/"
    is_list = True
    scoped = False
    allowed = "compliance"
    denied = "head_office"


# --- the desk's working pages (issue 13): compliance only; the branch head sees escalations


class TestFindingsPage(EndpointChecks):
    url = "/compliance/findings/"
    data = {"overdue": "1"}
    scoped = False
    allowed = "compliance"
    denied = "head_office"


class TestChecklistsPage(EndpointChecks):
    url = "/compliance/checklists/"
    scoped = False
    allowed = "compliance"
    denied = "branch_manager"


class TestComplaintRootCausesPage(EndpointChecks):
    url = "/compliance/complaints/"
    scoped = False
    allowed = "compliance"
    denied = "head_office"


class TestIndicatorTrendPage(EndpointChecks):
    url = "/compliance/indicators/car/"
    scoped = False
    allowed = "compliance"
    denied = "marketing"


class TestEscalationsPageForCompliance(EndpointChecks):
    url = "/compliance/escalations/"
    scoped = False  # the branch head's own branch only: tests/compliance/test_desk_pages.py
    allowed = "compliance"
    denied = "rm"


class TestEscalationsPageForTheBranchHead(EndpointChecks):
    url = "/compliance/escalations/"
    scoped = False
    allowed = "branch_manager"
    denied = "head_office"


class TestFindingEscalationsAPI(EndpointChecks):
    kind = "api"
    url = "/api/finding-escalations/"
    is_list = True
    scoped = False
    allowed = "branch_manager"
    denied = "head_office"
