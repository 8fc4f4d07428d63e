"""Latest balances for the 360: the memory-mapped index agrees with the Parquet, and follows new dates."""

import datetime as dt

import pytest

from bankcrm.customers import balances
from webapi_data import write_balances


@pytest.fixture
def warehouse(settings, tmp_path):
    settings.WAREHOUSE_DIR = tmp_path / "warehouse"
    settings.BANKCRM_HOME = tmp_path
    balances._index_cache.clear()
    return tmp_path


def test_no_warehouse_yet(warehouse):
    assert balances.latest_balances(["A1"]) == (None, {})
    assert balances.daily_totals(["A1"]) == []


def test_latest_date_and_only_the_asked_accounts(warehouse):
    write_balances(dt.date(2026, 10, 30), {"A1": 100, "A2": 200})
    write_balances(dt.date(2026, 10, 31), {"A1": 101, "A2": 202, "A10": 1_000})
    day, found = balances.latest_balances(["A1", "A10", "A3", "A1000000000000000"])
    assert day == dt.date(2026, 10, 31)
    assert found == {"A1": 101, "A10": 1_000}  # absent accounts are absent, not zero
    assert list((warehouse / "cache" / "balances-index").glob("2026-10-31-*.keys.npy"))


def test_a_new_partition_is_picked_up(warehouse):
    write_balances(dt.date(2026, 10, 31), {"A1": 101})
    assert balances.latest_balances(["A1"]) == (dt.date(2026, 10, 31), {"A1": 101})
    write_balances(dt.date(2026, 11, 1), {"A1": 555})
    assert balances.latest_balances(["A1"]) == (dt.date(2026, 11, 1), {"A1": 555})
    # the old date's index is cleaned away
    assert not list((warehouse / "cache" / "balances-index").glob("2026-10-31-*"))


def test_duckdb_fallback_gives_the_same_answer(warehouse, monkeypatch):
    write_balances(dt.date(2026, 10, 31), {"A1": 7, "B2": -3})
    indexed = balances.latest_balances(["A1", "B2"])
    monkeypatch.setattr(balances, "_index", lambda day, files: None)
    assert balances.latest_balances(["A1", "B2"]) == indexed == (dt.date(2026, 10, 31), {"A1": 7, "B2": -3})


def test_daily_totals_per_business_date_missing_rows_count_zero(warehouse):
    write_balances(dt.date(2026, 10, 29), {"A1": 100, "A2": 1})
    write_balances(dt.date(2026, 10, 31), {"A1": 300})
    assert balances.daily_totals(["A1", "A2"], days=90) == [
        (dt.date(2026, 10, 29), 101),
        (dt.date(2026, 10, 31), 300),
    ]
