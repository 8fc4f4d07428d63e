"""``bankcrm import DIR [--report FILE.json]`` (spec/cli.md).

Exit status: 0 when every file was imported or recognised as already imported (rejected rows are
not a failure), 3 when at least one file was refused (so a scheduler notices), 4 when another
import of this home/database is running (nothing done), 1 on an error that stopped the run
(docs/adr/0201-nightly-import.md).
"""

import json
import logging
import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from bankcrm.core.jobs import recorded_run
from bankcrm.core.models import JobRun
from bankcrm.core.runlock import RunLocked, exclusive_run
from bankcrm.ingest.services import DeliveryNotFound, Progress, fail_interrupted_runs, import_delivery

log = logging.getLogger("bankcrm.ingest")

EXIT_REFUSED = 3
EXIT_LOCKED = 4


class Command(BaseCommand):
    help = "Import a delivery folder of core-banking batch files (spec/batch-files.md)."

    def add_arguments(self, parser):
        parser.add_argument("folder", type=Path, help="the delivery folder")
        parser.add_argument("--report", type=Path, help="write the JSON import report to this file")

    def handle(self, *args, **options):
        # call_command(..., report="x.json") passes text; the command line passes a Path.
        report_path: Path | None = Path(options["report"]) if options["report"] else None
        if report_path is not None and not report_path.parent.exists():
            raise CommandError(f"folder for --report does not exist: {report_path.parent}")
        # A terminal gets one bar over the delivery's files (the current file and its rows as the
        # bar's postfix) and the summary at the end; a log file (stdout not a terminal) gets one
        # line per file. A demo's 1,149 files were 1,149 lines on the screen (issue 14).
        interactive = self.stdout.isatty() if hasattr(self.stdout, "isatty") else sys.stdout.isatty()
        bar = None
        rows = 0

        def begin(total_files):
            nonlocal bar
            if interactive:
                bar = tqdm(total=total_files, desc="import", unit="file", dynamic_ncols=True)

        def start_file(name, total):
            nonlocal rows
            rows = 0
            if bar is not None:
                bar.set_postfix_str(name, refresh=True)

        def advance(n):
            nonlocal rows
            rows += n
            if bar is not None:
                bar.set_postfix_str(f"{rows:,} rows", refresh=False)

        def summary(line):
            log.info("%s", line)
            if bar is not None:
                bar.update(1)
            else:
                self.stdout.write(line)

        try:
            with exclusive_run("import"):
                interrupted = fail_interrupted_runs()
                if interrupted:
                    self.stderr.write(f"warning: {interrupted} earlier import run(s) had not finished; marked failed")
                with recorded_run("import") as run:  # the last run's time, status and rows for /metrics
                    report = import_delivery(
                        Path(options["folder"]), progress=Progress(summary, start_file, advance, begin)
                    )
                    run.rows = sum(f["rows_loaded"] for f in report["files"])
                    if any(f["status"] == "refused" for f in report["files"]):
                        run.status, run.detail = JobRun.Status.FAILED, "files refused"
        except RunLocked as exc:
            raise CommandError(exc.message(), returncode=EXIT_LOCKED) from exc
        except DeliveryNotFound as exc:
            raise CommandError(str(exc)) from exc
        finally:
            if bar is not None:
                bar.close()
        for warning in report.get("warnings", []):
            self.stderr.write(f"warning: {warning}")
        if report_path is not None:
            report_path.write_text(json.dumps(report, ensure_ascii=False, indent=1), encoding="utf-8")
        files = report["files"]
        refused = [f for f in files if f["status"] == "refused"]
        self.stdout.write(
            f"{len(files)} file(s): {sum(f['status'] == 'imported' for f in files)} imported, "
            f"{sum(f['status'] == 'skipped_duplicate' for f in files)} already imported, {len(refused)} refused; "
            f"{sum(f['rows_rejected'] for f in files)} rows rejected; {report['quality_findings']} quality findings"
        )
        if refused:
            # CommandError: the command line prints it and exits 3; call_command callers (demo) can catch it
            raise CommandError(
                f"{len(refused)} file(s) refused: {', '.join(f['file'] for f in refused)}", returncode=EXIT_REFUSED
            )
