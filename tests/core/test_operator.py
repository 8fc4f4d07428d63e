"""The operator items 8–11 of issue 15: migrations only on purpose, one-line failures, success only
when something was produced, and what monitoring reads (/healthz/, /readyz/, /metrics)."""

import datetime as dt
import io
import socket
import sqlite3
import subprocess
import sys

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from test_cli import run_cli

from webapi_data import bank360  # noqa: F401  (fixture)

PASSWORD = {"BANKCRM_PASSWORD": "a-long-password-1"}


def _one_line_failure(result) -> str:
    assert result.returncode != 0, result.stdout + result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr  # one line, no traceback
    assert "Traceback" not in result.stderr
    return lines[0]


# --- 8. Migrations: an empty home, or `bankcrm migrate` ---------------------------------------


@pytest.mark.slow
def test_pending_migrations_stop_every_command_until_bankcrm_migrate(tmp_path):
    assert run_cli("user", "add", "ops", "--role", "head_office", home=tmp_path, env_extra=PASSWORD).returncode == 0
    # The database of an older release: the newest compliance migration not applied yet.
    with sqlite3.connect(tmp_path / "bankcrm.sqlite3") as db:
        (name,) = db.execute("SELECT max(name) FROM django_migrations WHERE app = 'compliance'").fetchone()
    rollback = run_cli("manage", "migrate", "compliance", _previous(name), home=tmp_path)
    assert rollback.returncode == 0, rollback.stderr

    refused = run_cli("user", "token", "ops", home=tmp_path)
    line = _one_line_failure(refused)
    assert "1 migration(s) not applied" in line and "bankcrm migrate" in line

    assert run_cli("migrate", home=tmp_path).returncode == 0
    again = run_cli("user", "token", "ops", home=tmp_path)
    assert again.returncode == 0 and len(again.stdout.strip()) == 40


def _previous(migration: str) -> str:
    number = int(migration.split("_", 1)[0])
    return f"{number - 1:04d}" if number > 1 else "zero"


@pytest.mark.slow
def test_two_first_commands_on_an_empty_home_do_not_race(tmp_path):
    import os

    home = tmp_path / "fresh"
    env = {**os.environ, "BANKCRM_HOME": str(home), **PASSWORD}
    env.pop("BANKCRM_DATABASE_URL", None)
    env.pop("DJANGO_SETTINGS_MODULE", None)
    runs = [
        subprocess.Popen(
            [sys.executable, "-m", "bankcrm", "user", "add", name, "--role", "head_office"],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for name in ("ops1", "ops2")
    ]
    outcomes = [(run.wait(timeout=180), run.stderr.read()) for run in runs]
    assert [code for code, _ in outcomes] == [0, 0], outcomes
    # Both succeeded: had they migrated at the same time, one would have failed on a table the other made.
    # (The "creating its tables" note is for a terminal only, so scripts keep one line of stderr.)
    assert not any("Traceback" in err or "already exists" in err for _, err in outcomes), outcomes
    with sqlite3.connect(home / "bankcrm.sqlite3") as db:
        assert db.execute("SELECT count(*) FROM auth_user").fetchone() == (2,)


# --- 9. One line and a non-zero exit for every operator failure ---------------------------------


def test_database_unreachable_is_one_line_and_the_traceback_goes_to_the_error_log(tmp_path):
    url = "postgres://bankcrm:secret@127.0.0.1:1/bankcrm"  # nothing listens on port 1
    env = {"BANKCRM_HOME": str(tmp_path)}
    import os

    full_env = {**os.environ, **env, "BANKCRM_DATABASE_URL": url}
    full_env.pop("DJANGO_SETTINGS_MODULE", None)
    result = subprocess.run(
        [sys.executable, "-m", "bankcrm", "user", "token", "ops"], capture_output=True, text=True, env=full_env,
        timeout=120,
    )  # fmt: skip
    line = _one_line_failure(result)
    assert line.startswith("bankcrm: cannot reach the database postgresql bankcrm@127.0.0.1:1/bankcrm")
    assert "secret" not in line  # never the password
    log = (tmp_path / "logs" / "errors.log").read_text()
    assert "Traceback" in log and f"{dt.date.today():%Y-%m-%d}" in log  # timestamped


@pytest.mark.parametrize(
    ("toml", "expected"),
    [
        ("[metrics]\nedge_ratio = 0.8\ndormancy_days = = 3\n", ["bankcrm.toml line 3", "dormancy_days", "TOML"]),
        ('[metrics]\nedge_ratio = "0.8"\ndormancy_dayz = 300\n', ["line 3", "metrics.dormancy_dayz", "unknown key"]),
        ("[complaint]\nwarn_days_before = 3\n", ["line 1", "unknown section [complaint]", "[complaints]"]),
        ('[metrics]\ndormancy_days = "a year"\n', ["line 2", "metrics.dormancy_days", "whole number"]),
        ('[metrics]\ntier_bounds = { vip = "5万" }\n', ["line 2", "metrics.tier_bounds.vip", "number"]),
        ('[api]\nthrottle_user = "lots"\n', ["line 2", "api.throttle_user", "120/minute"]),
        ('[kyc]\nbands = "40,20,60,80"\n', ["[kyc] bands", "'40,20,60,80'", "four increasing whole numbers"]),
        ('[kyc]\nbands = "20,40,60"\n', ["[kyc] bands", "four increasing whole numbers"]),
    ],
    ids=[
        "malformed",
        "unknown-key",
        "unknown-section",
        "bad-int",
        "bad-decimal-in-table",
        "bad-rate",
        "kyc-bands-not-increasing",
        "kyc-bands-three",
    ],
)
def test_a_bad_bankcrm_toml_names_the_file_line_and_key(tmp_path, toml, expected):
    (tmp_path / "bankcrm.toml").write_text(toml, encoding="utf-8")
    line = _one_line_failure(run_cli("user", "token", "ops", home=tmp_path))
    assert line.startswith("bankcrm: configuration: ") and str(tmp_path / "bankcrm.toml") in line
    for word in expected:
        assert word in line, line


def test_a_good_bankcrm_toml_applies_its_values(tmp_path):
    from bankcrm.core.config import Decimal_, Rate, load_overrides

    (tmp_path / "bankcrm.toml").write_text('[api]\nthrottle_user = "30/minute"\n[metrics]\nedge_ratio = 0.75\n')
    defaults = {
        "api": {"throttle_user": Rate("1/minute"), "docs_public": False},
        "metrics": {"edge_ratio": Decimal_("0.8")},
    }
    conf = load_overrides(tmp_path / "bankcrm.toml", defaults)
    assert conf == {"api": {"throttle_user": "30/minute", "docs_public": False}, "metrics": {"edge_ratio": "0.75"}}


def test_a_bad_environment_variable_names_itself(tmp_path):
    line = _one_line_failure(run_cli("user", "token", "ops", home=tmp_path, env_extra={"BANKCRM_TOKEN_DAYS": "ninety"}))
    assert "BANKCRM_TOKEN_DAYS='ninety'" in line


def test_port_in_use_is_said_before_anything_else(tmp_path):
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        port = holder.getsockname()[1]
        result = run_cli("serve", "--port", str(port), home=tmp_path / "home")
    line = _one_line_failure(result)
    assert f"port {port} on 127.0.0.1 is already in use" in line
    assert not (tmp_path / "home" / "bankcrm.sqlite3").exists()  # nothing done before saying so


def test_the_error_log_rotates_by_size():
    from django.conf import settings

    handler = settings.LOGGING["handlers"]["errors_file"]
    assert handler["class"] == "logging.handlers.RotatingFileHandler"
    assert handler["filename"].endswith("logs/errors.log")
    assert 0 < handler["maxBytes"] <= 10 * 1024 * 1024 and handler["backupCount"] >= 1
    assert "asctime" in settings.LOGGING["formatters"][handler["formatter"]]["format"]


# --- 10. Success only when something was produced -----------------------------------------------


def test_exporting_a_month_never_computed_fails_and_writes_nothing(db, tmp_path):
    out = tmp_path / "cm.csv"
    with pytest.raises(CommandError, match=r"month 2026-05 was never computed"):
        call_command("export", "customer-month", "--month", "2026-05", "--out", str(out), stdout=io.StringIO())
    assert not out.exists()


def test_allow_empty_writes_the_header_only_and_succeeds(db, tmp_path):
    out = tmp_path / "cm.csv"
    stdout = io.StringIO()
    call_command("export", "customer-month", "--month", "2026-05", "--out", str(out), "--allow-empty", stdout=stdout)
    assert out.read_text(encoding="utf-8-sig").splitlines()[0].startswith("month,as_of,customer_no,")
    assert "0 rows" in stdout.getvalue()


def test_a_list_as_of_a_day_never_computed_names_the_metrics_run(db, tmp_path):
    with pytest.raises(CommandError, match=r"metrics were never computed as of 2026-10-31"):
        call_command(
            "export", "list", "--kind", "edge", "--as-of", "2026-10-31", "--out", str(tmp_path / "l.csv"),
            stdout=io.StringIO(),
        )  # fmt: skip


def test_metrics_before_any_balances_fails_with_the_reason(bank360):  # noqa: F811
    from bankcrm.core.models import JobRun

    with pytest.raises(CommandError, match=r"no balances on or before 2026-10-28: import a delivery first"):
        call_command("metrics", "--as-of", "2026-10-28", stdout=io.StringIO())  # bank360's first day is the 29th
    assert not JobRun.objects.exists()  # refused before running: no run to report


# --- 11. /healthz/, /readyz/, /metrics -----------------------------------------------------------


def test_healthz_answers_without_a_database(client):
    assert client.get("/healthz/").json() == {"status": "ok"}


def test_readyz_checks_database_warehouse_and_migrations(db, client):
    response = client.get("/readyz/")
    assert response.status_code == 200, response.json()
    assert response.json() == {"status": "ready", "checks": {"database": "ok", "migrations": "ok", "warehouse": "ok"}}


def test_readyz_is_503_naming_what_is_not_ready(db, client, monkeypatch):
    from bankcrm.views import operations

    monkeypatch.setitem(operations.CHECKS, "migrations", lambda: "2 migrations not applied: run bankcrm migrate")
    response = client.get("/readyz/")
    assert response.status_code == 503
    assert response.json()["checks"]["migrations"] == "2 migrations not applied: run bankcrm migrate"


def test_metrics_has_latencies_last_runs_open_complaints_and_breaches(bank360, client, make_login):  # noqa: F811
    from django.utils import timezone

    from bankcrm.complaints.models import Complaint
    from bankcrm.core.models import JobRun
    from webapi_data import token_client

    started = timezone.now() - dt.timedelta(minutes=5)
    JobRun.objects.create(kind="import", started=started, finished=started + dt.timedelta(seconds=90),
                          status="succeeded", rows=1234)  # fmt: skip
    JobRun.objects.create(kind="metrics", started=started, status="failed", finished=started, rows=0)
    desk = token_client(make_login("desk", "complaint_handler"))
    body = {"customer_no": "C001", "channel": "counter", "category": "fees_pricing", "branch_code": "B001",
            "received_at": "2025-01-02T10:00:00+08:00", "description": "long ago"}  # fmt: skip
    assert desk.post("/api/v1/complaints/", body, format="json").status_code == 201
    assert Complaint.objects.count() == 1

    text = client.get("/metrics").content.decode()
    assert 'bankcrm_http_request_duration_seconds_count{method="POST",route="api/v1/complaints/",status="201"}' in text
    assert 'bankcrm_job_last_run_rows{kind="import"} 1234.0' in text
    assert 'bankcrm_job_last_run_duration_seconds{kind="import"} 90.0' in text
    assert 'bankcrm_job_last_run_success{kind="metrics",status="failed"} 0.0' in text
    assert 'bankcrm_complaints_open{policy="cn"} 1.0' in text
    # Received in January 2025 and never answered: every binding clock is long past due.
    breached = [ln for ln in text.splitlines() if ln.startswith("bankcrm_complaint_clocks_breached ")]
    assert breached and float(breached[0].split()[1]) >= 1


def test_a_metrics_run_is_recorded_for_monitoring(bank360):  # noqa: F811
    from bankcrm.core.models import JobRun

    call_command("metrics", "--as-of", "2026-10-31", stdout=io.StringIO())
    run = JobRun.objects.get(kind="metrics")
    assert run.status == "succeeded" and run.finished >= run.started and run.rows >= 1
