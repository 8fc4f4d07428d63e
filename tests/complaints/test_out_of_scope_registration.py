"""Issue 9: registering a complaint for a branch outside one's own scope has one outcome, page and API
alike — the complaint is kept (a complaint received is never lost), the registrant is told its
reference, and afterwards it is out of their sight like any record outside their scope."""

from django.utils import timezone
from rest_framework.test import APIClient

from bankcrm.complaints.models import Complaint


def test_page_and_api_both_keep_it(client, small_bank, make_login):
    # an rm registers a walk-in's complaint with no customer number: it belongs to the branch desk,
    # not to the rm's portfolio, so the rm cannot see it once it is registered
    rm = make_login("wf-c", "rm", staff_no="S001")
    received = timezone.localtime().strftime("%Y-%m-%dT%H:%M")
    client.force_login(rm)
    page = client.post(
        "/complaints/new/",
        {"channel": "counter", "category": "fees_pricing", "policy": "cn",
         "description": "大堂客户投诉多收费", "received_at": received, "severity": "low"},
    )  # fmt: skip
    assert page.status_code == 302, page.context["form"].errors
    assert page["Location"].endswith("/complaints/new/")
    api = APIClient()
    api.force_authenticate(rm)
    response = api.post(
        "/api/complaints/", {"channel": "counter", "category": "fees_pricing", "description": "API 登记"}, format="json"
    )
    assert response.status_code == 201, response.content
    assert response.json()["reference"].startswith("CP-")
    assert Complaint.objects.filter(branch_id="B001", customer=None).count() == 2
    # and from now on it is someone else's: 404 like any record outside the scope
    assert api.get(f"/api/complaints/{response.json()['reference']}/").status_code == 404
