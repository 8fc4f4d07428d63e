"""DuckDB = Spark for the transfer rule: the same SQL text, transpiled (compliance/screening.py)."""

import datetime as dt

import pytest
from test_screening_transfers import import_bank, isolated_home, leg  # noqa: F401 (isolated_home: autouse)

pytestmark = [pytest.mark.spark, pytest.mark.xdist_group("spark"), pytest.mark.django_db]


def test_transfer_hits_identical_on_both_engines(tmp_path):
    from bankcrm.analytics.engines import DuckDBEngine, SparkEngine
    from bankcrm.compliance.screening import transfer_hits_of_quarter

    rows = [leg(f"D{i}", "A900", "A001", "45000.00", "D", f"2026-10-1{i} 09:00:00") for i in range(3)]
    rows += [leg(f"C{i}", "A001", "A900", "45000.00", "C", f"2026-10-1{i} 09:00:00") for i in range(3)]
    rows += [leg("D9", "A900", "A001", "65000.00", "D", "2026-10-20 09:00:00"), leg("X1", "A901", "A900", "90000.00")]
    import_bank(tmp_path, {"20261015": rows})
    start, end = dt.date(2026, 10, 1), dt.date(2026, 12, 31)
    duck, spark = DuckDBEngine(), SparkEngine()
    try:
        expected = transfer_hits_of_quarter(start, end, engine=duck)
        assert expected == {"S001": "4 transfers, largest 65000.00, total 200000.00"}
        assert transfer_hits_of_quarter(start, end, engine=spark, dump=False) == expected
    finally:
        duck.close()
