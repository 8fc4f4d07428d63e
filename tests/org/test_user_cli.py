import pytest
from django.core.management import CommandError, call_command
from rest_framework.authtoken.models import Token


def test_user_add_and_token(small_bank, monkeypatch, capsys):
    monkeypatch.setenv("BANKCRM_PASSWORD", "correct-horse-9")
    call_command("user", "add", "wf", "--role", "rm", "--staff-no", "S001")
    call_command("user", "token", "wf")
    key = capsys.readouterr().out.strip().splitlines()[-1]
    assert Token.objects.get(key=key).user.username == "wf"


def test_rm_without_staff_no_is_refused_with_reason(small_bank, monkeypatch):
    monkeypatch.setenv("BANKCRM_PASSWORD", "correct-horse-9")
    with pytest.raises(CommandError, match="--staff-no"):
        call_command("user", "add", "nobody", "--role", "rm")


def test_unknown_staff_no_named_in_error(small_bank, monkeypatch):
    monkeypatch.setenv("BANKCRM_PASSWORD", "correct-horse-9")
    with pytest.raises(CommandError, match="S999"):
        call_command("user", "add", "ghost", "--role", "rm", "--staff-no", "S999")
