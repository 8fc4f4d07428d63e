"""The DuckDB engine runs under the configured memory limit and spills under BANKCRM_HOME (10M customers
spill to disk: docs/performance.md)."""

from pathlib import Path


def test_duckdb_engine_sets_memory_limit_and_spill_directory(settings, tmp_path):
    from bankcrm.analytics.engines import DuckDBEngine

    settings.BANKCRM_HOME = tmp_path
    settings.BANKCRM_METRICS = {**settings.BANKCRM_METRICS, "duckdb_memory_limit": "1GB", "duckdb_threads": 1}
    eng = DuckDBEngine()
    try:
        [(limit, temp, threads, ordered)] = eng.con.execute(
            "SELECT current_setting('memory_limit'), current_setting('temp_directory'), current_setting('threads'), "
            "current_setting('preserve_insertion_order')"
        ).fetchall()
    finally:
        eng.close()
    assert limit == "953.6 MiB"  # 1GB = 10^9 bytes, reported in binary units
    assert Path(temp) == tmp_path / "tmp" / "duckdb"
    assert threads == 1
    assert ordered is False  # the snapshot query sorts itself; keeping scan order costs memory at 10M
