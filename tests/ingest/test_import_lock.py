"""One import (and one metrics run) at a time per home/database (issue 8, item 10)."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.utils import timezone, translation

import bankcrm
from bankcrm.core import runlock
from bankcrm.ingest.models import ImportedFile, ImportRun

pytestmark = pytest.mark.django_db
SRC = Path(bankcrm.__file__).resolve().parents[1]  # the code under test, for the subprocess


def test_second_import_while_one_runs_exits_non_zero_and_names_the_holder(delivery):
    d = delivery().write_all()
    with runlock.exclusive_run("import"), translation.override("en"), pytest.raises(CommandError) as raised:
        call_command("import_delivery", str(d.folder))
    assert raised.value.returncode != 0
    message = str(raised.value)
    assert message.startswith("another import is running since ")
    assert f"pid {os.getpid()}" in message
    assert timezone.localdate().isoformat() in message
    assert not ImportRun.objects.exists() and not ImportedFile.objects.exists()  # nothing recorded twice
    call_command("import_delivery", str(d.folder))  # the lock is released with the first run
    assert ImportRun.objects.get().status == ImportRun.Status.FINISHED


def test_the_message_is_translated(delivery):
    d = delivery().write_all()
    with runlock.exclusive_run("import"), translation.override("zh-hans"), pytest.raises(CommandError) as raised:
        call_command("import_delivery", str(d.folder))
    assert "另一个导入正在运行" in str(raised.value) and str(os.getpid()) in str(raised.value)


def test_metrics_run_is_exclusive_too():
    with runlock.exclusive_run("metrics"), translation.override("en"), pytest.raises(CommandError) as raised:
        call_command("metrics", "--as-of", "2026-10-31")
    assert raised.value.returncode != 0 and "another metrics run is running since" in str(raised.value)


def test_a_killed_runs_import_run_is_marked_failed_at_the_next_start(delivery):
    dead = ImportRun.objects.create(directory="/tmp/x", user_name="cron")  # status running, its process gone
    call_command("import_delivery", str(delivery().write_all().folder))
    dead.refresh_from_db()
    assert dead.status == ImportRun.Status.FAILED and dead.finished is not None
    assert "interrupted" in dead.report["error"]
    assert ImportRun.objects.exclude(pk=dead.pk).get().status == ImportRun.Status.FINISHED


def test_a_second_process_is_refused_by_the_lock_file(tmp_path, isolated_home):
    """The real case: another `bankcrm import` process on the same home while one holds the lock."""
    if connection.vendor != "sqlite":
        pytest.skip("the subprocess would need the test database; the advisory lock has its own test")
    folder = tmp_path / "empty-delivery"
    folder.mkdir()
    env = {**os.environ, "BANKCRM_HOME": str(isolated_home), "PYTHONPATH": str(SRC), "LANGUAGE": "en"}
    env.pop("BANKCRM_DATABASE_URL", None)
    env.pop("DJANGO_SETTINGS_MODULE", None)
    with runlock.exclusive_run("import"):
        result = subprocess.run(
            [sys.executable, "-m", "bankcrm", "import", str(folder)], env=env, capture_output=True, text=True
        )
    assert result.returncode == 4, result.stderr
    assert str(os.getpid()) in result.stderr
    assert "另一个导入正在运行" in result.stderr or "another import is running" in result.stderr


def test_postgresql_advisory_lock_covers_two_homes_on_one_database(settings, tmp_path):
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only")
    with runlock.exclusive_run("import"):
        settings.BANKCRM_HOME = tmp_path / "other-home"  # another machine's home: its lock file is free
        with pytest.raises(runlock.RunLocked) as raised, runlock.exclusive_run("import"):
            pass
    assert raised.value.pid == str(os.getpid()) and raised.value.since.startswith(timezone.localdate().isoformat())
    with runlock.exclusive_run("import"):  # released
        pass
