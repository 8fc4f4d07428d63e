"""Tier summary (分层客户汇总): per bank / branch / relationship manager and tier, from stored snapshots."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal

from django.core.management.base import CommandError

from .definitions import TIERS, month_of

SUMMARY_COLUMNS = (
    "level",
    "branch_code",
    "rm_staff_no",
    "tier",
    "customers",
    "aum_avg_sum",
    "aum_end_sum",
    "net_increase_ytd",
    "upgrades",
    "downgrades",
    "new",
    "cross_sell_qualified",
    "cross_sell_rate_pct",
    "dormant",
    "dormant_potential",
)
_LEVEL_ORDER = {"bank": 0, "branch": 1, "rm": 2}


def _keys(level: str, branch: str, rm: str) -> tuple:
    if level == "bank":
        return ("bank", "", "")
    if level == "branch":
        return ("branch", branch, "")
    return ("rm", branch, rm)


def tier_summary_rows(as_of: dt.date, *, compute_december: bool = True) -> list[dict]:
    """The table behind ``bankcrm export tier-summary`` (and the dashboard), ordered level/branch/rm/tier.

    Needs the snapshot of D's month stored as of D. 当年新增 compares with the previous December's
    snapshot (computed first when missing and the warehouse holds its balances); without one,
    net_increase_ytd is empty (None) rather than a made-up number.
    """
    from bankcrm.customers.models import CustomerMonth

    month = month_of(as_of)
    stored = CustomerMonth.objects.filter(month=month).values_list("as_of", flat=True).first()
    if stored is None:
        raise CommandError(f"no snapshot for {month}: run `bankcrm metrics --as-of {as_of.isoformat()}` first")
    if stored != as_of:
        raise CommandError(
            f"the snapshot of {month} is as of {stored.isoformat()}, not {as_of.isoformat()}: "
            f"run `bankcrm metrics --as-of {as_of.isoformat()}` first"
        )
    december = f"{as_of.year - 1}-12"
    if compute_december:
        from .snapshots import ensure_month_end_snapshot

        ensure_month_end_snapshot(december)
    has_december = CustomerMonth.objects.filter(month=december).exists()

    zero = Decimal("0.00")
    acc: dict[tuple, dict] = defaultdict(
        lambda: {
            "customers": 0,
            "aum_avg_sum": zero,
            "aum_end_sum": zero,
            "december": 0,
            "upgrades": 0,
            "downgrades": 0,
            "new": 0,
            "cross_sell_qualified": 0,
            "dormant": 0,
            "dormant_potential": 0,
        }
    )
    fields = ("branch_code", "rm_staff_no", "tier", "aum_avg", "aum_end", "migration")
    flags = ("cross_sell_qualified", "dormant", "dormant_potential")
    for branch, rm, tier, aum_avg, aum_end, migration, *fl in (
        CustomerMonth.objects.filter(month=month).values_list(*fields, *flags).iterator(chunk_size=5000)
    ):
        for level in ("bank", "branch", "rm"):
            a = acc[(*_keys(level, branch, rm), tier)]
            a["customers"] += 1
            a["aum_avg_sum"] += aum_avg
            a["aum_end_sum"] += aum_end
            a["upgrades"] += migration == "up"
            a["downgrades"] += migration == "down"
            a["new"] += migration == "new"
            for name, value in zip(flags, fl, strict=True):
                a[name] += bool(value)
    if has_december:
        for branch, rm, tier in (
            CustomerMonth.objects.filter(month=december)
            .values_list("branch_code", "rm_staff_no", "tier")
            .iterator(chunk_size=5000)
        ):
            for level in ("bank", "branch", "rm"):
                acc[(*_keys(level, branch, rm), tier)]["december"] += 1

    rows = []
    for (level, branch, rm, tier), a in acc.items():
        n = a["customers"]
        rate = (Decimal(a["cross_sell_qualified"] * 100) / n).quantize(Decimal("0.01"), ROUND_HALF_UP) if n else None
        rows.append(
            {
                "level": level,
                "branch_code": branch,
                "rm_staff_no": rm,
                "tier": tier,
                "customers": n,
                "aum_avg_sum": a["aum_avg_sum"],
                "aum_end_sum": a["aum_end_sum"],
                "net_increase_ytd": n - a["december"] if has_december else None,
                "upgrades": a["upgrades"],
                "downgrades": a["downgrades"],
                "new": a["new"],
                "cross_sell_qualified": a["cross_sell_qualified"],
                "cross_sell_rate_pct": rate,
                "dormant": a["dormant"],
                "dormant_potential": a["dormant_potential"],
            }
        )
    rows.sort(key=lambda r: (_LEVEL_ORDER[r["level"]], r["branch_code"], r["rm_staff_no"], TIERS.index(r["tier"])))
    return rows
