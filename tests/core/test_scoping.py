"""The one scoping door: each role sees exactly its part of the bank."""

import pytest

from bankcrm.customers.models import Account, Customer
from bankcrm.org.models import Branch


def visible(user, model=Customer):
    return set(model.objects.restrict(user, "view").values_list("pk", flat=True))


def test_rm_sees_only_own_portfolio(small_bank, make_login):
    user = make_login("wangfang", "rm", staff_no="S001")
    assert visible(user) == {"C001"}


def test_branch_manager_sees_branch_and_below(small_bank, make_login):
    user = make_login("boss1", "branch_manager", branch_code="B001")
    assert visible(user) == {"C001", "C003"}
    assert visible(user, Branch) == {"B001", "B001A"}


@pytest.mark.parametrize("role", ["head_office", "compliance", "admin"])
def test_bank_wide_roles_see_everything(small_bank, make_login, role):
    user = make_login(f"u-{role}", role)
    assert visible(user) == {"C001", "C002", "C003"}


def test_compliance_cannot_change_customers(small_bank, make_login):
    user = make_login("audit", "compliance")
    assert not Customer.objects.restrict(user, "change").exists()


def test_anonymous_and_profileless_users_see_nothing(small_bank, django_user_model):
    from django.contrib.auth.models import AnonymousUser

    assert visible(AnonymousUser()) == set()
    plain = django_user_model.objects.create_user("plain", password="x")
    assert visible(plain) == set()


def test_scoping_follows_paths_to_the_customer(small_bank, make_login):
    import datetime as dt

    from bankcrm.customers.models import Product

    product = Product.objects.get(pk="DD01")
    for cust in small_bank["customers"].values():
        Account.objects.create(
            account_no=f"A-{cust.pk}", customer=cust, product=product, open_date=dt.date(2021, 1, 1), status="active"
        )
    user = make_login("lq", "rm", staff_no="S002")
    assert visible(user, Account) == {"A-C002"}
