"""DuckDB = Spark for the loan figures and findings: the same SQL text, transpiled (spec/loans.md)."""

import pytest
from test_loans import BOOK, FINDINGS_BOOK, D, make_book

pytestmark = [pytest.mark.spark, pytest.mark.xdist_group("spark")]


@pytest.mark.django_db
def test_loan_figures_and_findings_identical_on_both_engines(bank):
    from bankcrm.analytics.engines import DuckDBEngine, SparkEngine
    from bankcrm.analytics.loans import loan_figures, loan_findings

    book = BOOK + [(f"G{a}", c, p, d, k) for a, c, p, d, k in FINDINGS_BOOK]
    make_book(bank, book)
    duck = DuckDBEngine()
    spark = SparkEngine()
    try:
        assert loan_figures(D, duck) == loan_figures(D, spark, dump=False)
        found = loan_findings(D, duck, dump=False)
        assert found == loan_findings(D, spark, dump=False)
        assert len(found) == 5
    finally:
        duck.close()
