"""Acceptance: ``bankcrm metrics`` + ``bankcrm export`` against an independent reading of spec/metrics.md.

Three layers:
1. the reference itself against values computed by hand from the spec (no database);
2. the engine (DuckDB) on an adversarial bank — one customer per trap — compared cell by cell with the
   reference, per scenario, for three runs (Nov 2024, a mid-month D and a month end), plus every list;
3. the engine on a seeded random bank, and the Spark engine on the adversarial bank (marker ``spark``).
"""

from __future__ import annotations

import datetime as dt
import importlib.util
import io
import itertools
import re

import pytest
from django.db import transaction
from django.test import override_settings

from . import harness
from .metrics_reference import LIST_COLUMNS, LIST_KINDS, SNAPSHOT_COLUMNS, Reference
from .scenarios import (
    D_END,
    D_MID,
    D_NOPREV,
    D_OLD,
    LEAP_RUNS,
    RUNS,
    RUNS_MIDPREV,
    adversarial_bank,
    history_bank,
    leap_bank,
    random_bank,
)

BANK, SCENARIOS = adversarial_bank()
ENGINE_PRESENT = importlib.util.find_spec("bankcrm.analytics.exports") is not None
needs_engine = pytest.mark.skipif(not ENGINE_PRESENT, reason="the metrics engine is not on this branch yet")

SEP, OCT = "2026-09", "2026-10"


@pytest.fixture(scope="module")
def reference():
    ref = Reference(BANK)
    snaps = {}
    for as_of in RUNS:
        ref.run(as_of)
        for month, (_stored_as_of, rows) in ref.stored.items():
            snaps[(as_of, month)] = rows
    return ref, snaps


# --- 1. the reference against hand-computed values ---------------------------------------------------
# (as_of of the run, month, customer) -> the cells computed by hand from the spec's sentences
HAND = {
    # 149,999,985 cents / 30 days = 4,999,999.5 -> half-up 50,000.00 -> vip (boundary is inclusive)
    # spec "open on D": close_date later than D -> open, whatever today's status; close_date = D -> not open
    (D_END, OCT, "XS_CLOSED_LATER"): {"tier": "vip", "categories_held": "2", "cross_sell_qualified": "N"},
    (D_MID, OCT, "XS_CLOSED_LATER"): {"tier": "vip", "categories_held": "4", "cross_sell_qualified": "Y"},
    (D_MID, SEP, "XS_CLOSED_LATER"): {"tier": "vip", "categories_held": "4", "cross_sell_qualified": "Y"},
    # the wealth account closed on 10 October was still held on 30 September
    (D_MID, SEP, "CLOSEDACC"): {"tier": "wealth", "categories_held": "2"},
    (D_MID, SEP, "RND_HALF"): {"days": "30", "aum_avg": "50000.00", "tier": "vip", "migration": "new"},
    (D_MID, OCT, "RND_HALF"): {"days": "16", "aum_avg": "50000.00", "tier": "vip", "prev_tier": "vip"},
    (D_MID, OCT, "RND_BELOW"): {"aum_avg": "49999.99", "tier": "mass", "edge": "Y", "prev_tier": "mass"},
    (D_MID, OCT, "RND_EDGE_HALF"): {"aum_avg": "40000.00", "tier": "mass", "edge": "Y"},
    (D_END, OCT, "RND_BELOW"): {"aum_avg": "25806.45", "aum_end": "0.00", "edge": "N"},
    (D_MID, SEP, "RND_FLOAT"): {"aum_avg": "1.01"},  # 3015/30 = 100.5 cents
    (D_MID, OCT, "RND_FLOAT"): {"aum_avg": "1.01", "deposit_avg": "1.01"},  # 1608/16 = 100.5 cents
    (D_MID, OCT, "RND_NEGHALF"): {"aum_avg": "-0.01", "aum_end": "0.00"},  # -0.5 cent, ties away from 0
    (D_END, OCT, "RND_NEGMIX"): {"aum_avg": "60000.00", "deposit_avg": "-10000.00", "categories_held": "1"},
    (D_END, OCT, "RND_MISSINGDAYS"): {"aum_avg": "10000.00", "aum_end": "31000.00"},
    (D_END, OCT, "TIER_MASS_TOP"): {"tier": "mass", "edge": "Y"},
    (D_END, OCT, "TIER_VIP_LOW"): {"tier": "vip", "edge": "N"},
    (D_END, OCT, "TIER_EDGE40K"): {"tier": "mass", "edge": "Y"},
    (D_END, OCT, "TIER_EDGE40K_LESS"): {"edge": "N"},
    (D_END, OCT, "TIER_VIP400K"): {"tier": "vip", "edge": "Y"},
    (D_END, OCT, "TIER_VIP400K_LESS"): {"edge": "N"},
    (D_END, OCT, "TIER_WEALTH_LOW"): {"tier": "wealth", "edge": "N"},
    (D_END, OCT, "TIER_W4800K"): {"edge": "Y"},
    (D_END, OCT, "TIER_W4800K_LESS"): {"edge": "N"},
    (D_END, OCT, "TIER_WEALTH_TOP"): {"tier": "wealth", "aum_avg": "5999999.99"},
    (D_END, OCT, "TIER_PRIVATE_LOW"): {"tier": "private", "edge": "N", "cross_sell_qualified": "N"},
    (D_END, OCT, "AUM_LOANCC"): {"aum_avg": "100.00", "loan_end": "999999.99", "categories_held": "3"},
    (D_END, OCT, "AUM_ALLCATS"): {"aum_avg": "127000.07", "deposit_avg": "3000.02", "categories_held": "6"},
    # 9 days of 1,000,000.00 + 31 days of 10.00 over 31 days
    (D_END, OCT, "CLOSEDACC"): {"aum_avg": "290332.58", "aum_end": "10.00", "categories_held": "1"},
    (D_END, OCT, "CUSTCLOSED_ROWS"): {"aum_avg": "677.42", "migration": "new", "prev_tier": ""},
    (D_MID, SEP, "CUSTCLOSED_SEPONLY"): {"tier": "vip"},
    (D_END, OCT, "CUSTCLOSED_LATEROW"): {"aum_avg": "0.16"},
    (D_END, OCT, "ONB_LATE"): {"aum_avg": "30967.74", "migration": "new"},
    (D_END, OCT, "ONB_AFTER_WITHROW"): {"aum_avg": "100.00", "aum_end": "3100.00"},
    (D_END, OCT, "ONB_ON_D"): {"aum_avg": "3.23", "aum_end": "100.00", "categories_held": "1"},
    (D_END, OCT, "ONB_NOACCOUNTS"): {"aum_avg": "0.00", "tier": "mass", "categories_held": "0", "dormant": "N"},
    (D_MID, OCT, "LATEOPEN"): {"categories_held": "0"},
    (D_END, OCT, "LATEOPEN"): {"categories_held": "1"},
    (D_END, OCT, "XS_DEPOSIT_ONE"): {"categories_held": "1", "cross_sell_qualified": "N"},
    (D_END, OCT, "XS_VIP3"): {"categories_held": "3", "cross_sell_qualified": "Y"},
    (D_END, OCT, "XS_VIP3_PAYROLL"): {"categories_held": "3", "cross_sell_qualified": "Y"},
    (D_END, OCT, "XS_VIP_LOAN"): {"categories_held": "3", "cross_sell_qualified": "Y", "loan_end": "200000.00"},
    (D_END, OCT, "XS_VIP_LOAN0"): {"categories_held": "2", "cross_sell_qualified": "N", "loan_end": "0.00"},
    (D_END, OCT, "XS_WEALTH4"): {"tier": "wealth", "categories_held": "4", "cross_sell_qualified": "Y"},
    (D_END, OCT, "XS_WEALTH3"): {"tier": "wealth", "categories_held": "3", "cross_sell_qualified": "N"},
    (D_END, OCT, "XS_PRIVATE5"): {"tier": "private", "categories_held": "5", "cross_sell_qualified": "Y"},
    (D_END, OCT, "XS_PRIVATE4"): {"tier": "private", "categories_held": "4", "cross_sell_qualified": "N"},
    (D_END, OCT, "XS_MASS_MANY"): {"categories_held": "6", "cross_sell_qualified": "N"},
    (D_END, OCT, "XS_CLOSINGS"): {"categories_held": "2"},
    (D_END, OCT, "XS_STATUSES"): {"categories_held": "3", "cross_sell_qualified": "Y"},
    (D_END, OCT, "XS_NEGATIVE"): {"categories_held": "1", "aum_end": "59999.99"},
    (D_END, OCT, "DOR_CI_364"): {"dormant": "N"},
    (D_END, OCT, "DOR_CI_365"): {"dormant": "Y"},
    (D_END, OCT, "DOR_NONCI"): {"dormant": "Y"},
    (D_END, OCT, "DOR_OPEN364"): {"dormant": "N"},
    (D_END, OCT, "DOR_OPEN365"): {"dormant": "Y"},
    (D_MID, OCT, "DOR_OPEN365"): {"dormant": "N"},
    (D_END, OCT, "DOR_OLDCLOSED"): {"dormant": "N"},
    (D_END, OCT, "DOR_OLDSTATUSCLOSED"): {"dormant": "N"},
    (D_END, OCT, "DOR_OLDSTATUSDORMANT"): {"dormant": "Y"},
    (D_END, OCT, "DOR_CI_ON_CLOSED"): {"dormant": "N"},
    (D_MID, OCT, "DOR_CI_AFTER_MID"): {"dormant": "Y"},
    (D_END, OCT, "DOR_CI_AFTER_MID"): {"dormant": "N"},
    (D_MID, OCT, "DOR_MID_364"): {"dormant": "N"},
    (D_END, OCT, "DOR_MID_364"): {"dormant": "Y"},
    (D_MID, OCT, "DOR_MID_365"): {"dormant": "Y"},
    (D_END, OCT, "DOR_FUTURE"): {"dormant": "Y"},
    (D_END, OCT, "DOR_LATE_POST"): {"dormant": "Y"},
    (D_END, OCT, "DOR_EARLY_POST"): {"dormant": "N"},
    (D_OLD, "2024-11", "DP_M23"): {"aum_avg": "50000.00", "tier": "vip"},
    (D_OLD, "2024-10", "DP_M24"): {"aum_avg": "50000.00", "tier": "vip"},
    (D_END, OCT, "DP_M23"): {"dormant_potential": "Y"},
    (D_END, OCT, "DP_M24"): {"dormant_potential": "N"},
    (D_MID, SEP, "DP_M24"): {"dormant_potential": "Y"},  # Sep 2026's window starts Oct 2024
    (D_END, OCT, "DP_PREV"): {"dormant_potential": "Y", "downgraded": "Y", "prev_tier": "vip"},
    (D_END, OCT, "DP_NOW"): {"dormant_potential": "Y", "migration": "up"},
    (D_END, OCT, "DP_BELOW"): {"dormant_potential": "N"},
    (D_END, OCT, "DP_ACTIVE"): {"dormant": "N", "dormant_potential": "N"},
    (D_END, OCT, "MAT_D30"): {"maturing": "Y"},
    (D_MID, OCT, "MAT_D30"): {"maturing": "N"},
    (D_END, OCT, "MAT_D31"): {"maturing": "N"},
    (D_END, OCT, "MAT_D0"): {"maturing": "N"},
    (D_MID, OCT, "MAT_D0"): {"maturing": "Y"},
    (D_END, OCT, "MAT_D1"): {"maturing": "Y"},
    (D_MID, OCT, "MAT_MID31"): {"maturing": "N"},
    (D_END, OCT, "MAT_MID31"): {"maturing": "Y"},
    (D_END, OCT, "MAT_CLOSED"): {"maturing": "N"},
    # closed 10-20 (status closed today) was still open on 10-16: maturing then (spec "open on D", 8.13)
    (D_MID, OCT, "MAT_CLOSED"): {"maturing": "Y"},
    (D_END, OCT, "MAT_FUND"): {"maturing": "N"},
    (D_END, OCT, "MAT_MULTI"): {"maturing": "Y"},
    (D_END, OCT, "KYC_D30"): {"kyc_expiring": "Y"},
    (D_MID, OCT, "KYC_D30"): {"kyc_expiring": "N"},
    (D_END, OCT, "KYC_D31"): {"kyc_expiring": "N"},
    (D_END, OCT, "KYC_EXPIRED"): {"kyc_expiring": "Y"},
    (D_END, OCT, "KYC_NONE"): {"kyc_expiring": "Y"},
    (D_END, OCT, "KYC_AFTER_D"): {"kyc_expiring": "Y"},
    (D_END, OCT, "KYC_ONLY_AFTER_D"): {"kyc_expiring": "Y"},
    (D_END, OCT, "KYC_NEWEST"): {"kyc_expiring": "Y"},
    (D_MID, OCT, "KYC_ASSESSED_ON_D"): {"kyc_expiring": "Y"},
    (D_END, OCT, "KYC_ASSESSED_ON_D"): {"kyc_expiring": "N"},
    (D_MID, OCT, "KYC_MID30"): {"kyc_expiring": "Y"},
    (D_MID, OCT, "KYC_MID31"): {"kyc_expiring": "N"},
    (D_END, OCT, "KYC_R3_CLOSED"): {"kyc_expiring": "N"},
    (D_END, OCT, "KYC_R2"): {"kyc_expiring": "N"},
    (D_END, OCT, "KYC_R3_ZERO"): {"kyc_expiring": "N"},
    (D_MID, OCT, "KYC_R3_NOROW_ON_D"): {"kyc_expiring": "Y"},
    (D_END, OCT, "KYC_R3_NOROW_ON_D"): {"kyc_expiring": "N"},
    (D_END, OCT, "KYC_R4_FUND"): {"kyc_expiring": "Y"},
    (D_END, OCT, "KYC_R3_METAL"): {"kyc_expiring": "Y"},
    (D_END, OCT, "KYC_R5_FROZEN"): {"kyc_expiring": "Y"},
    (D_END, OCT, "MIG_UP"): {"prev_tier": "mass", "migration": "up", "downgraded": "N"},
    (D_END, OCT, "MIG_DOWN"): {"prev_tier": "wealth", "migration": "down", "downgraded": "Y"},
    (D_END, OCT, "MIG_PRIV_TO_MASS"): {"prev_tier": "private", "migration": "down"},
    (D_END, OCT, "MIG_SAME"): {"migration": "same"},
    (D_END, OCT, "MIG_ZERO_SAME"): {"prev_tier": "mass", "migration": "same"},
    (D_END, OCT, "MIG_NEW"): {"prev_tier": "", "migration": "new"},
    (D_END, OCT, "MIG_CLOSED_BOTH"): {"prev_tier": "wealth", "migration": "down"},
    (D_END, OCT, "MIG_CLOSED_OCT_ONLY"): {"prev_tier": "", "migration": "new"},
    (D_END, OCT, "ONB_EXACT_D"): {"aum_avg": "0.00", "migration": "new"},
    (D_END, OCT, "CUSTCLOSED_ZEROROW"): {"aum_avg": "0.00", "migration": "new"},
    (D_END, OCT, "CUSTCLOSED_LOANROW"): {"loan_end": "0.00", "migration": "new"},
    (D_END, OCT, "DOR_CLOSES_LATER"): {"dormant": "Y"},
    (D_END, OCT, "DP_UNSTORED"): {"dormant": "Y", "dormant_potential": "N"},
    (D_END, OCT, "MAT_LATEOPEN"): {"maturing": "N", "categories_held": "0"},
    (D_END, OCT, "MIG_SEPMID"): {"prev_tier": "vip", "migration": "same"},
    (D_NOPREV, "2025-06", "MIG_SAME"): {"prev_tier": "", "migration": "new", "days": "30"},
    (D_END, OCT, "ASG_LEFT_RM"): {"rm_staff_no": "S009", "branch_code": "B001"},
    (D_END, OCT, "ASG_NO_RM"): {"rm_staff_no": "", "branch_code": "B002"},
}
# (as_of, month) -> customers that must NOT be in that snapshot
HAND_ABSENT = {
    (D_END, OCT): ["CUSTCLOSED_SEPONLY", "CUSTCLOSED_NOROWS", "ONB_FUTURE"],
    (D_MID, OCT): ["CUSTCLOSED_LATEROW", "ONB_LATE", "ONB_AFTER_WITHROW", "ONB_ON_D", "ONB_FUTURE", "ONB_EXACT_D"],
    (D_MID, SEP): ["CUSTCLOSED_ROWS", "CUSTCLOSED_ZEROROW", "CUSTCLOSED_NOROWS", "MIG_CLOSED_OCT_ONLY"],
}
HAND_LISTS = {  # (as_of, kind) -> {customer: assignee}, exactly
    (D_END, "unassigned"): {
        "ASG_NO_RM": "branch:B002",
        "ASG_LEFT_RM": "branch:B001",
        "ASG_TIE_A": "branch:B001",
        "ASG_TIE_B": "branch:B001",
        "MAT_LEFT_RM": "branch:B002",
    },
    (D_END, "maturing"): {
        "MAT_D1": "S001",
        "MAT_LEFT_RM": "branch:B002",
        "MAT_MULTI": "S001",
        "MAT_MID31": "S001",
        "MAT_D30": "S001",
    },
    (D_MID, "maturing"): {
        "MAT_D0": "S001",  # 10-31
        "MAT_D1": "S001",  # 11-01
        "MAT_LEFT_RM": "branch:B002",  # 11-03
        "MAT_MULTI": "S001",  # 11-05
        "MAT_CLOSED": "S001",  # 11-10, closes 10-20: open on 10-16
    },
}


def test_reference_matches_hand_computed_values(reference):
    ref, snaps = reference
    wrong = []
    for (as_of, month, no), cells in HAND.items():
        row = snaps[(as_of, month)].get(no)
        if row is None:
            wrong.append(f"{as_of} {month} {no}: missing")
            continue
        got = row.cells()
        wrong += [f"{as_of} {month} {no}.{c}: {got[c]} != {v}" for c, v in cells.items() if got[c] != v]
    for (as_of, month), absent in HAND_ABSENT.items():
        wrong += [f"{as_of} {month} {no}: present" for no in absent if no in snaps[(as_of, month)]]
    for (as_of, kind), items in HAND_LISTS.items():
        got = [(r.customer_no, r.assignee) for r in ref.lists[(kind, as_of)]]
        assert got == list(items.items()), (as_of, kind, got)
    assert not wrong, "\n".join(wrong)


def test_reference_edge_list_is_ordered_by_aum_avg(reference):
    ref, _ = reference
    edge = ref.lists[("edge", D_END)]
    assert [r.customer_no for r in edge[:3]] == ["TIER_WEALTH_TOP", "TIER_W4800K", "TIER_VIP_TOP"]
    assert all(a.aum_avg >= b.aum_avg for a, b in itertools.pairwise(edge))


def test_reference_prev_month_stored_mid_month_is_recomputed():
    ref = Reference(BANK)
    ref.run(RUNS_MIDPREV[0])
    assert ref.stored[SEP][1]["MIG_SEPMID"].tier == "mass"  # as of 09-15
    rows = ref.run(RUNS_MIDPREV[1])
    assert rows["MIG_SEPMID"].days == 1 and rows["MIG_SEPMID"].prev_tier == "vip"  # Sep redone as of 09-30
    assert ref.stored[SEP][0] == dt.date(2026, 9, 30)


def test_reference_prev_month_needs_balances():
    """No balance partition in M-1: nothing computed there, everyone is new."""
    ref = Reference(BANK)
    rows = ref.run(dt.date(2024, 12, 31))  # Nov 2024 has balances, Oct 2024 too (recursively)
    assert "2024-10" in ref.stored and rows["DP_M23"].prev_tier == "vip"
    ref = Reference(BANK)
    rows = ref.run(dt.date(2025, 6, 30))  # May 2025 has no balances
    assert set(ref.stored) == {"2025-06"} and {r.migration for r in rows.values()} == {"new"}


# --- 2. the engine against the reference ---------------------------------------------------------------
def _run_engine(bank, runs, engine, django_db_blocker, tmp_path_factory) -> dict:
    tmp = tmp_path_factory.mktemp(f"metrics-{engine}")
    with django_db_blocker.unblock(), override_settings(WAREHOUSE_DIR=tmp / "warehouse"), transaction.atomic():
        harness.load_bank(bank)
        captured = harness.replay(bank, runs, engine, tmp)
        transaction.set_rollback(True)  # the module's data must not leak into other tests
    return captured


@pytest.fixture(scope="module")
def engine_duckdb(django_db_setup, django_db_blocker, tmp_path_factory):
    if not ENGINE_PRESENT:
        pytest.skip("the metrics engine is not on this branch yet")
    return _run_engine(BANK, RUNS, "duckdb", django_db_blocker, tmp_path_factory)


@pytest.fixture(scope="module")
def expected():
    return harness.expected_replay(BANK, RUNS)


# Scenarios where the engine disagrees with the spec (see the report): strict xfail, so a fix shows up.
KNOWN_DISCREPANCIES: dict[str, str] = {}


def _scenario_params():
    for name in SCENARIOS:
        marks = (
            [pytest.mark.xfail(strict=True, reason=KNOWN_DISCREPANCIES[name])] if name in KNOWN_DISCREPANCIES else []
        )
        yield pytest.param(name, marks=marks, id=name)


@needs_engine
@pytest.mark.django_db  # pytest-django only builds the test database when a test asks for it
@pytest.mark.parametrize("scenario", list(_scenario_params()))
def test_engine_scenario(scenario, engine_duckdb, expected):
    problems = harness.all_problems(expected, engine_duckdb, customers=set(SCENARIOS[scenario]))
    assert not problems, "\n".join(problems)


@needs_engine
@pytest.mark.django_db  # pytest-django only builds the test database when a test asks for it
def test_engine_whole_snapshots_and_lists(engine_duckdb, expected):
    """Every customer, every month exported, every list: membership, order, ranks, headers."""
    problems = [p for p in harness.all_problems(expected, engine_duckdb) if not _known(p)]
    assert not problems, "\n".join(problems[:60])


def _known(problem: str) -> bool:
    return any(f" {name}" in problem for name in KNOWN_DISCREPANCIES)


MONEY_RE = re.compile(r"^-?\d+\.\d{2}$")


@needs_engine
@pytest.mark.django_db  # pytest-django only builds the test database when a test asks for it
def test_export_customer_month_format(engine_duckdb):
    _header, rows, text = engine_duckdb[("month", D_END, OCT)]
    assert text.splitlines()[0].lstrip("\ufeff") == ",".join(SNAPSHOT_COLUMNS)
    assert rows and [r["customer_no"] for r in rows] == sorted(r["customer_no"] for r in rows)
    for r in rows:
        assert r["month"] == OCT and r["as_of"] == "2026-10-31" and r["days"] == "31"
        for col in ("aum_avg", "aum_end", "deposit_avg", "loan_end"):
            assert MONEY_RE.match(r[col]), (r["customer_no"], col, r[col])
        for col in SNAPSHOT_COLUMNS[14:]:
            assert r[col] in ("Y", "N"), (r["customer_no"], col, r[col])
        assert r["prev_tier"] in ("", "mass", "vip", "wealth", "private")
        assert r["migration"] in ("new", "up", "down", "same")
    new_row = next(line for line in text.splitlines() if line.startswith("2026-10,2026-10-31,MIG_NEW,"))
    assert ",vip,,new," in new_row  # empty prev_tier is an empty field, not "None" or '""'


@needs_engine
@pytest.mark.django_db  # pytest-django only builds the test database when a test asks for it
def test_export_list_format(engine_duckdb):
    for kind in LIST_KINDS:
        header, rows, _text = engine_duckdb[("list", D_END, kind)]
        assert header == LIST_COLUMNS, kind
        assert [int(r["rank"]) for r in rows] == list(range(1, len(rows) + 1)), kind
        for r in rows:
            assert r["kind"] == kind and r["as_of"] == "2026-10-31"
            assert MONEY_RE.match(r["aum_avg"]) and r["tier"] in ("mass", "vip", "wealth", "private")
    _, unassigned, _ = engine_duckdb[("list", D_END, "unassigned")]
    assert all(r["assignee"] == f"branch:{r['branch_code']}" for r in unassigned)
    _, maturing, _ = engine_duckdb[("list", D_END, "maturing")]
    order = [r["customer_no"] for r in maturing]
    assert order.index("MAT_D1") < order.index("MAT_MULTI") < order.index("MAT_D30")


@needs_engine
@pytest.mark.django_db  # pytest-django only builds the test database when a test asks for it
def test_engine_prev_month_first_stored_mid_month(django_db_blocker, django_db_setup, tmp_path_factory):
    """M-1 stored as of the 15th, D on the 1st (days = 1), month end, back to mid-month, month end again."""
    captured = _run_engine(BANK, RUNS_MIDPREV, "duckdb", django_db_blocker, tmp_path_factory)
    problems = harness.all_problems(harness.expected_replay(BANK, RUNS_MIDPREV), captured)
    assert not problems, f"{len(problems)} differences, first ones:\n" + "\n".join(problems[:40])


def test_reference_windows_count_days_across_a_leap_day():
    ref = Reference(leap_bank())
    feb = ref.run(LEAP_RUNS[0])
    mar = ref.run(LEAP_RUNS[1])
    assert feb["LEAPF_CI_365"].days == 29 and feb["LEAPF_CI_365"].aum_avg == 290_000 + 1
    assert [feb[n].dormant for n in ("LEAPF_CI_365", "LEAPF_CI_364")] == [True, False]
    assert [feb[n].maturing for n in ("LEAPF_MAT30", "LEAPF_MAT31")] == [True, False]
    assert [feb[n].kyc_expiring for n in ("LEAPF_KYC30", "LEAPF_KYC31")] == [True, False]
    assert [mar[n].dormant for n in ("LEAP_CI_365", "LEAP_CI_364", "LEAP_CI_1Y")] == [True, False, True]
    assert [mar[n].dormant for n in ("LEAP_OPEN_365", "LEAP_OPEN_364")] == [True, False]


@needs_engine
@pytest.mark.django_db  # pytest-django only builds the test database when a test asks for it
def test_engine_windows_count_days_across_a_leap_day(django_db_blocker, django_db_setup, tmp_path_factory):
    bank = leap_bank()
    captured = _run_engine(bank, LEAP_RUNS, "duckdb", django_db_blocker, tmp_path_factory)
    problems = harness.all_problems(harness.expected_replay(bank, LEAP_RUNS), captured)
    assert not problems, "\n".join(problems)


def test_reference_computes_missing_months_recursively():
    ref = Reference(history_bank())
    rows = ref.run(D_END)
    sep = ref.stored[SEP][1]
    assert set(ref.stored) == {"2026-08", SEP, OCT}
    assert (sep["HIST_DOWN"].prev_tier, sep["HIST_DOWN"].migration) == ("wealth", "down")
    assert rows["HIST_PEAK_AUG"].dormant_potential


@needs_engine
@pytest.mark.django_db  # pytest-django only builds the test database when a test asks for it
def test_engine_computes_missing_months_recursively(django_db_blocker, django_db_setup, tmp_path_factory):
    bank = history_bank()
    captured = _run_engine(bank, [D_END], "duckdb", django_db_blocker, tmp_path_factory)
    problems = harness.all_problems(harness.expected_replay(bank, [D_END]), captured)
    assert not problems, "\n".join(problems)


# --- 3. a seeded random bank, and the Spark engine -------------------------------------------------------
@needs_engine
@pytest.mark.django_db  # pytest-django only builds the test database when a test asks for it
@pytest.mark.parametrize("seed", [20261031])
def test_engine_random_bank(seed, django_db_blocker, django_db_setup, tmp_path_factory):
    bank = random_bank(seed, customers=300)
    runs = [D_MID, D_END]
    captured = _run_engine(bank, runs, "duckdb", django_db_blocker, tmp_path_factory)
    problems = harness.all_problems(harness.expected_replay(bank, runs), captured)
    assert not problems, f"{len(problems)} differences, first ones:\n" + "\n".join(problems[:40])


@needs_engine
@pytest.mark.django_db  # pytest-django only builds the test database when a test asks for it
@pytest.mark.spark
def test_spark_engine_adversarial_bank(django_db_blocker, django_db_setup, tmp_path_factory, expected):
    captured = _run_engine(BANK, RUNS, "spark", django_db_blocker, tmp_path_factory)
    problems = [p for p in harness.all_problems(expected, captured) if not _known(p)]
    assert not problems, f"{len(problems)} differences, first ones:\n" + "\n".join(problems[:60])


@needs_engine
@pytest.mark.django_db
@pytest.mark.parametrize(
    "args",
    [
        ["metrics", "--as-of", "2026-10-32"],
        ["metrics", "--as-of", "2026-10-31", "--engine", "oracle"],
        ["export", "list", "--kind", "bogus", "--as-of", "2026-10-31", "--out", "{tmp}/x.csv"],
        ["export", "customer-month", "--month", "2026-13", "--out", "{tmp}/x.csv"],
    ],
    ids=["bad-date", "bad-engine", "bad-kind", "bad-month"],
)
def test_cli_refuses_bad_arguments_with_a_reason(args, tmp_path):
    from django.core.management import CommandError, call_command

    with pytest.raises((CommandError, SystemExit)):
        call_command(*[a.format(tmp=tmp_path) for a in args], stdout=io.StringIO(), stderr=io.StringIO())


@needs_engine
@pytest.mark.django_db
@pytest.mark.spark
def test_spark_engine_random_bank(django_db_blocker, django_db_setup, tmp_path_factory):
    bank = random_bank(20261031, customers=300)
    runs = [D_MID, D_END]
    captured = _run_engine(bank, runs, "spark", django_db_blocker, tmp_path_factory)
    problems = harness.all_problems(harness.expected_replay(bank, runs), captured)
    assert not problems, f"{len(problems)} differences, first ones:\n" + "\n".join(problems[:40])
