"""Every change through the ORM lands in the one change log, with who and before/after."""

from bankcrm.core.context import acting_as
from bankcrm.core.models import ObjectChange


def test_update_records_before_and_after_and_user(small_bank, make_login):
    user = make_login("boss1", "branch_manager", branch_code="B001")
    customer = small_bank["customers"]["C001"]
    with acting_as(user):
        customer.rm = small_bank["staff"]["S003"]
        customer.save()
    change = ObjectChange.objects.filter(object_id="C001", action="update").get()
    assert change.user_name == "boss1"
    assert change.prechange_data["rm"] == "S001"
    assert change.postchange_data["rm"] == "S003"


def test_saving_unchanged_record_logs_nothing(small_bank):
    customer = small_bank["customers"]["C002"]
    before = ObjectChange.objects.count()
    customer.save()
    assert ObjectChange.objects.count() == before


def test_delete_is_logged(small_bank):
    from bankcrm.customers.models import Product

    Product.objects.get(pk="DD01").delete()
    change = ObjectChange.objects.get(object_id="DD01", action="delete")
    assert change.prechange_data["category"] == "deposit_demand"
    assert change.postchange_data is None
