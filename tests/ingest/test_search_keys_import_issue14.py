"""Issue 14 bug 7: the search keys (pinyin, initials, last 4 digits of the mobile) are written by
the import itself, so a nightly file keeps them current without a second pass."""

import pytest

from bankcrm.customers.models import Customer

pytestmark = pytest.mark.django_db


def test_import_stores_pinyin_and_last4(delivery, run_import):
    d = delivery().write_all(skip=("kyc", "transactions", "sales"))
    code, _ = run_import(d.folder)
    assert code == 0
    stored = Customer.objects.get(pk="C001")
    assert stored.name == "张三"
    assert (stored.name_pinyin, stored.name_initials) == ("zhangsan", "zs")
    digits = "".join(ch for ch in stored.phone if ch.isdigit())
    assert stored.phone_last4 == digits[-4:] and len(stored.phone_last4) == 4


def test_import_stores_the_household_address_key(delivery, run_import):
    from bankcrm.customers.search_keys import address_key

    d = delivery().write_all(skip=("kyc", "transactions", "sales"))
    code, _ = run_import(d.folder)
    assert code == 0
    stored = Customer.objects.get(pk="C001")
    assert stored.address and stored.address_key == address_key(stored.address)
    assert " " not in stored.address_key
