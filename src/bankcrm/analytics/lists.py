"""Lists (名单) from a snapshot: selection, ordering, assignment, and storing without losing work.

Orderings (spec where it says, docs/metrics.md where it is silent); every tie ends on customer_no:
  edge               aum_avg desc
  downgraded         aum_avg desc
  dormant_potential  highest aum_avg of the 24 months desc, then aum_avg desc
  maturing           nearest maturity date asc, then aum_avg desc
  kyc_expiring       no KYC first, then earliest expiry asc, then aum_avg desc
  unassigned         aum_avg desc
  overdue            total overdue principal + interest desc (spec/loans.md)
"""

from __future__ import annotations

import datetime as dt
import itertools

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


def overdue_items(overdue: list[dict], snapshot: dict[str, dict]) -> list[dict]:
    """The collection list (催收名单) from analytics.loans.overdue_customers and the snapshot rows of
    those customers (assignee by the list rules, aum_avg and tier as on every list)."""
    # Every customer has a snapshot row; one without (its accounts moved away since the dump) cannot
    # be assigned by the list rules and is left out rather than listed with a made-up assignee.
    chosen = sorted(
        (o for o in overdue if o["customer_no"] in snapshot), key=lambda o: (-o["total_cents"], o["customer_no"])
    )
    items = []
    for rank, o in enumerate(chosen, start=1):
        r = snapshot[o["customer_no"]]
        detail = (
            f"worst loan {o['worst_account']}: {o['worst_days']} days overdue ({o['worst_bucket']}); "
            f"overdue principal + interest {_fmt(o['total_cents'])}"
        )
        facts = {
            "account": o["worst_account"],
            "days": int(o["worst_days"]),
            "bucket": o["worst_bucket"],
            "overdue_cents": int(o["total_cents"]),
        }
        items.append(
            {
                "kind": "overdue",
                "rank": rank,
                "customer_no": r["customer_no"],
                "branch_code": r["branch_code"],
                "assignee": assignee_for(r),
                "aum_avg": r["aum_avg"],
                "tier": r["tier"],
                "detail": detail[:200],
                "facts": facts,
            }
        )
    return items


def build_lists(rows: list[dict], as_of: dt.date) -> list[dict]:
    th = Thresholds.from_settings()
    nxt = dict(itertools.pairwise(TIERS))
    far = dt.date.max

    def detail_edge(r):
        up = nxt[r["tier"]]
        return f"{r['tier']}→{up}: gap {_fmt(th.bounds[up] - r['aum_avg'])}"

    def facts_edge(r):
        up = nxt[r["tier"]]
        return {"from_tier": r["tier"], "to_tier": up, "gap_cents": int(th.bounds[up] - r["aum_avg"])}

    def detail_kyc(r):
        if r["has_kyc"] != "Y":
            return "no KYC assessment"
        word = "expired" if r["kyc_expires"] <= as_of else "expires"
        return f"KYC {word} {r['kyc_expires'].isoformat()}"

    def facts_kyc(r):
        if r["has_kyc"] != "Y":
            return {"kyc": "none"}
        return {"kyc": "expired" if r["kyc_expires"] <= as_of else "expires", "date": r["kyc_expires"].isoformat()}

    def detail_unassigned(r):
        return f"rm {r['rm_staff_no']} not active" if r["rm_staff_no"] else "no relationship manager"

    # kind: (selected, order, plain-text detail, facts for the pages)
    spec = {
        "edge": (lambda r: r["edge"] == "Y", _by_aum, detail_edge, facts_edge),
        "downgraded": (
            lambda r: r["downgraded"] == "Y",
            _by_aum,
            lambda r: f"{r['prev_tier']}→{r['tier']}",
            lambda r: {"from_tier": r["prev_tier"], "to_tier": r["tier"]},
        ),
        "dormant_potential": (
            lambda r: r["dormant_potential"] == "Y",
            lambda r: (-r["max_aum_24"], -r["aum_avg"], r["customer_no"]),
            lambda r: f"24-month peak aum_avg {_fmt(r['max_aum_24'])}",
            lambda r: {"peak_cents": int(r["max_aum_24"])},
        ),
        "maturing": (
            lambda r: r["maturing"] == "Y",
            lambda r: (r["next_maturity"], -r["aum_avg"], r["customer_no"]),
            lambda r: f"matures {r['next_maturity'].isoformat()}",
            lambda r: {"date": r["next_maturity"].isoformat()},
        ),
        "kyc_expiring": (
            lambda r: r["kyc_expiring"] == "Y",
            lambda r: (r["has_kyc"] == "Y", r["kyc_expires"] or far, -r["aum_avg"], r["customer_no"]),
            detail_kyc,
            facts_kyc,
        ),
        "unassigned": (
            lambda r: r["customer_status"] == "active" and r["rm_active"] != "Y",
            _by_aum,
            detail_unassigned,
            lambda r: {"rm": r["rm_staff_no"] or ""},
        ),
    }
    items = []
    for kind, (keep, order, detail, facts) in spec.items():
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
                    "facts": facts(r),
                }
            )
    return items
