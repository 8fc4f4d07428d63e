"""``bankcrm serve``: gunicorn (not runserver) with static files from whitenoise."""

import os

from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Run the web app and API with a production-grade server (gunicorn)."

    def add_arguments(self, parser):
        parser.add_argument("--host", default=os.environ.get("BANKCRM_HOST", "127.0.0.1"))
        parser.add_argument("--port", type=int, default=int(os.environ.get("BANKCRM_PORT", "8000")))
        parser.add_argument(
            "--workers",
            type=int,
            default=int(os.environ.get("BANKCRM_WORKERS", "0")) or None,
            help="worker processes (default: 2 × cores + 1)",
        )
        parser.add_argument("--threads", type=int, default=int(os.environ.get("BANKCRM_THREADS", "4")))

    def handle(self, *args, **options):
        from gunicorn.app.base import BaseApplication

        from bankcrm.wsgi import application

        workers = options["workers"] or (2 * (os.cpu_count() or 1) + 1)
        bind = f"{options['host']}:{options['port']}"

        class Server(BaseApplication):
            def load_config(self):
                self.cfg.set("bind", bind)
                self.cfg.set("workers", workers)
                self.cfg.set("threads", options["threads"])
                self.cfg.set("worker_class", "gthread")
                self.cfg.set("accesslog", "-" if options["verbosity"] > 1 else None)
                self.cfg.set("timeout", 120)

            def load(self):
                return application

        self.stdout.write(f"bankcrm serving on http://{bind}/ ({workers} workers) — Ctrl-C stops it")
        Server().run()
