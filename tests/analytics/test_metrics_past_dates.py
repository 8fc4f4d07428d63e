"""A past month end comes out the same whatever night it is computed (spec/metrics.md "open on D", issue 8.13).

The synthetic bank closes accounts month after month (status ``closed`` with a close_date). The same
three-month delivery is imported twice into an empty database and warehouse:

* nightly: month by month (each month's files, then the month end computed right after);
* later:   all three months at once, then each month end computed.

Every exported snapshot row and every list row of August and September must be identical: an account
closed in October was still held in September, so today's status must not reach back.
"""

from __future__ import annotations

import datetime as dt
import io
import shutil
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import transaction
from django.test import override_settings

from bankcrm.analytics.choices import ListKind
from bankcrm.synthetic import generate_delivery

pytestmark = [pytest.mark.django_db, pytest.mark.slow]

MONTH_ENDS = (dt.date(2026, 8, 31), dt.date(2026, 9, 30), dt.date(2026, 10, 31))
SEED = 3  # a seed whose delivery closes accounts in September and October (asserted below)


def _file_day(name: str) -> dt.date:
    return dt.datetime.strptime(name.split("_")[-1].split(".")[0], "%Y%m%d").date()


def _split_by_month(delivery: Path, into: Path) -> list[Path]:
    """One folder per month end holding that month's files (a dimension file of the 1st opens August)."""
    folders = []
    start = dt.date(2000, 1, 1)
    for end in MONTH_ENDS:
        folder = into / f"{end:%Y%m}"
        folder.mkdir(parents=True)
        for f in sorted(delivery.iterdir()):
            if start < _file_day(f.name) <= end:
                shutil.copy2(f, folder / f.name)
        folders.append(folder)
        start = end
    return folders


def _export(out_dir: Path, as_of: dt.date) -> dict[str, str]:
    """Every CSV the CLI exports for one month end: the snapshot and each list."""
    texts = {}
    out = out_dir / f"cm-{as_of}.csv"
    call_command("export", "customer-month", "--month", f"{as_of:%Y-%m}", "--out", str(out), stdout=io.StringIO())
    texts["customer-month"] = out.read_text(encoding="utf-8")
    for kind in ListKind.values:
        out = out_dir / f"list-{as_of}-{kind}.csv"
        call_command(
            "export", "list", "--kind", kind, "--as-of", as_of.isoformat(), "--out", str(out), stdout=io.StringIO()
        )
        texts[kind] = out.read_text(encoding="utf-8")
    return texts


def _import(folder: Path, report: Path) -> None:
    call_command("import_delivery", str(folder), "--report", str(report), stdout=io.StringIO(), stderr=io.StringIO())


def _run(tmp: Path, folders: list[Path], *, nightly: bool, django_db_blocker) -> dict:
    captured = {}
    tmp.mkdir()
    with django_db_blocker.unblock(), override_settings(WAREHOUSE_DIR=tmp / "warehouse"), transaction.atomic():
        if not nightly:
            for i, folder in enumerate(folders):
                _import(folder, tmp / f"report-{i}.json")
        for i, as_of in enumerate(MONTH_ENDS):
            if nightly:
                _import(folders[i], tmp / f"report-{i}.json")
            call_command("metrics", "--as-of", as_of.isoformat(), "--engine", "duckdb", stdout=io.StringIO())
            captured[as_of] = _export(tmp, as_of)
        transaction.set_rollback(True)
    return captured


def test_month_ends_are_the_same_nightly_and_after_later_deliveries(tmp_path, django_db_blocker):
    generate_delivery(tmp_path / "gen", customers=150, months=3, end=MONTH_ENDS[-1], seed=SEED)
    folders = _split_by_month(tmp_path / "gen", tmp_path / "split")
    # the trap is there: accounts closed after August's and September's month ends
    closing = [
        line.split(",")
        for f in sorted((tmp_path / "gen").glob("accounts_*.csv"))
        for line in f.read_text(encoding="utf-8").splitlines()[1:]
    ]
    closed_later = {r[0] for r in closing if r[6] == "closed" and r[5] and r[5] > MONTH_ENDS[0].isoformat()}
    assert len(closed_later) >= 3, closed_later

    nightly = _run(tmp_path / "nightly", folders, nightly=True, django_db_blocker=django_db_blocker)
    later = _run(tmp_path / "later", folders, nightly=False, django_db_blocker=django_db_blocker)

    problems = []
    for as_of in MONTH_ENDS:
        for name, text in nightly[as_of].items():
            night_rows, later_rows = text.splitlines(), later[as_of][name].splitlines()
            assert len(night_rows) > 1 or name != "customer-month"
            for row in sorted(set(night_rows) ^ set(later_rows)):
                side = "nightly only" if row in night_rows else "later only"
                problems.append(f"{as_of} {name} {side}: {row}")
    assert not problems, f"{len(problems)} differing rows:\n" + "\n".join(problems[:40])
