"""Fixtures of the ingest tests: an isolated home, a delivery folder, ``bankcrm import`` on it."""

import json
from pathlib import Path

import pytest
from ingest_files import Delivery


@pytest.fixture(autouse=True)
def isolated_home(settings, tmp_path):
    """Each test gets its own warehouse and cache folder (the database is rolled back by pytest-django)."""
    home = tmp_path / "home"
    home.mkdir()
    settings.BANKCRM_HOME = home
    settings.WAREHOUSE_DIR = home / "warehouse"
    settings.LOG_DIR = home / "logs"
    return home


@pytest.fixture
def delivery(tmp_path):
    def make(name: str = "delivery") -> Delivery:
        return Delivery(tmp_path / name)

    return make


@pytest.fixture
def run_import(tmp_path, capsys):
    """Run ``bankcrm import DIR --report`` through the management command; return (exit code, report)."""
    from django.core.management import CommandError, call_command

    def run(folder: Path):
        report_path = tmp_path / "report.json"
        report_path.unlink(missing_ok=True)
        try:
            call_command("import_delivery", str(folder), "--report", str(report_path))
            code = 0
        except CommandError as exc:
            code = exc.returncode
        report = json.loads(report_path.read_text(encoding="utf-8"))
        return code, report

    return run
