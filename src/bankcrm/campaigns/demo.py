"""A demo campaign for ``bankcrm demo``: drafted, approved by a second marketing login, started."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError

from . import services
from .models import Campaign


def seed_demo_campaign(as_of: dt.date) -> Campaign | None:
    """On the newest snapshot: vip and wealth customers not holding a fund, offered the bank's funds."""
    from bankcrm.customers.models import Product

    if Campaign.objects.exists():
        return None  # seeded already
    users = get_user_model().objects
    author, approver = users.filter(username="marketing1").first(), users.filter(username="marketing2").first()
    products = list(
        Product.objects.filter(category="fund").order_by("risk_level", "code").values_list("code", flat=True)
    )
    if author is None or approver is None or not products:
        return None
    data = {
        "code": "DEMO-FUND",
        "name": "基金定投推广（贵宾及财富客户）",
        "products": products[:3],
        "start_date": as_of.isoformat(),
        "end_date": (as_of + dt.timedelta(days=30)).isoformat(),
        "channel": "phone",
        "control_pct": 10,
        "audience": {"as_of": as_of.isoformat(), "tiers": ["vip", "wealth"], "not_holding": ["fund"]},
    }
    try:
        campaign = services.create_campaign(data, user=author)
    except ValidationError:  # an empty audience on a tiny demo bank: no campaign rather than no demo
        return None
    services.approve(campaign, approver)
    services.start(campaign, author)
    return campaign
