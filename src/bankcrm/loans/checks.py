"""The rules of loans.choices as SQL expressions (DuckDB dialect; Spark runs their sqlglot
transpilation), and the classification check over one day's loans partition.

Written here, once, so every layer above reads the same text: analytics builds the loan figures,
roll rates and findings from these CASEs, and the data-quality page (ingest) lists the loans classed
too leniently without reaching up into analytics.
"""

from __future__ import annotations

import datetime as dt

from bankcrm.core import warehouse

from .choices import BUCKETS, CLASS_FLOORS, CLASS_RANK, FiveClass


def bucket_sql(days: str = "overdue_days") -> str:
    """CASE giving spec/loans.md's bucket name (M0 .. M4+) of ``days``."""
    whens = []
    for name, low, high in BUCKETS:
        cond = f"{days} >= {low}" if high is None else f"{days} BETWEEN {low} AND {high}"
        whens.append(f"WHEN {cond} THEN '{name}'")
    return "CASE " + " ".join(whens) + " END"


def bucket_index_sql(days: str = "overdue_days") -> str:
    """CASE giving the bucket's position (0 = M0 .. 4 = M4+): "a worse bucket" is a larger index."""
    whens = []
    for index, (_name, low, high) in enumerate(BUCKETS):
        cond = f"{days} >= {low}" if high is None else f"{days} BETWEEN {low} AND {high}"
        whens.append(f"WHEN {cond} THEN {index}")
    return "CASE " + " ".join(whens) + " END"


def minimum_class_sql(days: str = "overdue_days") -> str:
    whens = " ".join(f"WHEN {days} > {threshold} THEN '{floor}'" for threshold, floor in CLASS_FLOORS)
    return f"CASE {whens} ELSE '{FiveClass.NORMAL}' END"


def rank_sql(column: str) -> str:
    whens = " ".join(f"WHEN '{code}' THEN {rank}" for code, rank in CLASS_RANK.items())
    return f"CASE {column} {whens} END"


def too_lenient_sql(days: str = "overdue_days", five_class: str = "five_class") -> str:
    """The predicate of a ``class_too_lenient`` finding: the class is better than the days' floor."""
    return f"{rank_sql(five_class)} < {rank_sql(minimum_class_sql(days))}"


def too_lenient_loans(day: dt.date) -> list[dict]:
    """``account_no, overdue_days, five_class, minimum_class`` of the loans of ``day`` classed better
    than their floor, ordered by account ([] when no loans file was imported for that day).

    A scan of one partition with the predicate above; the caller maps accounts to customers (and
    scope) through the ORM — findings are few.
    """
    import duckdb

    folder = warehouse.partition_dir("loans", day)
    files = sorted(str(p) for p in folder.glob("*.parquet")) if folder.is_dir() else []
    if not files:
        return []
    con = duckdb.connect()
    try:
        rel = con.execute(
            f"""SELECT account_no, overdue_days, five_class, {minimum_class_sql()} AS minimum_class
            FROM read_parquet(?) WHERE {too_lenient_sql()} ORDER BY account_no""",
            [files],
        )
        columns = [d[0] for d in rel.description]
        return [dict(zip(columns, row, strict=True)) for row in rel.fetchall()]
    finally:
        con.close()
