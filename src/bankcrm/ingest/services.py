"""The nightly import (spec/batch-files.md): the only place an import changes state.

One delivery folder -> for each data file in dependency order: recognise an already-imported file,
verify its control file, validate, then commit it as one unit (dimension rows and the file's
ImportedFile/RejectedRow records in one transaction; a fact partition swapped in atomically before
its records are committed). A killed run therefore leaves each file either fully imported and
recorded, or not recorded at all — running the import again finishes the job.
"""

import getpass
import logging
import os
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from django.db import connection, transaction
from django.utils import timezone

from bankcrm.campaigns.models import Sale
from bankcrm.core import warehouse, webhooks

from . import dimensions, facts
from .models import ImportedFile, ImportRun, RejectedRow
from .quality import refresh_findings
from .reader import DeliveryFile, FileRefused, control_file_for, discover, iter_records, read_control_file
from .tables import FACT_TABLES

log = logging.getLogger(__name__)


class DeliveryNotFound(Exception):
    pass


@dataclass
class Progress:
    """Hooks for the command line: a per-file summary line and an optional row counter (tqdm)."""

    summary: Callable[[str], None] = lambda line: None
    start_file: Callable[[str, int | None], None] = lambda name, total: None
    advance: Callable[[int], None] = lambda n: None
    begin: Callable[[int], None] = lambda total_files: None  # how many files the delivery has


def _user_name() -> str:
    try:
        return getpass.getuser()
    except Exception:  # no login name in some containers
        return os.environ.get("USER", "")


INTERRUPTED = "interrupted: the run stopped before it finished (killed or crashed); marked failed by the next run"


def fail_interrupted_runs() -> int:
    """Mark ImportRuns left ``running`` by a killed process as ``failed``; return how many.

    Only correct while the caller holds the import lock (core/runlock.py): then no other import is
    alive, so every ``running`` row belongs to a process that died (issue 8, item 10).
    """
    count = 0
    for run in ImportRun.objects.filter(status=ImportRun.Status.RUNNING):
        run.status = ImportRun.Status.FAILED
        run.finished = timezone.now()
        run.report = {**(run.report or {}), "error": INTERRUPTED}
        run.save(update_fields=["status", "finished", "report"])
        count += 1
    return count


def import_delivery(folder: Path, *, progress: Progress | None = None, duckdb_threads: int | None = None) -> dict:
    """Import every file of ``folder``; return the report of spec/cli.md (also stored on the ImportRun)."""
    folder = Path(folder)
    if not folder.is_dir():
        raise DeliveryNotFound(f"delivery folder not found: {folder}")
    progress = progress or Progress()
    for table in FACT_TABLES:
        warehouse.clean_leftovers(table)  # staging folders of a killed run
    run = ImportRun.objects.create(directory=str(folder.resolve()), user_name=_user_name()[:150])
    files, warnings = discover(folder)
    progress.begin(len(files))
    report = {"files": [], "quality_findings": 0, "warnings": list(warnings)}
    context = _RunContext(run, duckdb_threads)
    try:
        for delivery_file in files:
            entry = context.import_file(delivery_file, progress)
            report["files"].append(entry)
            progress.summary(_summary(entry))
        started = time.perf_counter()
        report["quality_findings"] = refresh_findings()
        log.debug("quality findings refreshed in %.2fs", time.perf_counter() - started)
    except BaseException:
        run.status = ImportRun.Status.FAILED
        run.finished = timezone.now()
        run.report = _stored_report(report)
        run.save(update_fields=["status", "finished", "report"])
        _announce_finished(run, report)
        raise
    run.status = ImportRun.Status.FINISHED
    run.finished = timezone.now()
    run.report = _stored_report(report)
    run.save(update_fields=["status", "finished", "report"])
    _announce_finished(run, report)
    return report


def _announce_finished(run: ImportRun, report: dict) -> None:
    """Queue the ``import.finished`` webhook (core/webhooks.py): the run, how it ended, counts per file."""
    keys = ("file", "status", "rows_read", "rows_loaded", "rows_rejected")
    files = [{key: entry.get(key) for key in keys} for entry in report["files"]]
    data = {
        "import_run_id": run.pk,
        "status": run.status,
        "started": run.started.isoformat(),
        "finished": run.finished.isoformat(),
        "files": files,
        "quality_findings": report.get("quality_findings", 0),
    }
    webhooks.publish(webhooks.WebhookEventType.IMPORT_FINISHED, data, at=run.finished)


STORED_REJECTS = 1000


def _stored_report(report: dict) -> dict:
    """The report kept on the ImportRun: every reject is in the quarantine table already, so a file
    with millions of rejects keeps its first 1,000 here (``rejects_stored`` says how many)."""
    files = []
    for entry in report["files"]:
        if len(entry["rejects"]) > STORED_REJECTS:
            entry = {**entry, "rejects": entry["rejects"][:STORED_REJECTS], "rejects_stored": STORED_REJECTS}
        files.append(entry)
    return {**report, "files": files}


def _insert_rejects(imported_file_id: int, rejects: list[dict]) -> None:
    """Quarantine rows with executemany: a file whose every row is rejected (its accounts file was
    refused) can hold millions, and a model instance per row would take minutes."""
    if not rejects:
        return
    meta = RejectedRow._meta
    quote = connection.ops.quote_name
    columns = ["imported_file_id", "line", "column", "reason", "detail", "raw"]
    sql = (
        f"INSERT INTO {quote(meta.db_table)} ({', '.join(quote(meta.get_field(c).column) for c in columns)}) "
        f"VALUES ({', '.join(['%s'] * len(columns))})"
    )
    with connection.cursor() as cursor:
        for start in range(0, len(rejects), 5000):
            cursor.executemany(
                sql,
                [
                    (imported_file_id, r["line"], r["column"] or "", r["reason"], r.get("detail", "")[:300], r["raw"])
                    for r in rejects[start : start + 5000]
                ],
            )


def _summary(entry: dict) -> str:
    text = (
        f"{entry['file']}: {entry['status']} — read {entry['rows_read']}, "
        f"loaded {entry['rows_loaded']}, rejected {entry['rows_rejected']}"
    )
    if entry.get("reason"):
        text += f" — {entry['reason']}"
    return text


class _RunContext:
    def __init__(self, run: ImportRun, duckdb_threads: int | None):
        self.run = run
        self.keys = dimensions.KeyStore()
        self.accounts = facts.AccountKeys()
        self.duckdb_threads = duckdb_threads

    def _entry(self, f: DeliveryFile, status: str, **extra) -> dict:
        entry = {
            "file": f.name,
            "table": f.table,
            "status": status,
            "rows_read": 0,
            "rows_loaded": 0,
            "rows_rejected": 0,
            "rejects": [],
        }
        entry.update(extra)
        return entry

    def _record(
        self,
        f: DeliveryFile,
        sha: str,
        status: str,
        entry: dict,
        rejects: list[dict],
        warnings: list[str],
        header: list[str] | None = None,
    ):
        imported = ImportedFile.objects.create(
            run=self.run,
            file_name=f.name,
            table=f.table,
            business_date=f.business_date,
            sha256=sha,
            status=status,
            reason=entry.get("reason", "")[:500],
            rows_read=entry["rows_read"],
            rows_loaded=entry["rows_loaded"],
            rows_rejected=entry["rows_rejected"],
            warnings=warnings,
            header=header or [],
            finished=timezone.now(),
        )
        _insert_rejects(imported.pk, rejects)

    def import_file(self, f: DeliveryFile, progress: Progress) -> dict:
        is_fact = f.table in FACT_TABLES
        started = time.perf_counter()
        speculative = None
        try:
            if is_fact and f.ext == "csv":
                scanned, speculative = self._scan_while_checking(f)
            else:
                scanned = facts.scan(f.path, want_plain=False)
        except OSError as exc:
            return self._refuse(f, "", f"{f.name}: unreadable ({exc.strerror or exc})")
        log.debug("%s: scanned (a fact CSV also read and checked) in %.2fs", f.name, time.perf_counter() - started)
        if ImportedFile.objects.filter(
            sha256=scanned.sha256, table=f.table, business_date=f.business_date, status=ImportedFile.Status.IMPORTED
        ).exists():
            if isinstance(speculative, facts.FactOutcome) and speculative.con is not None:
                speculative.con.close()  # the work done while hashing is not needed
            entry = self._entry(f, ImportedFile.Status.SKIPPED_DUPLICATE)
            self._record(f, scanned.sha256, entry["status"], entry, [], [])
            return entry
        try:
            expected_rows = None
            control = control_file_for(f.path)
            if control is not None:
                expected_rows, expected_sha = read_control_file(control)
                if expected_sha != scanned.sha256:
                    raise FileRefused(
                        f"{f.name}: sha256 mismatch — control file {control.name} says {expected_sha}, "
                        f"the file is {scanned.sha256}"
                    )
            header_columns: list[str] = []  # fact tables hold no personal column
            if is_fact:
                if speculative is None or isinstance(speculative, Exception):
                    # a failed speculative pass is done again on a fresh connection, with its fallbacks
                    outcome = facts.check(f, scanned, self.accounts, threads=self.duckdb_threads)
                else:
                    outcome = speculative
                warnings = outcome.warnings
            else:
                header, records = iter_records(f)
                warnings = header.warnings
                # a Parquet row's raw line is rendered in the contract's column order (reader.render_raw)
                header_columns = list(header.columns) if f.ext == "csv" else list(f.spec.column_names)
                progress.start_file(f.name, expected_rows)
                outcome = dimensions.validate(f.spec, records, self.keys, progress=progress.advance)
                dimensions.keep_stored(f.spec, header.missing_optional, outcome)
                if f.table != "sales":  # sales is a dated fact: its file replaces its date
                    stale = dimensions.drop_stale(f.table, outcome, f.business_date)
                    outcome.rejects = sorted([*outcome.rejects, *stale], key=lambda r: r["line"])
                log.debug("%s: validated at %.2fs", f.name, time.perf_counter() - started)
            if expected_rows is not None and outcome.rows_read != expected_rows:
                raise FileRefused(
                    f"{f.name}: row count mismatch — control file {control.name} says rows={expected_rows}, "
                    f"the file has {outcome.rows_read} data rows"
                )
        except FileRefused as exc:
            return self._refuse(f, scanned.sha256, str(exc))
        except UnicodeDecodeError as exc:  # pragma: no cover - the reader reports encoding per row
            return self._refuse(f, scanned.sha256, f"{f.name}: not UTF-8 ({exc})")

        entry = self._entry(
            f,
            ImportedFile.Status.IMPORTED,
            rows_read=outcome.rows_read,
            rows_loaded=outcome.rows_loaded,
            rows_rejected=len(outcome.rejects),
            rejects=[
                {
                    "line": r["line"],
                    "column": r["column"],
                    "reason": r["reason"],
                    "raw": r["raw"],
                    "detail": r["detail"],
                }
                for r in outcome.rejects
            ],
        )
        for r in [*entry["rejects"], *outcome.rejects]:
            # A NUL byte cannot be stored in PostgreSQL text or jsonb: the quarantine keeps it visible
            # as the four characters \x00, as the reader keeps a non-UTF-8 byte as \xff.
            r["raw"] = r["raw"].replace("\x00", "\\x00")
        stale = sum(r["reason"] == "stale_row" for r in outcome.rejects)
        if stale:
            entry["rows_stale"] = stale  # counted among rows_rejected: not applied, kept in quarantine
        if warnings:
            entry["warnings"] = warnings
        assert entry["rows_read"] == entry["rows_loaded"] + entry["rows_rejected"]
        if is_fact:
            # Swap the partition in first: if the run dies before the records commit, the next run
            # imports the file again and replaces the partition with the same data.
            started = time.perf_counter()
            warehouse.replace_partition(f.table, f.business_date, outcome.writer)
            log.debug("%s: partition written in %.2fs", f.name, time.perf_counter() - started)
            with transaction.atomic():
                self._record(f, scanned.sha256, entry["status"], entry, outcome.rejects, warnings, header_columns)
            return entry
        if f.table == "accounts":
            self.accounts.prepare_for_accounts_load()
        with transaction.atomic():
            if f.table == "sales":
                # sales is a fact table kept in the database: the file for a date replaces that date.
                Sale.objects.filter(sale_date=f.business_date).delete()
            dimensions.upsert(f.table, outcome.accepted, source_date=f.business_date)
            self._record(f, scanned.sha256, entry["status"], entry, outcome.rejects, warnings, header_columns)
        log.debug("%s: committed at %.2fs", f.name, time.perf_counter() - started)
        new_keys = dimensions.loaded_keys(f.spec, outcome.accepted)
        if f.table in dimensions.KEY_SOURCES:
            self.keys.add(f.table, new_keys)
        if f.table == "accounts":
            self.accounts.accounts_loaded(new_keys)
        return entry

    def _scan_while_checking(self, f: DeliveryFile) -> tuple[facts.Scan, facts.FactOutcome | Exception | None]:
        """Hash a fact CSV in a thread while DuckDB reads and checks it (assuming a plain file).

        hashlib releases the GIL on large buffers and DuckDB runs outside it, so the SHA-256 pass no
        longer comes before the read. The result is what check_and_stage would give once the scan is
        known, or the exception it raised (then the check runs again through facts.check, with its
        fallbacks, after the already-imported and control-file checks, which come first as before);
        None when the scan finds the file is not plain: the check must then run again on the exact
        Python path.
        """
        with ThreadPoolExecutor(max_workers=1) as pool:
            scanning = pool.submit(facts.scan, f.path, True)
            try:
                outcome = facts.check_and_stage(
                    f, facts.Scan(sha256="", plain=True), self.accounts, threads=self.duckdb_threads
                )
            except Exception as exc:  # checked again (or discarded) by import_file, in order
                outcome = exc
            scanned = scanning.result()  # an OSError here refuses the file as before
        if not scanned.plain:
            if isinstance(outcome, facts.FactOutcome) and outcome.con is not None:
                outcome.con.close()
            outcome = None
        return scanned, outcome

    def _refuse(self, f: DeliveryFile, sha: str, reason: str) -> dict:
        entry = self._entry(f, ImportedFile.Status.REFUSED, reason=reason)
        self._record(f, sha, entry["status"], entry, [], [])
        return entry
