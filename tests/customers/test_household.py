"""Issue 14: the 360 lists the customers at the same address (normalized exact match), in scope, masked."""

import datetime as dt

import pytest

from bankcrm.customers.models import Customer
from bankcrm.customers.search_keys import address_key
from webapi_data import page_client

HOME = "北京市朝阳区建国路1号 3单元"


@pytest.fixture
def household(bank360):
    customers = bank360["customers"]
    for customer_no, address in [
        ("C001", HOME),
        ("C002", "北京市朝阳区建国路１号　３单元"),  # full-width digits and space: the same address
        ("C003", " 北京市朝阳区建国路1号3单元 "),
    ]:
        customers[customer_no].address = address
        customers[customer_no].save()
    Customer.objects.create(
        customer_no="C004",
        name="张小三",
        id_type="ID_CARD",
        id_number="110105201001011234",
        phone="13700001111",
        address=HOME,
        branch=customers["C001"].branch,
        rm=customers["C001"].rm,
        onboard_date=dt.date(2021, 1, 1),
    )
    Customer.objects.create(  # another flat of the same building is another household
        customer_no="C005",
        name="赵六",
        id_type="ID_CARD",
        id_number="110105198001011234",
        address="北京市朝阳区建国路1号4单元",
        branch=customers["C001"].branch,
        rm=customers["C001"].rm,
        onboard_date=dt.date(2021, 1, 1),
    )


def household_of(html):
    import re

    return sorted(re.findall(r'data-household="([^"]+)"', html))


def test_address_key_ignores_spaces_and_full_width_forms():
    assert address_key("北京市朝阳区 建国路1号") == address_key("北京市朝阳区建国路１号")
    assert address_key("Room 5, Main St") == address_key("room 5,main st")
    assert address_key("建国路1号3单元") != address_key("建国路1号4单元")


def test_an_rm_sees_the_household_members_they_may_see_masked(household, make_login):
    html = page_client(make_login("wf", "rm", staff_no="S001")).get("/customers/C001/").content.decode()
    assert household_of(html) == ["C004"]  # C002 and C003 live there too but are other rms' customers
    assert "张小三" in html and "137****1111" in html and "13700001111" not in html
    assert "110105*" in html and "110105201001011234" not in html


def test_a_branch_head_sees_the_branch_and_below(household, make_login):
    html = page_client(make_login("boss", "branch_manager", branch_code="B001")).get("/customers/C001/")
    assert household_of(html.content.decode()) == ["C003", "C004"]


def test_head_office_sees_everyone_at_the_address(household, make_login):
    html = page_client(make_login("ho", "head_office")).get("/customers/C004/").content.decode()
    assert household_of(html) == ["C001", "C002", "C003"]


def test_no_address_means_no_household(bank360, make_login):
    html = page_client(make_login("ho", "head_office")).get("/customers/C001/").content.decode()
    assert household_of(html) == []
    assert "您的权限范围内没有同一地址的其他客户。" in html
