"""DuckDB = Spark for the loan figures and findings: the same SQL text, transpiled (spec/loans.md)."""

import pytest
from test_loans import BOOK, FINDINGS_BOOK, PREV, ROLL_BEFORE, D, make_book

pytestmark = [pytest.mark.spark, pytest.mark.xdist_group("spark")]


@pytest.mark.django_db
def test_loan_figures_and_findings_identical_on_both_engines(bank):
    from bankcrm.analytics.engines import DuckDBEngine, SparkEngine
    from bankcrm.analytics.loans import loan_figures, loan_findings, loan_trend, roll_matrix, roll_rates

    book = BOOK + [(f"G{a}", c, p, d, k) for a, c, p, d, k in FINDINGS_BOOK]
    make_book(bank, book)
    current = [(a, c, p, 0, "normal") for a, c, p, _d, _k in BOOK[:4]]  # LA..LD current a month earlier
    make_book(bank, ROLL_BEFORE + current, day=PREV)
    duck = DuckDBEngine()
    spark = SparkEngine()
    try:
        assert loan_figures(D, duck) == loan_figures(D, spark, dump=False)
        found = loan_findings(D, duck, dump=False)
        assert found == loan_findings(D, spark, dump=False)
        assert len(found) == 5
        rolls = roll_rates(D, duck, dump=False)
        assert rolls == roll_rates(D, spark, dump=False)
        assert any(r["roll_rate_pct"] for r in rolls)  # LB, LC, LD rolled out of M0
        # the loan book's matrix and its month-end trend (two partitions in one query)
        for unit in ("bank", "branch:B001"):
            assert roll_matrix(D, unit, duck, dump=False) == roll_matrix(D, unit, spark, dump=False)
            trend = loan_trend([PREV, D], unit, duck, dump=False)
            assert trend == loan_trend([PREV, D], unit, spark, dump=False) and len(trend) == 2
    finally:
        duck.close()
