"""The indicator query gives identical rows on DuckDB and on Spark (the same SQL, transpiled)."""

import datetime as dt

import pytest

from bankcrm.reports.services import indicator_rows, target_results
from reports_data import build

D = dt.date
pytestmark = [pytest.mark.spark, pytest.mark.xdist_group("spark"), pytest.mark.django_db]


@pytest.fixture(scope="module")
def spark_engine():
    from bankcrm.analytics.engines import SparkEngine

    return SparkEngine()  # one session per process (engines.spark_session), shared with the metrics tests


def test_duckdb_and_spark_identical_rows(rbank, spark_engine, tmp_path):
    from django.core.management import call_command
    from test_targets import TARGETS, _folder

    build(rbank).refresh()
    call_command("targets", "import", str(_folder(tmp_path, targets=TARGETS)))
    for period in ("xun", "month"):
        duck = indicator_rows(D(2026, 11, 12), period, engine_name="duckdb")
        spark = indicator_rows(D(2026, 11, 12), period, engine_name="spark")
        assert duck == spark, period
    assert target_results(D(2026, 11, 12), engine_name="duckdb") == target_results(D(2026, 11, 12), engine_name="spark")


def test_rollup_built_by_spark_is_the_same(rbank, spark_engine):
    import pyarrow.parquet as pq

    from bankcrm.reports.rollup import rollup_day_dir, update_rollup

    build(rbank).refresh()

    def read(day):
        t = pq.read_table(rollup_day_dir(day) / "part-0.parquet")
        return sorted(t.to_pylist(), key=lambda r: (r["branch_code"], r["rm_staff_no"], r["category"]))

    before = {d: read(d) for d in (D(2026, 11, 12), D(2026, 10, 3))}
    import shutil

    shutil.rmtree(rollup_day_dir(D(2026, 11, 12)).parent)
    update_rollup("spark")
    assert {d: read(d) for d in before} == before
