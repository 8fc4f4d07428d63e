"""Issue 14 bug 2: the root cause entered at 答复 (respond) is kept, on the page and the API; closing
without one is refused in the user's language, offering the choices by their labels."""

import re

import pytest

from bankcrm.complaints.models import Complaint

ZH_LABELS = [
    "流程缺陷",
    "员工行为",
    "业务不熟",
    "系统故障",
    "产品设计",
    "信息披露不充分",
    "第三方原因",
    "客户误解",
    "其他",
]
CODES = ["process", "staff_conduct", "staff_knowledge", "system", "product_design", "disclosure", "third_party",
         "customer_misunderstanding"]  # fmt: skip


@pytest.fixture
def desk_client(client, handler):
    client.force_login(handler)
    return client


def post(client, complaint, **form):
    return client.post(f"/complaints/{complaint.reference}/transition/", form, follow=True)


def messages_of(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


def test_root_cause_entered_at_respond_on_the_page_is_kept_and_enough_to_close(desk_client, register):
    c = register()
    post(desk_client, c, action="respond", root_cause="system", remedy="退回手续费")
    c.refresh_from_db()
    assert c.root_cause == "system"
    page = desk_client.get(f"/complaints/{c.reference}/").content.decode()
    assert "系统故障" in page  # shown with its label
    post(desk_client, c, action="close", satisfaction="satisfied")
    c.refresh_from_db()
    assert (c.status, c.root_cause) == ("closed", "system")


def test_closing_without_root_cause_is_refused_in_chinese_with_labels(desk_client, register):
    c = register()
    post(desk_client, c, action="respond")
    r = post(desk_client, c, action="close")
    assert Complaint.objects.get(pk=c.pk).status == "responded"
    text = " ".join(messages_of(r))
    assert "根本原因" in text
    assert all(label in text for label in ZH_LABELS)
    assert not any(re.search(rf"\b{code}\b", text) for code in [*CODES, "root_cause"])
    assert not re.search(r"[A-Za-z]{3,}", text), text  # no English in the Chinese page


def test_closing_without_root_cause_in_english_names_the_labels(desk_client, register):
    c = register()
    post(desk_client, c, action="respond")
    desk_client.cookies["django_language"] = "en"
    r = desk_client.post(
        f"/complaints/{c.reference}/transition/", {"action": "close"}, follow=True, HTTP_ACCEPT_LANGUAGE="en"
    )
    text = " ".join(messages_of(r))
    assert "root cause" in text.lower() and "Process defect" in text and "staff_conduct" not in text


def test_api_respond_keeps_root_cause_and_close_refusal_is_translated(client, register, handler):
    from rest_framework.test import APIClient

    api = APIClient()
    api.force_authenticate(handler)
    c = register()
    r = api.post(f"/api/complaints/{c.reference}/transition/", {"action": "respond", "root_cause": "disclosure"},
                 format="json")  # fmt: skip
    assert r.status_code == 200 and r.json()["root_cause"] == "disclosure"
    r = api.post(f"/api/complaints/{c.reference}/transition/", {"action": "close"}, format="json")
    assert r.status_code == 200 and r.json()["root_cause"] == "disclosure"

    other = register()
    api.post(f"/api/complaints/{other.reference}/transition/", {"action": "respond"}, format="json")
    r = api.post(f"/api/complaints/{other.reference}/transition/", {"action": "close"}, format="json",
                 HTTP_ACCEPT_LANGUAGE="zh-hans")  # fmt: skip
    assert r.status_code == 400
    message = " ".join(r.json()["errors"]["root_cause"])
    assert "根本原因" in message and "流程缺陷" in message and "staff_conduct" not in message
