"""Hardening: lock-out after 5 failed logins, CSRF on every form, CSP, and check --deploy clean."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client

from bankcrm.customers.models import ContactLog

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
