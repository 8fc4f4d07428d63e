"""Hardening: lock-out after 5 failed logins, CSRF on every form, CSP, and check --deploy clean."""

import datetime as dt
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.db.models import F
from django.test import Client

from bankcrm.campaigns.models import ContactLog

SRC = Path(__file__).resolve().parents[2] / "src"


def test_five_failed_logins_lock_the_account(bank360, make_login, settings):
    settings.AXES_ENABLED = True
    make_login("wf", "rm", staff_no="S001")
    client = Client()
    statuses = [client.post("/login/", {"username": "wf", "password": "wrong-password"}).status_code for _ in range(5)]
    assert statuses[:4] == [200] * 4  # the form again, with an error
    assert statuses[4] == 429  # the fifth failure locks
    locked = client.post("/login/", {"username": "wf", "password": "pw-for-tests-1"})
    assert locked.status_code == 429
    assert "_auth_user_id" not in client.session


def _login(client, username, password="wrong-password"):
    return client.post("/login/", {"username": username, "password": password})


def test_made_up_usernames_from_one_address_do_not_lock_a_real_user(bank360, make_login, settings):
    """Issue 8.6: behind one proxy address, one person guessing names must not lock out the bank."""
    settings.AXES_ENABLED = True
    make_login("wf", "rm", staff_no="S001")
    lobby = Client(REMOTE_ADDR="198.51.100.7")
    assert [_login(lobby, f"ghost{i}").status_code for i in range(5)] == [200] * 5
    signed_in = _login(lobby, "wf", "pw-for-tests-1")
    assert signed_in.status_code == 302 and "_auth_user_id" in lobby.session


def test_five_failures_lock_that_user_from_that_address_only(bank360, make_login, settings):
    settings.AXES_ENABLED = True
    make_login("wf", "rm", staff_no="S001")
    make_login("lq", "rm", staff_no="S002")
    attacker = Client(REMOTE_ADDR="198.51.100.7")
    assert [_login(attacker, "wf").status_code for _ in range(5)][-1] == 429
    assert _login(attacker, "wf", "pw-for-tests-1").status_code == 429  # locked: right password refused
    colleague = Client(REMOTE_ADDR="198.51.100.7")
    assert _login(colleague, "lq", "pw-for-tests-1").status_code == 302  # same address, other user
    elsewhere = Client(REMOTE_ADDR="203.0.113.20")
    assert _login(elsewhere, "wf", "pw-for-tests-1").status_code == 302  # same user, other address


def test_many_failures_from_one_address_slow_it_down_but_do_not_lock(bank360, make_login, settings):
    """From the 20th failure within 15 minutes an address waits 2, 4, 8 … (at most 60) seconds."""
    from axes.models import AccessAttempt

    settings.AXES_ENABLED = True
    make_login("wf", "rm", staff_no="S001")
    spray = Client(REMOTE_ADDR="198.51.100.7")
    assert {_login(spray, f"ghost{i}").status_code for i in range(19)} == {200}
    assert _login(spray, "ghost19").status_code == 200  # the 20th failure is still answered
    slowed = _login(spray, "wf", "pw-for-tests-1")
    assert slowed.status_code == 429
    assert slowed["Retry-After"] == "2"
    assert "_auth_user_id" not in spray.session
    # Nothing was counted while slowed down, and the wait is short: two seconds later the real user is in.
    assert not AccessAttempt.objects.filter(username="wf").exists()
    AccessAttempt.objects.update(attempt_time=F("attempt_time") - dt.timedelta(seconds=3))
    assert _login(spray, "wf", "pw-for-tests-1").status_code == 302
    # Another address is never slowed by this one.
    assert _login(Client(REMOTE_ADDR="203.0.113.20"), "lq").status_code == 200


def test_the_delay_grows_with_each_further_failure_and_is_capped(bank360, settings):
    from bankcrm.org.logins import slowdown_seconds

    settings.AXES_ENABLED = True
    assert [slowdown_seconds(n) for n in (0, 19, 20, 21, 22, 23, 24, 25, 100)] == [0, 0, 2, 4, 8, 16, 32, 60, 60]


def test_forms_need_the_csrf_token(bank360, make_login):
    client = Client(enforce_csrf_checks=True)
    client.force_login(make_login("wf", "rm", staff_no="S001"))
    response = client.post("/customers/C001/contacts/", {"channel": "phone", "outcome": "reached"})
    assert response.status_code == 403
    assert not ContactLog.objects.exists()
    api = client.post("/api/customers/C001/reveal/", {"reason": "session without csrf"})
    assert api.status_code == 403


def test_pages_send_a_strict_content_security_policy(bank360, make_login):
    client = Client()
    client.force_login(make_login("wf", "rm", staff_no="S001"))
    for url in ("/customers/", "/customers/C001/", "/api/docs/"):
        policy = client.get(url)["Content-Security-Policy"]
        assert "script-src 'self'" in policy and "unsafe-inline" not in policy.split("script-src")[1].split(";")[0]
        assert "frame-ancestors 'none'" in policy


def _manage(args, tmp_path, **env):
    environment = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("BANKCRM_", "DJANGO_"))},
        "PYTHONPATH": str(SRC),
        "BANKCRM_HOME": str(tmp_path),
        "DJANGO_SETTINGS_MODULE": "bankcrm.settings",
        **env,
    }
    return subprocess.run(
        [sys.executable, "-m", "bankcrm", "manage", *args],
        env=environment,
        capture_output=True,
        text=True,
        timeout=300,
    )


PRODUCTION = {
    "BANKCRM_HTTPS": "1",
    "BANKCRM_DEBUG": "0",
    "BANKCRM_SECRET_KEY": secrets.token_urlsafe(64),
    "BANKCRM_ALLOWED_HOSTS": "crm.bank.example",
}


@pytest.mark.slow
def test_check_deploy_is_clean_with_production_settings(tmp_path):
    result = _manage(["check", "--deploy", "--fail-level", "WARNING"], tmp_path, **PRODUCTION)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


@pytest.mark.slow
def test_https_turns_on_secure_cookies_and_hsts(tmp_path):
    code = (
        "from django.conf import settings as s;"
        "print(s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SECURE_SSL_REDIRECT, s.SECURE_HSTS_SECONDS > 0)"
    )
    result = _manage(["shell", "-c", code], tmp_path, **PRODUCTION)
    assert result.stdout.split()[-4:] == ["True", "True", "True", "True"], result.stderr
    plain = _manage(["check", "--deploy", "--fail-level", "WARNING"], tmp_path, BANKCRM_HTTPS="0")
    assert plain.returncode != 0  # without HTTPS the deployment check complains, as it should
