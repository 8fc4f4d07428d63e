"""``bankcrm serve``: gunicorn (not runserver) with static files from whitenoise.

Sizing (docs/adr/0603-serve.md): the work per request is mostly Python on the CPU (Django,
DRF serialisation, a small DuckDB read), so the useful parallelism is processes, one or two per
core; a few threads per process cover the waits on the database and the warehouse files.
The app is preloaded once in the master so workers fork ready (faster start, shared pages);
database connections and DuckDB connections are opened lazily in each worker, never before fork.
"""

import contextlib
import os
import socket

from django.core.management.base import BaseCommand, CommandError


def default_workers() -> int:
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    return max(2, 2 * cores)


def prepare_prometheus_multiprocess() -> None:
    """/metrics adds up every worker's request latencies (core/prometheus.py): each worker writes its
    observations to files in one folder, emptied at each start (a previous server's files would
    count again). Must run before anything imports prometheus_client."""
    import shutil

    from django.conf import settings

    folder = settings.BANKCRM_HOME / "prometheus"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = str(folder)


class Command(BaseCommand):
    help = "Run the web app and API with a production-grade server (gunicorn)."

    def add_arguments(self, parser):
        parser.add_argument("--host", default=os.environ.get("BANKCRM_HOST", "127.0.0.1"))
        parser.add_argument("--port", type=int, default=int(os.environ.get("BANKCRM_PORT", "8000")))
        parser.add_argument(
            "--workers",
            type=int,
            default=int(os.environ.get("BANKCRM_WORKERS", "0")) or None,
            help="worker processes (default: 2 × cores, at least 2)",
        )
        parser.add_argument(
            "--threads",
            type=int,
            default=int(os.environ.get("BANKCRM_THREADS", "2")),
            help="threads per worker (default 2)",
        )
        parser.add_argument(
            "--access-log", action="store_true", help="log every request to stdout (default: only with -v 2)"
        )

    def handle(self, *args, **options):
        from gunicorn.app.base import BaseApplication

        workers = options["workers"] or default_workers()
        threads = options["threads"]
        if workers < 1 or threads < 1:
            raise CommandError("--workers and --threads must be at least 1")
        bind = f"{options['host']}:{options['port']}"
        access_log = "-" if options["access_log"] or options["verbosity"] > 1 else None

        prepare_prometheus_multiprocess()

        def child_exit(server, worker):
            from prometheus_client import multiprocess

            multiprocess.mark_process_dead(worker.pid)  # its live gauges leave /metrics with it

        def when_ready(server):
            # Replies go out as two writes (headers, body); with Nagle on, a keep-alive client's
            # delayed ACK holds the second for ~40 ms. Accepted sockets inherit TCP_NODELAY on Linux.
            for listener in server.LISTENERS:
                with contextlib.suppress(OSError, AttributeError):
                    listener.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

        class Server(BaseApplication):
            def load_config(self):
                settings = {
                    "bind": bind,
                    "workers": workers,
                    "threads": threads,
                    "worker_class": "gthread",
                    "preload_app": True,
                    "accesslog": access_log,
                    "errorlog": "-",
                    "loglevel": "warning" if options["verbosity"] < 2 else "info",
                    "timeout": 120,
                    "graceful_timeout": 30,
                    "keepalive": 5,
                    # Recycle workers now and then so a slow leak in any library never grows unbounded.
                    "max_requests": 20000,
                    "max_requests_jitter": 2000,
                    # Behind the bank's reverse proxy only trust X-Forwarded-* from the local host.
                    "forwarded_allow_ips": os.environ.get("BANKCRM_FORWARDED_ALLOW_IPS", "127.0.0.1"),
                    "proc_name": "bankcrm",
                    "when_ready": when_ready,
                    "child_exit": child_exit,
                }
                for key, value in settings.items():
                    self.cfg.set(key, value)

            def load(self):
                from bankcrm.wsgi import application

                return application

        self.stdout.write(
            f"bankcrm serving on http://{bind}/ ({workers} workers × {threads} threads) — Ctrl-C stops it"
        )
        self.stdout.flush()
        Server().run()
