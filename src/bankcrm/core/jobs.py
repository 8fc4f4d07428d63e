"""A record of each nightly run (core.models.JobRun): what /metrics reports as the last run (issue 15.11)."""

import contextlib
from collections.abc import Iterator

from django.utils import timezone

from .models import JobRun


@contextlib.contextmanager
def recorded_run(kind: str) -> Iterator[JobRun]:
    """Record a run of ``kind``: running now; succeeded with its ``rows`` when the block ends, else failed.

    The caller sets ``run.rows`` (and ``run.detail``) inside the block, and may mark it failed
    (``run.status = JobRun.Status.FAILED``) when it ends without an exception but did not do its
    work (an import whose files were refused). The row is written at the
    start, outside any transaction of the run, so a run that is still going shows as running.
    """
    run = JobRun.objects.create(kind=kind, started=timezone.now())
    try:
        yield run
    except BaseException as exc:
        run.status, run.finished = JobRun.Status.FAILED, timezone.now()
        run.detail = f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}"[:300]
        run.save()
        raise
    if run.status != JobRun.Status.FAILED:
        run.status = JobRun.Status.SUCCEEDED
    run.finished = timezone.now()
    run.save()
