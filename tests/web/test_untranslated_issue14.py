"""Issue 14 bug 4: no back-end English on Chinese pages.

Key pages are rendered in Chinese with the back-end texts a user meets (data-quality details, list
details, admin section headers, service messages); none of the known English sentences or codes
may appear. The catalogue's completeness (no empty msgstr) is tests/core/test_i18n.py.
"""

import datetime as dt
import re

import pytest
from pages_data import list_item

from bankcrm.ingest.models import QualityFinding
from bankcrm.ingest.quality import _detail, detail_for_people

pytestmark = pytest.mark.django_db

# written by hand from what the pages showed in English before (issue 14's screenshots)
ENGLISH = [
    "check digit is", "expected 18", "not a mainland mobile", "no relationship manager assigned", "has left",
    "same ID_CARD number", "ID number says", "birth date inside", "gap ", "not allowed now", "root cause",
    "Organisation", "Ingest", "Analytics",
]  # fmt: skip


@pytest.fixture
def findings(small_bank):
    c = small_bank["customers"]
    rows = [
        (c["C001"], "bad_id_checksum", _detail("check_digit", found="3", expected="X")),
        (c["C002"], "bad_mobile", _detail("mobile")),
        (c["C003"], "no_rm", _detail("rm_left", rm="S009")),
        (c["C001"], "duplicate_id", _detail("duplicate", id_type="ID_CARD", others="C002")),
        (c["C002"], "id_gender_mismatch", _detail("gender", id_gender="M", gender="F")),
    ]
    for customer, code, detail in rows:
        QualityFinding.objects.create(
            customer=customer, finding=code, detail=detail, branch_code=customer.branch_id, rm_staff_no="S001"
        )


def english_in(html: str) -> list[str]:
    text = re.sub(r"<[^>]+>", " ", html)  # what a reader sees, not attribute values or codes in markup
    return [phrase for phrase in ENGLISH if phrase in text]


def test_data_quality_details_are_chinese(client, findings, make_login):
    client.force_login(make_login("ho", "head_office"))
    html = client.get("/ingest/quality/").content.decode()
    assert english_in(html) == []
    for expected in ("校验码为 3，应为 X", "不是有效的大陆手机号", "客户经理 S009 已离职", "居民身份证号码与 C002 相同",
                     "身份证号显示性别为男，登记性别为女"):  # fmt: skip
        assert expected in html


def test_data_quality_details_stay_english_in_english():
    from django.utils import translation

    with translation.override("en"):
        assert detail_for_people(_detail("check_digit", found="3", expected="X")) == "check digit is 3, expected X"
    assert detail_for_people("something new") == "something new"  # unknown text is shown as it is


def test_admin_section_headers_are_chinese(client, small_bank, make_login):
    admin = make_login("root", "admin")
    admin.is_staff = admin.is_superuser = True
    admin.save()
    client.force_login(admin)
    html = client.get("/admin/").content.decode()
    assert "机构与人员" in html and "基础" in html and "营销活动" in html
    assert english_in(html) == []


def test_work_queue_and_desk_pages_have_no_backend_english(client, small_bank, make_login):
    c = small_bank["customers"]
    item = list_item(c["C001"], "edge", 1, as_of=dt.date(2026, 2, 28))
    item.facts = {"from_tier": "vip", "to_tier": "wealth", "gap_cents": 9405803}
    item.save()
    client.force_login(make_login("rm1", "rm", staff_no="S001"))
    assert english_in(client.get("/campaigns/queue/").content.decode()) == []
    assert english_in(client.get("/customers/C001/").content.decode()) == []


def test_audit_field_names_are_labels(client, small_bank, make_login):
    from django.contrib.contenttypes.models import ContentType

    from bankcrm.core.models import ObjectChange
    from bankcrm.customers.models import Customer

    admin = make_login("root2", "admin")
    admin.is_staff = admin.is_superuser = True
    admin.save()
    change = ObjectChange.objects.create(
        user_name="bm1", request_id="00000000-0000-0000-0000-000000000001", action="update",
        content_type=ContentType.objects.get_for_model(Customer), object_id="C001", object_repr="C001 张三",
        prechange_data={"rm_id": "S001", "name": "张三"}, postchange_data={"rm_id": "S003", "name": "张三"},
    )  # fmt: skip
    client.force_login(admin)
    html = client.get(f"/admin/core/objectchange/{change.pk}/change/").content.decode()
    assert "<th>客户经理</th><td>S001</td><td>S003</td>" in html
    assert "<th>rm_id</th>" not in html and "<th>姓名</th>" not in html  # unchanged fields are not listed
