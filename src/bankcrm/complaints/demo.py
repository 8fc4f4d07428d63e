"""A few dozen complaints for ``bankcrm demo`` so the desk, its clocks and its reports have something to show."""

import datetime as dt
import logging
import random
import zoneinfo
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.utils import timezone

from . import services
from .choices import Category, Channel, RootCause
from .models import Complaint

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")

log = logging.getLogger(__name__)


def seed_demo_complaints(end: dt.date, *, count: int = 40, seed: int = 2026) -> int:
    """Register ``count`` complaints received in the 75 days up to ``end`` and walk them through the desk."""
    from bankcrm.customers.models import Customer

    if Complaint.objects.exists():
        return 0  # seeded already; the demo never doubles the desk's history
    customers = list(Customer.objects.select_related("branch").order_by("pk")[:2000])
    if not customers:
        return 0
    rng = random.Random(seed)
    handler = get_user_model().objects.filter(username="complaints").first()
    now = timezone.now()
    made = 0
    for _ in range(count):
        customer = rng.choice(customers)
        day = end - dt.timedelta(days=rng.randint(0, 75))
        received = dt.datetime.combine(day, dt.time(rng.randint(9, 17), rng.randint(0, 59)), tzinfo=SHANGHAI)
        received = min(received, now - dt.timedelta(hours=2))
        c = services.register_complaint(
            user=handler,
            branch=customer.branch,
            customer=customer,
            channel=rng.choice(Channel.values),
            category=rng.choice(Category.values),
            description="演示投诉 / demo complaint",
            received_at=received,
            amount_in_dispute=Decimal(rng.choice([0, 50, 200, 1200, 5000])),
            now=received,
        )
        made += 1
        t = received + dt.timedelta(hours=1)
        if rng.random() < 0.15 or t > now:
            continue
        c = services.acknowledge(c, handler, now=t)
        fast = rng.random() < 0.3
        if not fast and rng.random() < 0.2:
            c = services.escalate(c, handler, reason="客户要求上级处理", now=t + dt.timedelta(hours=2))
        if not fast and rng.random() < 0.1:
            c = services.extend(c, handler, reason="情况复杂，需调取记录", now=t + dt.timedelta(days=3))
        t = t + (dt.timedelta(hours=rng.randint(2, 40)) if fast else dt.timedelta(days=rng.randint(3, 20)))
        if t > now:
            continue
        c = services.respond(c, handler, remedy="已向客户解释并处理", now=t)
        t += dt.timedelta(days=1)
        if t > now:
            continue
        satisfaction = rng.choices(["satisfied", "neutral", "dissatisfied", ""], weights=[70, 10, 8, 12])[0]
        compensation = Decimal(rng.choice([0, 0, 0, 20, 100, 300]))
        services.close(
            c, handler, root_cause=rng.choice(RootCause.values), satisfaction=satisfaction,
            compensation=compensation, now=t,
        )  # fmt: skip
    swept = services.sweep(now)
    log.info("demo complaints: %s registered; sweep: %s", made, swept.summary())
    return made
