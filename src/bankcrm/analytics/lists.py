"""Lists (名单) from a snapshot: selection, ordering, assignment, and storing without losing work.

Orderings (spec where it says, docs/metrics.md where it is silent); every tie ends on customer_no:
  edge               aum_avg desc
  downgraded         aum_avg desc
  dormant_potential  highest aum_avg of the 24 months desc, then aum_avg desc
  maturing           nearest maturity date asc, then aum_avg desc
  kyc_expiring       no KYC first, then earliest expiry asc, then aum_avg desc
  unassigned         aum_avg desc
"""

from __future__ import annotations

import datetime as dt
import itertools
from decimal import Decimal

from django.utils import timezone

from .bulk import insert_many, update_many
from .choices import ListItemStatus
from .definitions import TIERS, Thresholds


def _fmt(c: int) -> str:
    sign = "-" if c < 0 else ""
    c = abs(int(c))
    return f"{sign}{c // 100}.{c % 100:02d}"


def assignee_for(row: dict) -> str:
    if row["rm_active"] == "Y" and row["rm_staff_no"]:
        return row["rm_staff_no"]
    return f"branch:{row['branch_code']}"


def _by_aum(r: dict):
    return (-r["aum_avg"], r["customer_no"])


def build_lists(rows: list[dict], as_of: dt.date) -> list[dict]:
    th = Thresholds.from_settings()
    nxt = dict(itertools.pairwise(TIERS))
    far = dt.date.max

    def detail_edge(r):
        up = nxt[r["tier"]]
        return f"{r['tier']}→{up}: gap {_fmt(th.bounds[up] - r['aum_avg'])}"

    def detail_kyc(r):
        if r["has_kyc"] != "Y":
            return "no KYC assessment"
        word = "expired" if r["kyc_expires"] <= as_of else "expires"
        return f"KYC {word} {r['kyc_expires'].isoformat()}"

    def detail_unassigned(r):
        return f"rm {r['rm_staff_no']} not active" if r["rm_staff_no"] else "no relationship manager"

    spec = {
        "edge": (lambda r: r["edge"] == "Y", _by_aum, detail_edge),
        "downgraded": (
            lambda r: r["downgraded"] == "Y",
            _by_aum,
            lambda r: f"{r['prev_tier']}→{r['tier']}",
        ),
        "dormant_potential": (
            lambda r: r["dormant_potential"] == "Y",
            lambda r: (-r["max_aum_24"], -r["aum_avg"], r["customer_no"]),
            lambda r: f"24-month peak aum_avg {_fmt(r['max_aum_24'])}",
        ),
        "maturing": (
            lambda r: r["maturing"] == "Y",
            lambda r: (r["next_maturity"], -r["aum_avg"], r["customer_no"]),
            lambda r: f"matures {r['next_maturity'].isoformat()}",
        ),
        "kyc_expiring": (
            lambda r: r["kyc_expiring"] == "Y",
            lambda r: (r["has_kyc"] == "Y", r["kyc_expires"] or far, -r["aum_avg"], r["customer_no"]),
            detail_kyc,
        ),
        "unassigned": (
            lambda r: r["customer_status"] == "active" and r["rm_active"] != "Y",
            _by_aum,
            detail_unassigned,
        ),
    }
    items = []
    for kind, (keep, order, detail) in spec.items():
        chosen = sorted((r for r in rows if keep(r)), key=order)
        for rank, r in enumerate(chosen, start=1):
            items.append(
                {
                    "kind": kind,
                    "rank": rank,
                    "customer_no": r["customer_no"],
                    "branch_code": r["branch_code"],
                    "assignee": assignee_for(r),
                    "aum_avg": r["aum_avg"],
                    "tier": r["tier"],
                    "detail": detail(r)[:200],
                }
            )
    return items


def store_lists(items: list[dict], as_of: dt.date) -> None:
    """Replace as-of D's lists, keeping the work of items that are still on them (docs/metrics.md).

    A survivor (same list, same as-of, same customer) keeps its row (so contact logs stay linked),
    its status and status time; once someone works it (status not pending) it also keeps its
    assignee while that assignee is an active staff member or a branch queue. Rank, figures, detail
    and the other items' assignee are refreshed; items no longer selected are deleted. Call inside a
    transaction.
    """
    from .models import ListItem

    now = timezone.now()
    from bankcrm.org.models import Staff

    active_staff = set(Staff.objects.filter(status="active").values_list("staff_no", flat=True))
    existing = {
        (kind, customer): (pk, status, assignee)
        # campaign items (kind campaign:<code>) belong to their campaign, not to a metrics run
        for pk, kind, customer, status, assignee in ListItem.objects.filter(as_of=as_of)
        .exclude(kind__startswith="campaign:")
        .values_list("pk", "kind", "customer_id", "status", "assignee")
    }
    new, update, seen = [], [], set()
    for it in items:
        key = (it["kind"], it["customer_no"])
        seen.add(key)
        aum = Decimal(int(it["aum_avg"])).scaleb(-2)
        old = existing.get(key)
        if old is None:
            new.append(
                (
                    it["kind"],
                    as_of,
                    it["rank"],
                    it["customer_no"],
                    it["branch_code"],
                    it["assignee"],
                    aum,
                    it["tier"],
                    it["detail"],
                    ListItemStatus.PENDING,
                    now,
                    now,
                )
            )
            continue
        pk, status, assignee = old
        worked = status != ListItemStatus.PENDING
        if not (worked and (assignee.startswith("branch:") or assignee in active_staff)):
            update.append((it["rank"], it["branch_code"], aum, it["tier"], it["detail"], now, it["assignee"], pk))
        else:  # being worked by someone still active (or a branch queue): they keep it
            update.append((it["rank"], it["branch_code"], aum, it["tier"], it["detail"], now, pk))
    gone = [pk for key, (pk, _, _) in existing.items() if key not in seen]
    for start in range(0, len(gone), 900):
        ListItem.objects.filter(pk__in=gone[start : start + 900]).delete()
    common = ["rank", "branch_code", "aum_avg", "tier", "detail", "last_updated"]
    update_many(ListItem, [*common, "assignee"], (u for u in update if len(u) == 8))
    update_many(ListItem, common, (u for u in update if len(u) == 7))
    insert_many(
        ListItem,
        [
            "kind",
            "as_of",
            "rank",
            "customer",
            "branch_code",
            "assignee",
            "aum_avg",
            "tier",
            "detail",
            "status",
            "created",
            "last_updated",
        ],
        new,
    )
