"""Fixtures for the import acceptance checks: a private warehouse and a runner returning the report."""

from __future__ import annotations

import io
import itertools
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from .deliveries import by_file, load_report


@dataclass
class ImportResult:
    report: dict
    stdout: str
    stderr: str
    error: str | None = None
    files: dict = field(default_factory=dict)

    def file(self, name: str) -> dict:
        assert name in self.files, f"{name} not in report: {sorted(self.files)}"
        return self.files[name]


@pytest.fixture
def warehouse(settings, tmp_path):
    settings.WAREHOUSE_DIR = tmp_path / "warehouse"
    return settings.WAREHOUSE_DIR


@pytest.fixture
def run_import(db, warehouse, tmp_path):
    counter = itertools.count(1)

    def run(folder: Path) -> ImportResult:
        report_path = tmp_path / f"report-{next(counter)}.json"
        out, err = io.StringIO(), io.StringIO()
        error = None
        try:
            # argv form; the keyword form report=str(...) has its own check (test_call_command_keyword_report)
            call_command("import_delivery", str(folder), "--report", str(report_path), stdout=out, stderr=err)
        except CommandError as exc:  # a refused file may or may not fail the run: spec is silent
            error = str(exc)
        assert report_path.exists(), f"no report written (error: {error})"
        report = load_report(report_path)
        assert set(report) >= {"files", "quality_findings"}, report.keys()
        assert isinstance(report["quality_findings"], int)
        for f in report["files"]:
            assert {"file", "table", "status", "rows_read", "rows_loaded", "rows_rejected", "rejects"} <= set(f), f
            assert f["status"] in ("imported", "skipped_duplicate", "refused"), f
            # spec: "For every file: rows read = rows loaded + rows rejected, always."
            assert f["rows_read"] == f["rows_loaded"] + f["rows_rejected"], f
            assert len(f["rejects"]) == f["rows_rejected"], f
            for r in f["rejects"]:
                assert {"line", "column", "reason", "raw"} <= set(r), r
            if f["status"] == "refused":
                assert f.get("reason"), f
                assert f["rows_loaded"] == 0, f
        return ImportResult(report, out.getvalue(), err.getvalue(), error, by_file(report))

    return run


def warehouse_balances(warehouse_dir: Path) -> dict[str, dict[str, int]]:
    """{as_of_date: {account_no: balance_cents}} read straight from the Parquet partitions."""
    glob = str(Path(warehouse_dir) / "balances" / "*" / "*.parquet")
    if not list(Path(warehouse_dir).glob("balances/*/*.parquet")):
        return {}
    rows = duckdb.sql(
        f"select cast(as_of_date as varchar), account_no, balance_cents "
        f"from read_parquet('{glob}', hive_partitioning = true)"
    ).fetchall()
    out: dict[str, dict[str, int]] = {}
    for day, account, cents in rows:
        out.setdefault(day, {})[account] = cents
    return out


def warehouse_balance_sums(warehouse_dir: Path) -> dict[str, int]:
    glob = str(Path(warehouse_dir) / "balances" / "*" / "*.parquet")
    rows = duckdb.sql(
        f"select cast(as_of_date as varchar), sum(balance_cents)::bigint "
        f"from read_parquet('{glob}', hive_partitioning = true) group by 1"
    ).fetchall()
    return dict(rows)


def warehouse_transactions(warehouse_dir: Path) -> dict[str, dict[str, tuple]]:
    """{business_date: {txn_id: (account_no, txn_time iso, amount_cents, direction, channel, initiated)}}"""
    if not list(Path(warehouse_dir).glob("transactions/*/*.parquet")):
        return {}
    glob = str(Path(warehouse_dir) / "transactions" / "*" / "*.parquet")
    rows = duckdb.sql(
        f"select cast(business_date as varchar), txn_id, account_no, strftime(txn_time, '%Y-%m-%d %H:%M:%S'), "
        f"amount_cents, direction, channel, customer_initiated "
        f"from read_parquet('{glob}', hive_partitioning = true)"
    ).fetchall()
    out: dict[str, dict[str, tuple]] = {}
    for day, txn, *rest in rows:
        out.setdefault(day, {})[txn] = tuple(rest)
    return out
