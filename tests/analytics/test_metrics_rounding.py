"""The integer rounding of the definition equals exact decimal half-up (away from zero) rounding."""

from decimal import ROUND_HALF_UP, Decimal

import duckdb
from hypothesis import given, settings
from hypothesis import strategies as st

from bankcrm.analytics.definitions import _rounded_avg


@settings(max_examples=30, deadline=None)
@given(
    st.lists(st.integers(min_value=-(10**15), max_value=10**15), min_size=1, max_size=50),
    st.integers(min_value=1, max_value=31),
)
def test_rounded_average_matches_decimal_half_up(sums, days):
    con = duckdb.connect()
    values = ", ".join(f"({s}::BIGINT)" for s in sums)
    got = [r[0] for r in con.sql(f"SELECT {_rounded_avg('s', days)} FROM (VALUES {values}) t(s)").fetchall()]
    want = [int((Decimal(s) / days).quantize(Decimal(1), ROUND_HALF_UP)) for s in sums]
    assert got == want
