"""Small, hand-checkable data for the page tests (snapshots, lists, findings, imports)."""

import datetime as dt
from decimal import Decimal

from bankcrm.campaigns.models import ListItem
from bankcrm.customers.models import Customer, CustomerMonth

FLAGS = ("cross_sell_qualified", "dormant", "dormant_potential", "edge", "downgraded", "maturing", "kyc_expiring")


def snapshot(customer, month, tier, *, prev_tier="", migration="same", aum="0", **flags):
    year, mon = int(month[:4]), int(month[5:7])
    as_of = (dt.date(year + mon // 12, mon % 12 + 1, 1)) - dt.timedelta(days=1)
    return CustomerMonth.objects.create(
        month=month,
        as_of=as_of,
        customer=customer,
        branch_code=customer.branch_id,
        rm_staff_no=customer.rm_id or "",
        days=as_of.day,
        aum_avg=Decimal(aum),
        aum_end=Decimal(aum),
        deposit_avg=Decimal(aum),
        loan_end=Decimal("0"),
        tier=tier,
        prev_tier=prev_tier,
        migration=migration,
        categories_held=flags.pop("categories_held", 1),
        **{flag: flags.get(flag, False) for flag in FLAGS},
    )


def add_snapshots(bank):
    """December 2025 and February 2026 for C001 (B001/S001), C002 (B002/S002), C003 (B001A/S003), C004 (B001/S001)."""
    c = bank["customers"]
    c["C004"] = Customer.objects.create(
        customer_no="C004",
        name="赵六",
        id_type="ID_CARD",
        id_number="110101198001011234",
        phone="13700001111",
        branch=bank["branches"]["B001"],
        rm=bank["staff"]["S001"],
        onboard_date=dt.date(2020, 1, 1),
    )
    snapshot(c["C001"], "2025-12", "mass", aum="30000.00")
    snapshot(c["C002"], "2025-12", "vip", aum="80000.00")
    snapshot(c["C004"], "2025-12", "wealth", aum="900000.00")
    # February 2026 (January skipped on purpose: the dashboard works from what is stored)
    snapshot(c["C001"], "2026-02", "vip", prev_tier="mass", migration="up", aum="60000.50", cross_sell_qualified=True)
    snapshot(c["C002"], "2026-02", "vip", prev_tier="vip", migration="same", aum="70000.00", dormant=True)
    snapshot(c["C003"], "2026-02", "wealth", migration="new", aum="700000.00")
    snapshot(
        c["C004"],
        "2026-02",
        "vip",
        prev_tier="wealth",
        migration="down",
        aum="400000.00",
        dormant=True,
        dormant_potential=True,
    )


def list_item(customer, kind, rank, *, assignee=None, status="pending", as_of=dt.date(2026, 2, 28), tier="vip"):
    return ListItem.objects.create(
        kind=kind,
        as_of=as_of,
        rank=rank,
        customer=customer,
        branch_code=customer.branch_id,
        assignee=assignee if assignee is not None else customer.rm_id,
        aum_avg=Decimal("45000.00"),
        tier=tier,
        detail=f"{kind} #{rank}",
        status=status,
    )
