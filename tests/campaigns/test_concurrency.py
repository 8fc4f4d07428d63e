"""Races on sales that must not double anything (PostgreSQL: SQLite serialises writers anyway)."""

import datetime as dt
import threading
import time

import pytest
from django.db import connection, connections
from django.utils import timezone
from rest_framework.test import APIClient

from bankcrm.campaigns.models import RecordedSale, SaleEvent

from .conftest import kyc

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _postgres_only(db):
    if connection.vendor == "sqlite":
        pytest.skip("row locks need PostgreSQL (run with BANKCRM_DATABASE_URL=postgres://…)")


def run_in_threads(target, count):
    barrier = threading.Barrier(count)
    results, errors = [], []

    def work(i):
        try:
            barrier.wait()
            results.append(target(i))
        except Exception as exc:
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=work, args=(i,)) for i in range(count)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results, errors


def test_two_managers_approving_one_pending_sale_one_wins(bank, make_login, monkeypatch):
    from bankcrm.campaigns import events, services

    seller = make_login("lobby1", "lobby", branch_code="B001")
    managers = [make_login(f"bm{i}", "branch_manager", branch_code="B001") for i in (1, 2)]
    c = bank["customers"]["C001"]
    c.birth_date = dt.date(1950, 1, 1)
    c.save()
    c.kyc_assessments.all().delete()
    kyc(c, "C5")
    sale = services.record_sale(
        user=seller,
        customer=c,
        product=bank_product("WM4"),
        amount=10_000,
        channel="pad",
        sale_date=timezone.localdate(),
    )
    assert sale.status == "pending_review"
    original = events.sale_approved

    def slow(*args, **kwargs):  # widen the window between reading the state and committing
        time.sleep(0.3)
        return original(*args, **kwargs)

    monkeypatch.setattr(events, "sale_approved", slow)
    url = f"/api/sales/{sale.sale_id}/transition/"

    def act(i):
        client = APIClient()
        client.force_authenticate(managers[i])
        return client.post(url, {"action": "approve"}, format="json").status_code

    results, errors = run_in_threads(act, 2)
    assert not errors
    assert sorted(results) == [200, 409]
    assert SaleEvent.objects.filter(sale=sale, action="approve").count() == 1
    assert RecordedSale.objects.get(pk=sale.pk).status == "booked"


def test_two_tellers_recording_for_one_customer_are_serialised(bank, make_login):
    from decimal import Decimal

    from bankcrm.campaigns import services

    tellers = [make_login(f"lobby{i}", "lobby", branch_code="B001") for i in (1, 2)]
    c = bank["customers"]["C001"]

    def record(i):
        return services.record_sale(
            user=tellers[i], customer=c, product=bank_product("WM2"), amount=Decimal("1000.00"), channel="pad",
            sale_date=timezone.localdate(),
        ).sale_id  # fmt: skip

    results, errors = run_in_threads(record, 2)
    assert not errors
    assert len(set(results)) == 2 == RecordedSale.objects.count()  # two sales, each stored once
    assert SaleEvent.objects.filter(action="record").count() == 2


def bank_product(code):
    from bankcrm.customers.models import Product

    return Product.objects.get(pk=code)
