"""``bankcrm worker``: send the queued webhook deliveries (core/webhooks.py, ADR 0606).

Runs until stopped, looking for due deliveries every ``--interval`` seconds (a systemd service);
``--once`` sends what is due now and exits (cron, tests).
"""

import time

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from bankcrm.core import webhooks


class Command(BaseCommand):
    help = _("发送排队的 webhook 事件（--once 发送一次后退出）")

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help=_("发送当前到期的事件后退出"))
        parser.add_argument("--interval", type=float, default=5.0, help=_("两次检查之间的秒数（默认 5）"))

    def handle(self, *args, once: bool = False, interval: float = 5.0, **options):
        while True:
            result = webhooks.deliver_due()
            if result.attempted:
                self.stdout.write(
                    _("webhooks: %(delivered)d delivered, %(retrying)d to retry, %(failed)d given up")
                    % {"delivered": result.delivered, "retrying": result.retrying, "failed": result.failed}
                )
            if once:
                return
            # A full batch means more may be due: go on at once instead of sleeping.
            if result.attempted < webhooks.BATCH:
                time.sleep(interval)
