"""A staff member's ID number (staff file, optional column) is personal data: shown nowhere in full —
not on the admin pages, not in the API (spec/batch-files.md staff, spec/compliance.md screening)."""

import pytest

from bankcrm.org.models import Staff
from webapi_data import page_client, token_client

pytestmark = pytest.mark.django_db

ID_NUMBER = "440306197512310028"


def test_admin_and_api_never_show_the_staff_id_number(small_bank, make_login):
    from django.contrib.auth import get_user_model

    Staff.objects.filter(pk="S001").update(id_number=ID_NUMBER)
    admin = make_login("admin1", "admin")
    get_user_model().objects.filter(pk=admin.pk).update(is_staff=True, is_superuser=True)
    admin.refresh_from_db()
    client = page_client(admin)
    listing = client.get("/admin/org/staff/")
    change = client.get("/admin/org/staff/S001/change/")
    assert listing.status_code == change.status_code == 200
    for page in (listing, change):
        text = page.content.decode()
        assert ID_NUMBER not in text and ID_NUMBER[:6] + "*" not in text
    response = token_client(admin).get("/api/staff/")
    body = response.content.decode()
    assert response.status_code == 200 and "S001" in body
    assert ID_NUMBER not in body and "id_number" not in body


def test_the_change_log_records_that_the_id_number_changed_never_the_number(small_bank):
    from bankcrm.core.models import ObjectChange

    staff = Staff.objects.get(pk="S001")
    staff.id_number = ID_NUMBER
    staff.save()
    change = ObjectChange.objects.filter(object_id="S001").latest("pk")
    logged = str(change.prechange_data) + str(change.postchange_data)
    assert ID_NUMBER not in logged and ID_NUMBER[:6] not in logged
    assert change.postchange_data["id_number"].startswith("redacted:")
    assert change.prechange_data["id_number"] != change.postchange_data["id_number"]  # a change is still seen
