"""A database made by main before the layers issue (commit 1402bd9) migrates forward with nothing lost.

``tests/fixtures/main-1402bd9.sqlite3`` was created by that commit's migrations and holds one of
everything that changed app: a list item (analytics → campaigns), a contact log on it (customers →
campaigns), an access-log line (compliance → core), a login whose role was a Django group.
"""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

FIXTURE = Path(__file__).parent / "fixtures" / "main-1402bd9.sqlite3"

READ_BACK = """
from bankcrm.campaigns.models import ContactLog, ListItem
from bankcrm.core.models import AccessLog
from bankcrm.customers.models import Customer
from django.contrib.auth import get_user_model
item = ListItem.objects.get()
contact = ContactLog.objects.get()
user = get_user_model().objects.get(username="wf")
print(item.kind, item.status, item.customer_id, contact.list_item_id == item.pk, contact.note)
print(AccessLog.objects.get().customer_no, Customer.objects.get().name)
print(user.has_perm("customers.view_customer"), user.has_perm("core.view_accesslog"),
      Customer.objects.restrict(user, "view").count())
from django.contrib.contenttypes.models import ContentType
from bankcrm.core.models import ObjectChange
history = [ObjectChange.objects.filter(content_type=ContentType.objects.get_for_model(m)).count()
           for m in (ListItem, ContactLog)]
print(history)
"""


@pytest.mark.slow
def test_a_database_of_the_previous_main_migrates_with_nothing_lost(tmp_path):
    home = tmp_path / "home"
    home.mkdir()
    shutil.copy(FIXTURE, home / "bankcrm.sqlite3")
    env = {"BANKCRM_HOME": str(home), "PATH": "/usr/bin:/bin", "PYTHONPATH": str(Path(__file__).parents[1] / "src")}
    run = [sys.executable, "-m", "bankcrm", "manage"]
    migrated = subprocess.run([*run, "migrate", "-v0"], env=env, capture_output=True, text=True, timeout=300)
    assert migrated.returncode == 0, migrated.stderr
    shown = subprocess.run([*run, "shell", "-c", READ_BACK], env=env, capture_output=True, text=True, timeout=300)
    assert shown.returncode == 0, shown.stderr
    lines = shown.stdout.strip().splitlines()[-4:]
    assert lines == ["edge contacted C001 True 约了下周", "C001 张三", "True False 1", "[1, 1]"]  # history kept
