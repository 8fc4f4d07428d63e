"""Fixtures of the indicator tests (the bank itself lives in tests/reports_data.py)."""

import pytest

from reports_data import ReportBank


@pytest.fixture
def rbank(small_bank, settings, tmp_path):
    settings.WAREHOUSE_DIR = tmp_path / "warehouse"
    settings.BANKCRM_HOME = tmp_path
    return ReportBank(small_bank)
