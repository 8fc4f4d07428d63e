"""Logins of leavers, token expiry and the ``bankcrm user`` commands (issue 8, items 3 and 7).

Expectations are written from the issue: a staff member the staff file marks ``left`` loses every
login and token in that same import; a token older than BANKCRM_TOKEN_DAYS gets 401; ``user add``
never overwrites an existing login; passwords follow the bank policy (≥ 12, not common, not numeric).
"""

import datetime as dt

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.test import Client
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from bankcrm.core.models import ObjectChange

STAFF_HEADER = "staff_no,name,branch_code,role,status\n"


def _import_staff(tmp_path, day: str, rows: str) -> None:
    """A staff file as the core system sends it (header, LF line ends, UTF-8), imported on its own."""
    folder = tmp_path / f"delivery-{day}"
    folder.mkdir()
    (folder / f"staff_{day}.csv").write_text(STAFF_HEADER + rows, encoding="utf-8")
    call_command("import_delivery", str(folder))


def _token(username: str) -> str:
    from bankcrm.org.services import issue_token

    return issue_token(username)


def _api(key: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


def test_a_leaver_loses_session_and_token_on_the_next_request(small_bank, make_login, tmp_path):
    leaver = make_login("wf", "rm", staff_no="S001")
    stayer = make_login("lq", "rm", staff_no="S002")
    leaver_key, stayer_key = _token("wf"), _token("lq")
    page = Client()
    page.force_login(leaver)
    assert page.get("/customers/").status_code == 200
    assert _api(leaver_key).get("/api/customers/").status_code == 200
    session_api = APIClient()
    session_api.force_login(leaver)  # a browser session calling the API
    session_api.force_authenticate(None)

    # Next night's staff file: S001 has left, S002 still works here.
    _import_staff(tmp_path, "20261101", "S001,王芳,B001,rm,left\nS002,李强,B002,rm,active\n")

    leaver.refresh_from_db()
    assert leaver.is_active is False
    assert not Token.objects.filter(user=leaver).exists()  # revoked, not just refused
    api = _api(leaver_key).get("/api/customers/")
    assert api.status_code == 401 and "detail" in api.json()
    signed_out = page.get("/customers/")
    assert signed_out.status_code == 302 and signed_out["Location"].startswith("/login/")
    assert session_api.get("/api/customers/").status_code == 401
    # The colleague who stays keeps working.
    assert _api(stayer_key).get("/api/customers/").status_code == 200
    stayer.refresh_from_db()
    assert stayer.is_active
    change = ObjectChange.objects.filter(object_repr="wf").latest("time")
    assert change.prechange_data["is_active"] is True and change.postchange_data["is_active"] is False
    assert "S001" in change.postchange_data["reason"]


def test_disable_and_enable_from_the_command_line(small_bank, make_login, capsys):
    user = make_login("wf", "rm", staff_no="S001")
    key = _token("wf")
    call_command("user", "disable", "wf", "--user", "ops-li")
    user.refresh_from_db()
    assert not user.is_active
    assert _api(key).get("/api/customers/").status_code == 401
    change = ObjectChange.objects.filter(object_repr="wf").latest("time")
    assert change.user_name == "ops-li"
    call_command("user", "enable", "wf", "--user", "ops-li")
    user.refresh_from_db()
    assert user.is_active
    # The old token was revoked on disable; enabling does not bring it back.
    assert _api(key).get("/api/customers/").status_code == 401
    assert _api(_token("wf")).get("/api/customers/").status_code == 200


def test_a_leaver_cannot_be_enabled_while_the_staff_file_says_left(small_bank, make_login):
    make_login("wf", "rm", staff_no="S001")
    staff = small_bank["staff"]["S001"]
    staff.status = "left"
    staff.save()
    call_command("user", "disable", "wf")
    with pytest.raises(CommandError, match="S001"):
        call_command("user", "enable", "wf")


def test_token_rotate_replaces_the_key_and_shows_the_expiry(small_bank, make_login, capsys, settings):
    settings.BANKCRM_TOKEN_DAYS = 90
    make_login("wf", "rm", staff_no="S001")
    call_command("user", "token", "wf")
    captured = capsys.readouterr()
    first = captured.out.strip()  # stdout is the key alone: KEY=$(bankcrm user token wf) works
    expires = (timezone.localdate() + dt.timedelta(days=90)).isoformat()
    assert expires in captured.err
    call_command("user", "token", "wf")
    assert capsys.readouterr().out.strip() == first  # printing again does not rotate
    call_command("user", "token", "wf", "--rotate")
    second = capsys.readouterr().out.strip()
    assert second != first and len(second) == 40
    assert _api(first).get("/api/customers/").status_code == 401
    assert _api(second).get("/api/customers/").status_code == 200


def test_an_expired_token_gets_401_with_a_reason(small_bank, make_login, settings):
    settings.BANKCRM_TOKEN_DAYS = 90
    make_login("wf", "rm", staff_no="S001")
    key = _token("wf")
    client = _api(key)
    Token.objects.filter(key=key).update(created=timezone.now() - dt.timedelta(days=89, hours=23))
    assert client.get("/api/customers/").status_code == 200  # one hour left
    Token.objects.filter(key=key).update(created=timezone.now() - dt.timedelta(days=90, minutes=1))
    expired = client.get("/api/customers/")
    assert expired.status_code == 401
    assert "expired" in expired.json()["detail"].lower() or "过期" in expired.json()["detail"]
    assert expired["WWW-Authenticate"] == "Token"


def test_token_for_a_disabled_login_is_refused(small_bank, make_login):
    make_login("wf", "rm", staff_no="S001")
    call_command("user", "disable", "wf")
    with pytest.raises(CommandError, match="user enable wf"):
        call_command("user", "token", "wf")


# --- item 7: add refuses an existing login; set-role and password, change-logged -----------------


def test_add_refuses_an_existing_username_and_names_the_commands(small_bank, make_login, monkeypatch):
    user = make_login("wf", "rm", staff_no="S001")
    monkeypatch.setenv("BANKCRM_PASSWORD", "another-horse-battery-7")
    with pytest.raises(CommandError) as refused:
        call_command("user", "add", "wf", "--role", "admin")
    message = str(refused.value)
    assert "\n" not in message and "set-role" in message and "password" in message
    user.refresh_from_db()
    assert user.profile.role == "rm" and not user.is_staff
    assert user.check_password("pw-for-tests-1")  # untouched


def test_set_role_changes_role_and_scope_and_is_logged(small_bank, make_login):
    user = make_login("wf", "rm", staff_no="S001")
    call_command("user", "set-role", "wf", "--role", "branch_manager", "--branch", "B002", "--user", "ops-li")
    user.refresh_from_db()
    assert (user.profile.role, user.profile.branch_id, user.profile.staff_id) == ("branch_manager", "B002", None)
    user = type(user).objects.get(pk=user.pk)  # a fresh request's user
    assert user.has_perm("customers.change_customer") and not user.has_perm("core.view_accesslog")
    change = ObjectChange.objects.filter(object_repr="wf").latest("time")
    assert change.user_name == "ops-li"
    assert change.prechange_data["role"] == "rm" and change.postchange_data["role"] == "branch_manager"
    with pytest.raises(CommandError, match="--staff-no"):
        call_command("user", "set-role", "wf", "--role", "rm")
    with pytest.raises(CommandError, match="nobody"):
        call_command("user", "set-role", "nobody", "--role", "admin")


def test_password_change_goes_through_the_bank_policy(small_bank, make_login, monkeypatch):
    user = make_login("wf", "rm", staff_no="S001")
    # Messages are Django's, in the operator's language (Chinese by default).
    for weak, why in [
        ("short-pw-1", "12"),  # 10 characters: 密码必须包含至少 12 个字符
        ("123456789012345", "只包含数字"),
        ("password1234", "太常见"),
    ]:
        monkeypatch.setenv("BANKCRM_PASSWORD", weak)
        with pytest.raises(CommandError, match=why):
            call_command("user", "password", "wf")
    monkeypatch.setenv("BANKCRM_PASSWORD", "Lantern-orchard-42")
    call_command("user", "password", "wf", "--user", "ops-li")
    user.refresh_from_db()
    assert user.check_password("Lantern-orchard-42")
    change = ObjectChange.objects.filter(object_repr="wf").latest("time")
    assert change.user_name == "ops-li" and "password" in change.postchange_data
    assert "pbkdf2" not in str(change.postchange_data) and "md5" not in str(change.postchange_data)


def test_password_similar_to_the_user_name_is_refused(small_bank, monkeypatch):
    monkeypatch.setenv("BANKCRM_PASSWORD", "wangfang.rm.2026")
    with pytest.raises(CommandError, match="相似"):
        call_command("user", "add", "wangfang.rm", "--role", "rm", "--staff-no", "S001")
    assert not get_user_model().objects.filter(username="wangfang.rm").exists()


def test_the_demo_password_passes_the_policy(db):
    from django.contrib.auth.password_validation import validate_password

    validate_password("demo-pass-2026", get_user_model()(username="rm1"))  # raises when refused


def test_add_is_change_logged_with_who_ran_it(small_bank, monkeypatch):
    monkeypatch.setenv("BANKCRM_PASSWORD", "Lantern-orchard-42")
    call_command("user", "add", "ho1", "--role", "head_office", "--user", "ops-li")
    change = ObjectChange.objects.get(object_repr="ho1", action="create")
    assert change.user_name == "ops-li" and change.postchange_data["role"] == "head_office"
