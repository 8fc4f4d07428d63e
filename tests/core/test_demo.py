"""`bankcrm demo` end to end: a newcomer's bank is generated, imported, computed and usable."""

import datetime as dt

import pytest
from django.core.management import call_command

from bankcrm.campaigns.models import ListItem
from bankcrm.customers.models import Customer, CustomerMonth


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_demo_builds_a_bank_staff_can_work_in(client, settings, tmp_path):
    settings.BANKCRM_HOME = tmp_path
    settings.WAREHOUSE_DIR = tmp_path / "warehouse"
    call_command("demo", customers=150, months=2, end=dt.date(2026, 10, 31), no_serve=True)

    months = set(CustomerMonth.objects.values_list("month", flat=True))
    assert months == {"2026-09", "2026-10"}
    assert ListItem.objects.filter(as_of=dt.date(2026, 10, 31)).exists()

    # The printed rm login works and lands on a dashboard showing their own portfolio only.
    assert client.login(username="rm1", password="demo-pass-2026")
    response = client.get("/", follow=True)
    assert response.status_code == 200
    own = Customer.objects.filter(rm__logins__user__username="rm1").values_list("pk", flat=True)
    assert own
    assert client.get(f"/customers/{own[0]}/").status_code == 200
    foreign = Customer.objects.exclude(rm__logins__user__username="rm1").values_list("pk", flat=True)[0]
    assert client.get(f"/customers/{foreign}/").status_code == 404

    # Every report page shows something real on first run: targets, a scorecard, the rm's own targets.
    from bankcrm.reports.models import BonusBase, Coefficient, Target, Weight

    assert Target.objects.filter(period="2026").exists() and Target.objects.filter(period="2026-10").exists()
    assert Weight.objects.filter(indicator="deposit_balance").count() == 0
    assert Coefficient.objects.exists() and BonusBase.objects.exists()
    assert (tmp_path / "demo-targets.xlsx").exists()
    mine = client.get("/reports/mine/?as_of=2026-10-31").content.decode()
    assert "data-remaining" in mine and "data-scorecard" in mine
    assert client.login(username="headoffice", password="demo-pass-2026")
    assert "data-scorecard" in client.get("/reports/scorecards/?period=2026-10&as_of=2026-10-31").content.decode()
    # The loan book shows the demo's loans files: balances, the 12-month chart and the roll-rate heat map.
    book = client.get("/reports/loans/").content.decode()
    assert 'data-unit="bank"' in book and 'id="buckets-chart"' in book and 'id="roll-chart"' in book
    assert 'data-kpi="loan_balance">0.00<' not in book

    # A demo campaign was drafted, approved by the second marketing login and started.
    from bankcrm.campaigns.models import Campaign

    campaign = Campaign.objects.get(code="DEMO-FUND")
    assert campaign.status == "running" and campaign.approver.username == "marketing2"
    assert ListItem.objects.filter(kind="campaign:DEMO-FUND").exists()
    assert client.login(username="lobby", password="demo-pass-2026")
    assert client.get("/campaigns/lobby/").status_code == 200


@pytest.mark.django_db
def test_demo_logins_are_recreated_over_an_earlier_demo(small_bank, monkeypatch):
    """`demo --fresh` over an earlier demo: `user add` refuses existing logins (issue 8.7), the demo updates them."""
    from django.contrib.auth import get_user_model

    from bankcrm.management.commands.demo import Command
    from bankcrm.org.services import add_user

    monkeypatch.delenv("BANKCRM_PASSWORD", raising=False)
    add_user("admin", role="head_office", password="some-old-password-1")
    command = Command()
    command._logins = lambda: [("admin", "admin", {}), ("rm1", "rm", {"staff_no": "S001"})]
    command._create_logins()
    admin = get_user_model().objects.get(username="admin")
    assert admin.profile.role == "admin" and admin.check_password("demo-pass-2026")
    assert get_user_model().objects.get(username="rm1").profile.staff_id == "S001"
