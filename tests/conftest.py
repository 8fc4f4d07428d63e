"""Shared fixtures: a small bank (branches, staff, customers) and logins for each role."""

import datetime as dt

import pytest


@pytest.fixture
def small_bank(db):
    """Head office H001 with sub-branches B001 (with B001A below it) and B002; two rms and customers."""
    from bankcrm.customers.models import Customer, Product
    from bankcrm.org.models import Branch, Staff

    head = Branch.objects.create(code="H001", name="总行", city="北京")
    b1 = Branch.objects.create(code="B001", name="城东支行", parent=head, city="北京")
    b1a = Branch.objects.create(code="B001A", name="城东支行营业部", parent=b1, city="北京")
    b2 = Branch.objects.create(code="B002", name="城西支行", parent=head, city="北京")
    rm1 = Staff.objects.create(staff_no="S001", name="王芳", branch=b1, role="rm")
    rm2 = Staff.objects.create(staff_no="S002", name="李强", branch=b2, role="rm")
    rm3 = Staff.objects.create(staff_no="S003", name="赵敏", branch=b1a, role="rm")
    Product.objects.create(code="DD01", name="活期储蓄", category="deposit_demand")
    onboard = dt.date(2020, 1, 1)
    customers = {
        "C001": Customer.objects.create(
            customer_no="C001",
            name="张三",
            id_type="ID_CARD",
            id_number="11010519491231002X",
            gender="F",
            phone="13812345678",
            branch=b1,
            rm=rm1,
            onboard_date=onboard,
        ),
        "C002": Customer.objects.create(
            customer_no="C002",
            name="李四",
            id_type="ID_CARD",
            id_number="110101199003071234",
            gender="M",
            phone="13987654321",
            branch=b2,
            rm=rm2,
            onboard_date=onboard,
        ),
        "C003": Customer.objects.create(
            customer_no="C003",
            name="王五",
            id_type="PASSPORT",
            id_number="E12345678",
            branch=b1a,
            rm=rm3,
            onboard_date=onboard,
        ),
    }
    return {
        "branches": {"H001": head, "B001": b1, "B001A": b1a, "B002": b2},
        "staff": {"S001": rm1, "S002": rm2, "S003": rm3},
        "customers": customers,
    }


@pytest.fixture
def make_login(db):
    from bankcrm.org.services import add_user

    def make(username, role, *, staff_no=None, branch_code=None):
        return add_user(username, role=role, password="pw-for-tests-1", staff_no=staff_no, branch_code=branch_code)

    return make


@pytest.fixture(autouse=True)
def default_language():
    """Each test starts in the default language: a request in English leaves its thread in English."""
    from django.conf import settings
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)
