"""Issue 14: free tags on a customer — added and removed on the 360, change-logged, scoped; the list filters by tag."""

import pytest
from django.contrib.contenttypes.models import ContentType

from bankcrm.core.models import ObjectChange
from bankcrm.customers.models import CustomerTag
from webapi_data import page_client


@pytest.fixture
def rm(bank360, make_login):
    return make_login("wf", "rm", staff_no="S001")


def tags_of(customer_no):
    return sorted(CustomerTag.objects.filter(customer_id=customer_no).values_list("name", flat=True))


def test_an_rm_tags_their_customer_and_sees_it_on_the_360(rm):
    client = page_client(rm)
    response = client.post("/customers/C001/tags/", {"name": "教师"})
    assert response.status_code == 302 and response["Location"] == "/customers/C001/#tags"
    assert tags_of("C001") == ["教师"]
    html = client.get("/customers/C001/").content.decode()
    assert 'data-tag="教师"' in html


def test_full_width_and_extra_spaces_are_the_same_tag(rm):
    client = page_client(rm)
    client.post("/customers/C001/tags/", {"name": "VIP 客户"})
    client.post("/customers/C001/tags/", {"name": "  ＶＩＰ　 客户 "})
    assert tags_of("C001") == ["VIP 客户"]


def test_removing_a_tag(rm):
    client = page_client(rm)
    client.post("/customers/C001/tags/", {"name": "有车贷意向"})
    client.post("/customers/C001/tags/", {"name": "教师"})
    assert client.post("/customers/C001/tags/", {"remove": "有车贷意向"}).status_code == 302
    assert tags_of("C001") == ["教师"]


def test_adding_and_removing_are_change_logged(rm):
    client = page_client(rm)
    client.post("/customers/C001/tags/", {"name": "教师"})
    tag_id = str(CustomerTag.objects.get(customer_id="C001").pk)
    client.post("/customers/C001/tags/", {"remove": "教师"})
    entries = ObjectChange.objects.filter(content_type=ContentType.objects.get_for_model(CustomerTag), object_id=tag_id)
    actions = list(entries.order_by("time").values_list("action", "user_name"))
    assert actions == [("create", "wf"), ("delete", "wf")]


@pytest.mark.parametrize("name, message", [("   ", "请输入标签。"), ("长" * 31, "标签最多 30 个字符。")])
def test_bad_tags_are_refused_in_chinese(rm, name, message):
    response = page_client(rm).post("/customers/C001/tags/", {"name": name})
    assert response.status_code == 400 and message in response.content.decode()
    assert tags_of("C001") == []


def test_an_rm_cannot_tag_or_untag_a_customer_outside_their_scope(rm, make_login):
    other = page_client(make_login("lq", "rm", staff_no="S002"))
    assert other.post("/customers/C002/tags/", {"name": "外地"}).status_code == 302
    assert page_client(rm).post("/customers/C002/tags/", {"name": "抢客户"}).status_code == 404
    assert page_client(rm).post("/customers/C002/tags/", {"remove": "外地"}).status_code == 404
    assert tags_of("C002") == ["外地"]


def test_read_only_roles_see_tags_but_may_not_change_them(rm, make_login):
    page_client(rm).post("/customers/C001/tags/", {"name": "教师"})
    head_office = page_client(make_login("ho", "head_office"))
    assert head_office.post("/customers/C001/tags/", {"name": "x"}).status_code == 403
    html = head_office.get("/customers/C001/").content.decode()
    assert 'data-tag="教师"' in html and "/customers/C001/tags/" not in html


def test_the_customer_list_filters_by_tag_within_scope(rm, make_login):
    page_client(rm).post("/customers/C001/tags/", {"name": "教师"})
    page_client(make_login("lq", "rm", staff_no="S002")).post("/customers/C002/tags/", {"name": "教师"})
    html = page_client(rm).get("/customers/", {"tag": "教师"}).content.decode()
    assert "C001" in html and "C002" not in html  # the other rm's customer stays out of scope
    head_office = page_client(make_login("ho", "head_office"))
    html = head_office.get("/customers/", {"tag": "教师"}).content.decode()
    assert "C001" in html and "C002" in html
    assert "C001" not in head_office.get("/customers/", {"tag": "司机"}).content.decode()
    # the search form's POST carries the tag into the URL
    assert head_office.post("/customers/", {"tag": "教师"})["Location"] == "/customers/?tag=%E6%95%99%E5%B8%88"
