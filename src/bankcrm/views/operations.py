"""What the operator's monitoring reads (issue 15.11): /readyz/ and Prometheus /metrics.

Both compose several apps (complaints, ingest, core's job runs), so they live in the project
package. Neither needs a login: a load balancer and Prometheus do not sign in. Neither shows a
record: only whether the parts answer, and counts.
"""

import logging
import os

from django.db import connection
from django.http import HttpResponse, JsonResponse
from django.utils import timezone


def _database() -> str | None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return None


def _migrations() -> str | None:
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    pending = executor.migration_plan(executor.loader.graph.leaf_nodes())
    return f"{len(pending)} migrations not applied: run bankcrm migrate" if pending else None


def _warehouse() -> str | None:
    from bankcrm.core.warehouse import warehouse_dir

    folder = warehouse_dir()
    # Before the first import there is no warehouse yet: then the home it will be made in must do.
    target = folder if folder.exists() else folder.parent
    if not target.is_dir() or not os.access(target, os.R_OK | os.W_OK | os.X_OK):
        return f"{target} is not a readable and writable folder"
    os.listdir(target)  # a stale network mount raises here
    return None


CHECKS = {"database": _database, "migrations": _migrations, "warehouse": _warehouse}


def readyz(request):
    """200 when the database and the warehouse answer and every migration is applied, else 503."""
    checks, ready = {}, True
    for name, check in CHECKS.items():
        if name == "migrations" and checks.get("database") != "ok":
            checks[name] = "not checked: no database"
            ready = False
            continue
        try:
            problem = check()
        except Exception as exc:  # the probe reports, it does not fail
            # The probe is open to the load balancer: a driver's message (database host, user) and
            # paths go to logs/errors.log, the answer names only the kind of failure.
            logging.getLogger("bankcrm.errors").exception("readyz: %s check failed", name)
            problem = f"{type(exc).__name__} (see logs/errors.log)"
        checks[name] = problem or "ok"
        ready = ready and problem is None
    return JsonResponse({"status": "ready" if ready else "not ready", "checks": checks}, status=200 if ready else 503)


class _DomainCollector:
    """Counts read from the database at each scrape (the same in every worker)."""

    def collect(self):
        from django.db.models import Q
        from prometheus_client.core import GaugeMetricFamily

        from bankcrm.complaints.choices import OPEN_CLOCK_STATES, ClockState, Status
        from bankcrm.complaints.models import Complaint, Deadline
        from bankcrm.core.models import JobRun

        now = timezone.now()
        families = {
            "time": GaugeMetricFamily(
                "bankcrm_job_last_run_timestamp_seconds", "Start of the last run (unix time)", labels=["kind"]
            ),
            "ok": GaugeMetricFamily(
                "bankcrm_job_last_run_success", "1 if the last run succeeded, 0 if it failed or is running",
                labels=["kind", "status"],
            ),
            "rows": GaugeMetricFamily("bankcrm_job_last_run_rows", "Rows the last run produced", labels=["kind"]),
            "duration": GaugeMetricFamily(
                "bankcrm_job_last_run_duration_seconds", "Duration of the last run (so far, if running)",
                labels=["kind"],
            ),
        }  # fmt: skip
        for kind in ("import", "metrics"):
            run = JobRun.objects.filter(kind=kind).order_by("-started", "-pk").first()
            if run is None:
                continue
            families["time"].add_metric([kind], run.started.timestamp())
            families["ok"].add_metric([kind, run.status], 1 if run.status == JobRun.Status.SUCCEEDED else 0)
            families["rows"].add_metric([kind], run.rows)
            families["duration"].add_metric([kind], ((run.finished or now) - run.started).total_seconds())
        yield from families.values()
        open_complaints = GaugeMetricFamily(
            "bankcrm_complaints_open", "Complaints not closed, by policy", labels=["policy"]
        )
        counts = {}
        for policy in Complaint.objects.exclude(status=Status.CLOSED).values_list("policy", flat=True):
            counts[policy] = counts.get(policy, 0) + 1
        for policy, n in sorted(counts.items()):
            open_complaints.add_metric([policy], n)
        yield open_complaints
        # A breach as the desk sees it: recorded by the sweep, or a binding clock past due that the
        # sweep has not reached yet (complaints/models.py Deadline.live_state).
        breached = Deadline.objects.filter(
            complaint__status__in=[s for s in Status.values if s != Status.CLOSED]
        ).filter(Q(state=ClockState.BREACHED) | Q(state__in=OPEN_CLOCK_STATES, binding=True, due_at__lt=now))
        yield GaugeMetricFamily(
            "bankcrm_complaint_clocks_breached", "Clocks of open complaints past their due time", value=breached.count()
        )


def prometheus_metrics(request):
    from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, CollectorRegistry, generate_latest

    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        latencies = CollectorRegistry()
        multiprocess.MultiProcessCollector(latencies)  # every gunicorn worker's observations, added up
    else:
        import bankcrm.core.prometheus  # noqa: F401  (registers the histogram in this process)

        latencies = REGISTRY
    domain = CollectorRegistry()
    domain.register(_DomainCollector())
    return HttpResponse(generate_latest(latencies) + generate_latest(domain), content_type=CONTENT_TYPE_LATEST)
