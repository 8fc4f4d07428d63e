"""The console command as an operator meets it: help, one-line errors, migrating an empty home."""

import os
import subprocess
import sys

import pytest


def run_cli(*args, home, env_extra=None):
    env = {**os.environ, "BANKCRM_HOME": str(home), **(env_extra or {})}
    env.pop("BANKCRM_DATABASE_URL", None)  # these runs use the embedded database in their own home
    env.pop("DJANGO_SETTINGS_MODULE", None)
    return subprocess.run(
        [sys.executable, "-m", "bankcrm", *args], capture_output=True, text=True, env=env, timeout=120
    )


def test_help_lists_the_commands(tmp_path):
    result = run_cli("--help", home=tmp_path)
    assert result.returncode == 0
    for word in ("import", "metrics", "export", "demo", "serve", "user"):
        assert word in result.stdout


def test_unknown_command_fails_with_one_line_reason(tmp_path):
    result = run_cli("frobnicate", home=tmp_path)
    assert result.returncode != 0
    assert "unknown command 'frobnicate'" in result.stderr


@pytest.mark.slow
def test_first_command_on_empty_home_migrates_it(tmp_path):
    home = tmp_path / "fresh"
    result = run_cli(
        "user", "add", "ops", "--role", "head_office", home=home, env_extra={"BANKCRM_PASSWORD": "a-long-password-1"}
    )
    assert result.returncode == 0, result.stderr
    assert (home / "bankcrm.sqlite3").exists()
    token = run_cli("user", "token", "ops", home=home)
    assert token.returncode == 0 and len(token.stdout.strip()) == 40


def test_failure_exits_non_zero_with_reason(tmp_path):
    result = run_cli("user", "token", "nobody", home=tmp_path)
    assert result.returncode != 0
    assert "nobody" in result.stderr.strip().splitlines()[-1]


@pytest.mark.slow
def test_what_a_command_changes_is_logged_under_the_operator(tmp_path):
    """Issue 9: CLI changes were logged as "system"; now as the operator who ran the command."""
    create = "from bankcrm.org.models import Branch; Branch.objects.create(code='H9', name='总行', city='北京')"
    result = run_cli("manage", "shell", "-c", create, home=tmp_path, env_extra={"BANKCRM_OPERATOR": "ops-zhang"})
    assert result.returncode == 0, result.stderr
    read = (
        "from bankcrm.core.models import ObjectChange; "
        "print(ObjectChange.objects.get(object_repr__startswith='H9').user_name)"
    )
    shown = run_cli("manage", "shell", "-c", read, home=tmp_path)
    assert shown.stdout.strip().splitlines()[-1] == "ops-zhang (cli)"
