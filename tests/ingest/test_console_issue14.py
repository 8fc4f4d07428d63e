"""Issue 14 bug 10: the import's console is one progress bar and a summary in a terminal, one line
per file in a log file; a 403 is logged as one line; the desk's clock lines are not warnings."""

import io
import logging

import pytest
from django.core.management import call_command

pytestmark = pytest.mark.django_db


class Terminal(io.StringIO):
    def isatty(self):
        return True


def test_terminal_gets_one_bar_and_the_summary_log_file_one_line_per_file(delivery, tmp_path, caplog):
    d = delivery().write_all(skip=("kyc", "transactions", "sales"))
    files = sorted(p.name for p in d.folder.iterdir() if p.suffix in (".csv", ".parquet"))
    terminal = Terminal()
    with caplog.at_level(logging.INFO, logger="bankcrm.ingest"):
        call_command("import_delivery", str(d.folder), stdout=terminal, stderr=io.StringIO())
    shown = terminal.getvalue()
    assert not any(name in shown for name in files), "per-file lines on the terminal"
    assert "file(s):" in shown and "imported" in shown  # the summary
    per_file = [r for r in caplog.records if r.name == "bankcrm.ingest" and r.levelno == logging.INFO]
    assert len([r for r in per_file if any(name in r.getMessage() for name in files)]) == len(files)

    log_file = io.StringIO()  # stdout redirected to a file: one line per file, as before
    call_command("import_delivery", str(d.folder), stdout=log_file, stderr=io.StringIO())
    lines = log_file.getvalue().splitlines()
    assert len([line for line in lines if any(name in line for name in files)]) == len(files)


def test_a_403_is_logged_as_one_line_without_traceback(client, small_bank, make_login, caplog):
    client.force_login(make_login("mk", "marketing"))
    with caplog.at_level(logging.WARNING, logger="django.request"):
        assert client.get("/complaints/new/").status_code == 403
    forbidden = [r for r in caplog.records if r.name == "django.request"]
    assert len(forbidden) == 1 and "Forbidden" in forbidden[0].getMessage()
    assert forbidden[0].exc_info is None and forbidden[0].exc_text is None


def test_breached_clock_lines_are_info_not_warnings(small_bank, make_login, caplog):
    import datetime as dt

    from bankcrm.complaints import services

    handler = make_login("desk", "complaint_handler")
    long_ago = dt.datetime(2025, 1, 6, 10, tzinfo=dt.UTC)
    services.register_complaint(
        user=handler, branch=small_bank["branches"]["B001"], customer=small_bank["customers"]["C001"],
        channel="counter", category="fees_pricing", description="charged twice", policy="cn",
        payment_service=False, received_at=long_ago, now=long_ago,
    )  # fmt: skip
    with caplog.at_level(logging.INFO, logger="bankcrm.complaints"):
        result = services.sweep()
    assert result.breached >= 1
    clock_lines = [r for r in caplog.records if "breached" in r.getMessage()]
    assert clock_lines and all(r.levelno == logging.INFO for r in clock_lines)
