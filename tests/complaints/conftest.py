import datetime as dt
import zoneinfo

import pytest

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")


@pytest.fixture
def handler(small_bank, make_login):
    """A central complaint desk login (no branch: the whole bank)."""
    return make_login("desk", "complaint_handler")


@pytest.fixture
def register(small_bank, handler):
    """Register a complaint at a given local Shanghai time (default 2026-09-23 10:00)."""
    from bankcrm.complaints import services

    def make(*, when=None, policy="cn", payment_service=False, customer="C001", branch="B001", user=None, **extra):
        when = when or dt.datetime(2026, 9, 23, 10, 0, tzinfo=SHANGHAI)
        return services.register_complaint(
            user=user or handler,
            branch=small_bank["branches"][branch],
            customer=small_bank["customers"][customer] if customer else None,
            channel=extra.pop("channel", "counter"),
            category=extra.pop("category", "fees_pricing"),
            description=extra.pop("description", "charged twice for a transfer"),
            policy=policy,
            payment_service=payment_service,
            received_at=when,
            now=extra.pop("now", when),
            **extra,
        )

    return make
