"""Request latencies for Prometheus (issue 15.11): one histogram, observed by core/middleware.py.

``bankcrm serve`` runs several gunicorn workers; it sets ``PROMETHEUS_MULTIPROC_DIR`` before this
module is first imported, so every worker's observations land in files there and /metrics adds
them up (prometheus-client's multiprocess mode). Without it (tests, ``manage runserver``) the
histogram lives in the one process.

Labels are the URL *pattern* (``api/v1/customers/<str:customer_no>/``), never the path: a path
carries customer numbers, which would be personal data and an unbounded number of series.
"""

from prometheus_client import Histogram

REQUEST_LATENCY = Histogram(
    "bankcrm_http_request_duration_seconds",
    "Time from the request reaching Django to the response leaving it",
    ["method", "route", "status"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30),
)
