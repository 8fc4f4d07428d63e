"""Loan figures and the classification check of spec/loans.md, written once as SQL (DuckDB dialect).

The SQL reads the warehouse: ``loans_d`` (the loans partition of D) joined to ``dim_accounts`` and
``dim_customers`` (the customer's *current* branch and rm: spec/indicators.md "Units"). Sums are
integer cents in SQL; the only division (the NPL ratio) is done in Python on those integers with
``core.money.percent``, so DuckDB and Spark cannot round differently. Bucket edges and class floors
come from ``loans.choices`` (one table of the rules), turned into CASE expressions by ``loans.checks``.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from bankcrm.core import warehouse
from bankcrm.core.money import cents_to_yuan, percent
from bankcrm.loans.checks import bucket_index_sql, bucket_sql, minimum_class_sql, too_lenient_sql
from bankcrm.loans.choices import BUCKETS, NPL_CLASSES

from .engines import Engine, get_engine

FIGURE_COLUMNS = (
    "as_of",
    "unit",
    "loan_balance",
    "overdue_balance",
    "npl_balance",
    "npl_ratio_pct",
    "m1_count",
    "m1_balance",
    "m2_count",
    "m2_balance",
    "m3_count",
    "m3_balance",
    "m4_count",
    "m4_balance",
)
FINDING_COLUMNS = ("account_no", "customer_no", "as_of_date", "overdue_days", "five_class", "minimum_class")
FINDING_CODE = "class_too_lenient"


class NoLoansFile(Exception):
    """No loans partition for the date: the figures are unknown (not zero)."""


def _sql_list(values) -> str:
    return ", ".join("'" + str(v) + "'" for v in values)


def _bucket_sums() -> str:
    parts = []
    for n, (name, _low, _high) in enumerate(BUCKETS):
        if n == 0:
            continue  # M0 (current) is not a column of the export
        parts.append(f"sum(CASE WHEN bucket = '{name}' THEN 1 ELSE 0 END) AS m{n}_count")
        parts.append(f"sum(CASE WHEN bucket = '{name}' THEN principal_cents ELSE 0 END) AS m{n}_cents")
    return ",\n        ".join(parts)


# The two stock definitions of spec/loans.md as SQL expressions over a loans row, shared with the
# reports' indicator query (reports/figures.py) so overdue_balance and npl_balance are written once.
OVERDUE_CENTS_SQL = "CASE WHEN overdue_days > 0 THEN principal_cents ELSE 0 END"
NPL_CENTS_SQL = f"CASE WHEN five_class IN ({_sql_list(NPL_CLASSES)}) THEN principal_cents ELSE 0 END"

# A loan counts once for the bank, once for its customer's branch and once for its rm (if any).
# Grouped by the file's date as well, so the loan book's 12 month ends are one query (loans_d then
# holds several partitions; the export registers one).
_FIGURES_ROWS = f"""
    SELECT ld.as_of_date, ld.principal_cents, ld.overdue_days, ld.five_class, {bucket_sql("ld.overdue_days")} AS bucket,
           c.branch_code, c.rm_staff_no
    FROM loans_d ld
    JOIN dim_accounts a ON a.account_no = ld.account_no
    JOIN dim_customers c ON c.customer_no = a.customer_no"""
_FIGURES_SUMS = f"""count(*) AS loans,
        sum(principal_cents) AS loan_cents,
        sum({OVERDUE_CENTS_SQL}) AS overdue_cents,
        sum({NPL_CENTS_SQL}) AS npl_cents,
        {_bucket_sums()}"""
FIGURES_SQL = f"""
WITH l AS ({_FIGURES_ROWS}
), u AS (
    SELECT 'bank' AS unit, * FROM l
    UNION ALL SELECT concat('branch:', branch_code) AS unit, * FROM l WHERE branch_code IS NOT NULL
    UNION ALL SELECT concat('rm:', rm_staff_no) AS unit, * FROM l WHERE rm_staff_no IS NOT NULL
)
SELECT as_of_date, unit,
        {_FIGURES_SUMS}
FROM u GROUP BY as_of_date, unit
"""


def unit_figures_sql(unit: str) -> str:
    """FIGURES_SQL for one unit only (the same sums): the loan book's 12 month ends of one unit
    without computing every other unit (at 1M loans × 12 files: 2× less work than all units)."""
    kind, _sep, key = unit.partition(":")
    key = key.replace("'", "''")
    where = {"bank": "", "branch": f" WHERE c.branch_code = '{key}'", "rm": f" WHERE c.rm_staff_no = '{key}'"}[kind]
    literal = unit.replace("'", "''")
    return f"""
WITH l AS ({_FIGURES_ROWS}{where}
)
SELECT as_of_date, '{literal}' AS unit,
        {_FIGURES_SUMS}
FROM l GROUP BY as_of_date
"""


FINDINGS_SQL = f"""
SELECT ld.account_no, a.customer_no, ld.overdue_days, ld.five_class,
       {minimum_class_sql("ld.overdue_days")} AS minimum_class, c.branch_code, c.rm_staff_no
FROM loans_d ld LEFT JOIN dim_accounts a ON a.account_no = ld.account_no
LEFT JOIN dim_customers c ON c.customer_no = a.customer_no
WHERE {too_lenient_sql("ld.overdue_days", "ld.five_class")}
ORDER BY ld.account_no
"""


# Customers with at least one loan overdue on D (spec/loans.md "The collection list"): their total
# overdue principal + interest, and their worst loan (most days overdue; then the larger overdue
# amount, then account_no, so the choice is deterministic).
OVERDUE_SQL = f"""
WITH l AS (
    SELECT a.customer_no, ld.account_no, ld.overdue_days, {bucket_sql("ld.overdue_days")} AS bucket,
           ld.overdue_principal_cents + ld.overdue_interest_cents AS due_cents
    FROM loans_d ld JOIN dim_accounts a ON a.account_no = ld.account_no
    WHERE ld.overdue_days > 0
), r AS (
    SELECT customer_no, account_no, overdue_days, bucket, due_cents,
           sum(due_cents) OVER (PARTITION BY customer_no) AS total_cents,
           row_number() OVER (PARTITION BY customer_no ORDER BY overdue_days DESC, due_cents DESC, account_no) AS i
    FROM l
)
SELECT customer_no, total_cents, account_no AS worst_account, overdue_days AS worst_days, bucket AS worst_bucket
FROM r WHERE i = 1
"""


# Roll rates (迁徙率): loans_p is the previous month's last day, loans_d is D. The base is the principal
# of bucket X on the previous month-end; rolled is the principal on D of those same loans now in a
# worse bucket. A loan absent on D (repaid, written off elsewhere) or with no principal left is not
# rolled (spec: "Loans repaid in between count as not rolled"). M4+ cannot get worse: not a row.
_ROLL_CTES = f"""
WITH p AS (
    SELECT lp.account_no, lp.principal_cents, {bucket_index_sql("lp.overdue_days")} AS b0,
           c.branch_code, c.rm_staff_no
    FROM loans_p lp
    JOIN dim_accounts a ON a.account_no = lp.account_no
    JOIN dim_customers c ON c.customer_no = a.customer_no
), x AS (
    SELECT p.principal_cents, p.b0, p.branch_code, p.rm_staff_no,
           CASE WHEN ld.principal_cents > 0 THEN {bucket_index_sql("ld.overdue_days")} END AS b1,
           CASE WHEN ld.principal_cents > 0 THEN ld.principal_cents ELSE 0 END AS now_cents
    FROM p LEFT JOIN loans_d ld ON ld.account_no = p.account_no
), u AS (
    SELECT 'bank' AS unit, * FROM x
    UNION ALL SELECT concat('branch:', branch_code) AS unit, * FROM x WHERE branch_code IS NOT NULL
    UNION ALL SELECT concat('rm:', rm_staff_no) AS unit, * FROM x WHERE rm_staff_no IS NOT NULL
)"""
ROLLS_SQL = f"""{_ROLL_CTES}
SELECT unit, b0, sum(principal_cents) AS base_cents,
       sum(CASE WHEN b1 > b0 THEN now_cents ELSE 0 END) AS rolled_cents
FROM u WHERE b0 < {len(BUCKETS) - 1} GROUP BY unit, b0
"""
# The roll-rate matrix (from bucket on the previous month-end -> bucket on D) of the same loans: the
# principal on D per cell (b1 NULL = repaid / gone), and each from-bucket's base. The roll rate of a
# row is the sum of its cells right of the diagonal, which is exactly ROLLS_SQL's rolled_cents.
ROLL_MATRIX_SQL = f"""{_ROLL_CTES}
SELECT unit, b0, b1, sum(principal_cents) AS base_cents, sum(now_cents) AS now_cents
FROM u GROUP BY unit, b0, b1
"""
ROLL_COLUMNS = ("as_of", "previous_month_end", "unit", "from_bucket", "base_balance", "rolled_balance", "roll_rate_pct")


def roll_rates(as_of: dt.date, engine: Engine | None = None, *, dump: bool = True) -> list[dict]:
    """Per unit and bucket M0..M3 of the previous month-end: base, rolled and the roll rate to D.

    Units as the figures (a unit with no loans on the previous month-end has no rows); a bucket
    without principal on the previous month-end has an empty rate.
    """
    previous = previous_month_end(as_of)
    if not has_loans_file(previous):
        raise NoLoansFile(f"no loans file imported for {previous.isoformat()} (the previous month-end)")
    if dump:
        from .dimensions import dump_dimensions

        dump_dimensions()
    own = engine is None
    engine = engine or get_engine("duckdb")
    try:
        _register(engine, as_of)
        folder = warehouse.partition_dir("loans", previous)
        engine.register_parquet("loans_p", sorted(str(p) for p in folder.glob("*.parquet")))
        found = {(r["unit"], r["b0"]): r for r in engine.query(ROLLS_SQL).to_pylist()}
    finally:
        if own:
            engine.close()
    rows = []
    for unit in sorted({unit for unit, _ in found}):
        for index, (name, _low, _high) in enumerate(BUCKETS[:-1]):
            r = found.get((unit, index)) or {}
            base, rolled = int(r.get("base_cents") or 0), int(r.get("rolled_cents") or 0)
            rows.append(
                {
                    "as_of": as_of,
                    "previous_month_end": previous,
                    "unit": unit,
                    "from_bucket": name,
                    "base_balance": cents_to_yuan(base),
                    "rolled_balance": cents_to_yuan(rolled),
                    "roll_rate_pct": percent(rolled, base),
                }
            )
    return rows


def previous_month_end(as_of: dt.date) -> dt.date:
    return as_of.replace(day=1) - dt.timedelta(days=1)


def roll_matrix(as_of: dt.date, unit: str, engine: Engine | None = None, *, dump: bool = True) -> dict | None:
    """The unit's roll-rate matrix from the previous month-end to D, or None without that month-end's file.

    ``rows``: one per from-bucket M0..M4+ with its base (principal on the previous month-end), the
    principal on D per to-bucket and the repaid share, each as a percent of the base (2 decimals,
    empty for an empty base), and ``roll_rate_pct`` (the cells right of the diagonal: roll_rates').
    """
    previous = previous_month_end(as_of)
    if not has_loans_file(previous):
        return None
    if dump:
        from .dimensions import dump_dimensions

        dump_dimensions()
    own = engine is None
    engine = engine or get_engine("duckdb")
    try:
        _register(engine, as_of)
        folder = warehouse.partition_dir("loans", previous)
        engine.register_parquet("loans_p", sorted(str(p) for p in folder.glob("*.parquet")))
        cells = [r for r in engine.query(ROLL_MATRIX_SQL).to_pylist() if r["unit"] == unit]
    finally:
        if own:
            engine.close()
    names = [name for name, _low, _high in BUCKETS]
    rows = []
    for b0, name in enumerate(names):
        mine = [c for c in cells if c["b0"] == b0]
        base = sum(int(c["base_cents"]) for c in mine)
        now = {c["b1"]: int(c["now_cents"]) for c in mine}
        repaid = base - sum(int(c["base_cents"]) for c in mine if c["b1"] is not None)
        rolled = sum(v for b1, v in now.items() if b1 is not None and b1 > b0)
        rows.append(
            {
                "from_bucket": name,
                "base_balance": cents_to_yuan(base),
                "cells": [percent(now.get(b1, 0), base) for b1 in range(len(names))],
                "repaid_pct": percent(repaid, base),
                "roll_rate_pct": percent(rolled, base) if b0 < len(names) - 1 else None,
            }
        )
    return {"as_of": as_of, "previous_month_end": previous, "buckets": names, "rows": rows}


def export_loan_rolls(as_of: dt.date, out: Path) -> int:
    from bankcrm.core.spreadsheets import CsvWriter, open_csv

    rows = roll_rates(as_of)
    with open_csv(out) as fh:
        w = CsvWriter(fh)
        w.writeheader(ROLL_COLUMNS)
        for r in rows:
            w.writerow([r[c] for c in ROLL_COLUMNS])
    return len(rows)


def customer_loans(account_nos: list[str]) -> tuple[dt.date | None, list[dict]]:
    """(latest loans date, that day's loans of these accounts) for the customer 360, ordered by account.

    A small point query over one partition (not the metrics engine): the 360 is read one customer at
    a time. Each loan carries its bucket and class floor (loans.choices), so the page shows the
    classification check's verdict beside the class.
    """
    import duckdb

    from bankcrm.loans.choices import CLASS_RANK, FiveClass, bucket_of, minimum_class

    dates = warehouse.partition_dates("loans")
    if not dates or not account_nos:
        return (dates[-1] if dates else None), []
    day = dates[-1]
    files = sorted(str(p) for p in warehouse.partition_dir("loans", day).glob("*.parquet"))
    if not files:
        return day, []
    con = duckdb.connect()
    try:
        marks = ", ".join("?" for _ in account_nos)
        found = con.execute(
            f"""SELECT account_no, principal_cents, overdue_principal_cents + overdue_interest_cents AS due_cents,
                overdue_days, five_class FROM read_parquet(?) WHERE account_no IN ({marks}) ORDER BY account_no""",
            [files, *account_nos],
        ).fetchall()
    finally:
        con.close()
    rows = []
    for account_no, principal, due, days, klass in found:
        floor = minimum_class(days)
        rows.append(
            {
                "account_no": account_no,
                "principal": cents_to_yuan(principal),
                "overdue_amount": cents_to_yuan(due),
                "overdue_days": days,
                "bucket": bucket_of(days),
                "five_class": klass,
                "five_class_display": FiveClass(klass).label,
                "minimum_class_display": FiveClass(floor).label,
                "too_lenient": CLASS_RANK[klass] < CLASS_RANK[floor],
            }
        )
    return day, rows


def has_loans_file(as_of: dt.date) -> bool:
    folder = warehouse.partition_dir("loans", as_of)
    return folder.is_dir() and any(folder.glob("*.parquet"))


def overdue_customers(as_of: dt.date, engine: Engine) -> list[dict]:
    """The collection list's candidates of D ([] when no loans file was imported for D).

    Needs the dimension tables dumped (the metrics run does that first).
    """
    if not has_loans_file(as_of):
        return []
    _register(engine, as_of)
    return engine.query(OVERDUE_SQL).to_pylist()


def _register(engine: Engine, as_of: dt.date) -> None:
    _register_days(engine, [as_of])


def _register_days(engine: Engine, days: list[dt.date]) -> None:
    """``loans_d``: the loans partitions of these days, with their ``as_of_date`` (from the folder name)."""
    files = []
    for day in days:
        folder = warehouse.partition_dir("loans", day)
        found = sorted(str(p) for p in folder.glob("*.parquet")) if folder.is_dir() else []
        if not found:
            raise NoLoansFile(f"no loans file imported for {day.isoformat()} (import loans_{day:%Y%m%d}.csv first)")
        files += found
    engine.register_parquet("loans_d", files, base=str(warehouse.fact_dir("loans")), hive={"as_of_date": "DATE"})
    for table in ("accounts", "customers"):
        engine.register_parquet(f"dim_{table}", [str(warehouse.dimension_path(table))])


def _units() -> list[str]:
    """Every unit of spec/indicators.md: the bank, every branch, every rm with customers."""
    from bankcrm.customers.models import Customer
    from bankcrm.org.models import Branch

    branches = Branch.objects.order_by().values_list("code", flat=True)
    rms = Customer.objects.order_by().exclude(rm_id=None).values_list("rm_id", flat=True).distinct()
    return ["bank", *(f"branch:{b}" for b in branches), *(f"rm:{r}" for r in rms)]


def loan_figures(as_of: dt.date, engine: Engine | None = None, *, dump: bool = True) -> list[dict]:
    """The per-unit rows of ``bankcrm export loans`` (money as Decimal yuan), ordered by unit.

    A unit without loans has zeros and an empty NPL ratio (spec: "empty when the unit has no loans").
    """
    by_day = _figures_by_day([as_of], engine, dump=dump)
    return [
        figure_row(as_of, unit, by_day.get((as_of, unit), {}))
        for unit in sorted(set(_units()) | {u for _d, u in by_day})
    ]


def loan_trend(days: list[dt.date], unit: str, engine: Engine | None = None, *, dump: bool = True) -> list[dict]:
    """The unit's figure rows on each of ``days`` that has a loans file (one query over all of them).

    The loan book's 12 month ends: a day without a loans file is left out (unknown, not zero).
    """
    known = [d for d in days if has_loans_file(d)]
    if not known:
        return []
    by_day = _figures_by_day(known, engine, dump=dump, sql=unit_figures_sql(unit))
    return [figure_row(d, unit, by_day.get((d, unit), {})) for d in known]


def _figures_by_day(
    days: list[dt.date], engine: Engine | None, *, dump: bool, sql: str = FIGURES_SQL
) -> dict[tuple[dt.date, str], dict]:
    if dump:
        from .dimensions import dump_dimensions

        dump_dimensions()  # the customer's current branch / rm
    own = engine is None
    engine = engine or get_engine("duckdb")
    try:
        _register_days(engine, days)
        return {(r["as_of_date"], r["unit"]): r for r in engine.query(sql).to_pylist()}
    finally:
        if own:
            engine.close()


def figure_row(as_of: dt.date, unit: str, s: dict) -> dict:
    loan_cents = int(s.get("loan_cents") or 0)
    npl_cents = int(s.get("npl_cents") or 0)
    row = {
        "as_of": as_of,
        "unit": unit,
        "loans": int(s.get("loans") or 0),
        "loan_balance": cents_to_yuan(loan_cents),
        "overdue_balance": cents_to_yuan(int(s.get("overdue_cents") or 0)),
        "npl_balance": cents_to_yuan(npl_cents),
        "npl_ratio_pct": percent(npl_cents, loan_cents) if s.get("loans") else None,
    }
    for n in range(1, len(BUCKETS)):
        row[f"m{n}_count"] = int(s.get(f"m{n}_count") or 0)
        row[f"m{n}_balance"] = cents_to_yuan(int(s.get(f"m{n}_cents") or 0))
    return row


def loan_findings(as_of: dt.date, engine: Engine | None = None, *, dump: bool = True) -> list[dict]:
    """``class_too_lenient`` findings of D: loans classed better than their overdue days allow."""
    if dump:
        from .dimensions import dump_dimensions

        dump_dimensions()
    own = engine is None
    engine = engine or get_engine("duckdb")
    try:
        _register(engine, as_of)
        found = engine.query(FINDINGS_SQL).to_pylist()
    finally:
        if own:
            engine.close()
    return [{**r, "as_of_date": as_of} for r in found]


def export_loans(as_of: dt.date, out: Path) -> int:
    from bankcrm.core.spreadsheets import CsvWriter, open_csv

    rows = loan_figures(as_of)
    with open_csv(out) as fh:
        w = CsvWriter(fh)
        w.writeheader(FIGURE_COLUMNS)
        for r in rows:
            w.writerow([r[c] for c in FIGURE_COLUMNS])
    return len(rows)


def export_loan_findings(as_of: dt.date, out: Path) -> int:
    from bankcrm.core.spreadsheets import CsvWriter, open_csv

    rows = loan_findings(as_of)
    with open_csv(out) as fh:
        w = CsvWriter(fh)
        w.writeheader(FINDING_COLUMNS)
        for r in rows:
            w.writerow([r[c] for c in FINDING_COLUMNS])
    return len(rows)
