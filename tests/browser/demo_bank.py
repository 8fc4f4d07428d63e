"""A small, realistic bank for the browser test and the user-guide screenshots (seeded, so repeatable)."""

import datetime as dt
import random
from decimal import Decimal

from faker import Faker

TIER_BOUNDS = [("private", Decimal("6000000")), ("wealth", Decimal("500000")), ("vip", Decimal("50000"))]
NEXT_BOUND = {"mass": Decimal("50000"), "vip": Decimal("500000"), "wealth": Decimal("6000000")}
RANK = {"mass": 0, "vip": 1, "wealth": 2, "private": 3}
PASSWORD = "demo-pass-2026"


def tier_of(aum: Decimal) -> str:
    for tier, bound in TIER_BOUNDS:
        if aum >= bound:
            return tier
    return "mass"


def month_end(month: str) -> dt.date:
    year, mon = int(month[:4]), int(month[5:7])
    return dt.date(year + mon // 12, mon % 12 + 1, 1) - dt.timedelta(days=1)


def build_demo_bank(n_customers: int = 160, seed: int = 2026) -> dict:
    from bankcrm.campaigns.models import ListItem
    from bankcrm.customers.models import Customer, CustomerMonth
    from bankcrm.ingest.models import ImportedFile, ImportRun, QualityFinding, RejectedRow
    from bankcrm.org.models import Branch, Staff
    from bankcrm.org.services import add_user

    rng = random.Random(seed)
    fake = Faker("zh_CN")
    fake.seed_instance(seed)
    head = Branch.objects.create(code="H001", name="总行营业部", city="杭州")
    branches = [
        head,
        Branch.objects.create(code="B001", name="西湖支行", parent=head, city="杭州"),
        Branch.objects.create(code="B002", name="滨江支行", parent=head, city="杭州"),
    ]
    branches.append(Branch.objects.create(code="B001A", name="西湖支行文三路网点", parent=branches[1], city="杭州"))
    staff = []
    for i, branch in enumerate(branches[1:] * 2, start=1):
        staff.append(Staff.objects.create(staff_no=f"S{i:03d}", name=fake.name(), branch=branch, role="rm"))
    customers = []
    for i in range(1, n_customers + 1):
        rm = rng.choice(staff)
        customers.append(
            Customer.objects.create(
                customer_no=f"C{i:06d}",
                name=fake.name(),
                id_type="ID_CARD",
                id_number=fake.ssn(),
                gender=rng.choice("MF"),
                phone=fake.phone_number(),
                branch=rm.branch,
                rm=rm if rng.random() > 0.05 else None,
                onboard_date=dt.date(2018, 1, 1) + dt.timedelta(days=rng.randrange(2500)),
            )
        )
    months = ["2025-12", "2026-01", "2026-02"]
    rows, previous = [], {}
    for c in customers:
        aum = Decimal(int(rng.lognormvariate(10.8, 1.4))).quantize(Decimal("0.01"))
        for month in months:
            aum = (aum * Decimal(str(rng.uniform(0.8, 1.25)))).quantize(Decimal("0.01"))
            tier, prev = tier_of(aum), previous.get(c.customer_no, "")
            migration = (
                "new"
                if not prev
                else ("up" if RANK[tier] > RANK[prev] else "down" if RANK[tier] < RANK[prev] else "same")
            )
            held = rng.randint(1, 6)
            dormant = rng.random() < 0.12
            rows.append(
                CustomerMonth(
                    month=month,
                    as_of=month_end(month),
                    customer=c,
                    branch_code=c.branch_id,
                    rm_staff_no=c.rm_id or "",
                    days=month_end(month).day,
                    aum_avg=aum,
                    aum_end=aum,
                    deposit_avg=aum,
                    loan_end=Decimal("0"),
                    tier=tier,
                    prev_tier=prev,
                    migration=migration,
                    categories_held=held,
                    cross_sell_qualified=tier != "mass" and held >= {"vip": 3, "wealth": 4, "private": 5}[tier],
                    dormant=dormant,
                    dormant_potential=dormant and aum >= 50000,
                    edge=tier != "private" and aum >= NEXT_BOUND.get(tier, Decimal(0)) * Decimal("0.8"),
                    downgraded=migration == "down",
                    maturing=rng.random() < 0.08,
                    kyc_expiring=rng.random() < 0.06,
                )
            )
            previous[c.customer_no] = tier
    CustomerMonth.objects.bulk_create(rows)
    latest = [r for r in rows if r.month == months[-1]]
    as_of = month_end(months[-1])
    items = []
    for kind, flag in [
        ("edge", "edge"),
        ("downgraded", "downgraded"),
        ("dormant_potential", "dormant_potential"),
        ("maturing", "maturing"),
    ]:
        chosen = sorted((r for r in latest if getattr(r, flag)), key=lambda r: -r.aum_avg)
        for rank, r in enumerate(chosen, start=1):
            items.append(
                ListItem(
                    kind=kind,
                    as_of=as_of,
                    rank=rank,
                    customer=r.customer,
                    branch_code=r.branch_code,
                    assignee=r.rm_staff_no or f"branch:{r.branch_code}",
                    aum_avg=r.aum_avg,
                    tier=r.tier,
                    detail=f"AUM {r.aum_avg:,.2f}",
                    status=rng.choice(["pending", "pending", "pending", "contacted", "converted", "declined"]),
                )
            )
    ListItem.objects.bulk_create(items)
    for c in rng.sample(customers, k=n_customers // 8):
        QualityFinding.objects.create(
            customer=c,
            finding=rng.choice(["bad_id_checksum", "bad_mobile", "id_birthdate_mismatch", "no_rm"]),
            detail="",
            branch_code=c.branch_id,
            rm_staff_no=c.rm_id or "",
        )
    run = ImportRun.objects.create(directory="/data/core/20260228", status="finished", user_name="ops", report={})
    for table, read, rejected in [
        ("branches", 4, 0),
        ("staff", 6, 0),
        ("customers", n_customers + 3, 3),
        ("balances", 900, 2),
    ]:
        f = ImportedFile.objects.create(
            run=run,
            file_name=f"{table}_20260228.csv",
            table=table,
            business_date=as_of,
            sha256=f"{table:0<64}"[:64],
            status="imported",
            rows_read=read,
            rows_loaded=read - rejected,
            rows_rejected=rejected,
        )
        for line in range(rejected):
            RejectedRow.objects.create(
                imported_file=f,
                line=10 + line,
                column="birth_date",
                reason="bad_date",
                detail="1990-02-30",
                raw="C9999,…,1990-02-30",
            )
    logins = {
        "rm": add_user("wangfang", role="rm", password=PASSWORD, staff_no="S001"),
        "rm_other": add_user("liqiang", role="rm", password=PASSWORD, staff_no="S002"),
        "manager": add_user("zhanghang", role="branch_manager", password=PASSWORD, branch_code="B001"),
        "head_office": add_user("zonghang", role="head_office", password=PASSWORD),
    }
    return {"customers": customers, "staff": staff, "logins": logins}
