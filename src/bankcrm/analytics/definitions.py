"""THE definition of every figure of spec/metrics.md, written once as SQL (DuckDB dialect).

DuckDB runs this text; Spark runs the sqlglot transpilation of the very same text (engines.py).
All money is integer cents (BIGINT); all dates the query needs are computed here in Python and
inlined as DATE literals, so no engine-specific date arithmetic is involved.

Views the query reads (registered by snapshots.py):
  bal_m    balances of month M, 1st .. D  (account_no, balance_cents, as_of_date)
  txn      transactions partitions that can hold txn_time dates in D-364 .. D
  dim_customers, dim_accounts, dim_kyc, dim_staff   (warehouse/dim/*.parquet)
  hist     stored snapshots of the 23 months before M (month, customer_no, tier, aum_avg_cents)
"""

from __future__ import annotations

import datetime as dt
import itertools
from dataclasses import dataclass
from decimal import ROUND_CEILING, Decimal

from django.conf import settings

from bankcrm.core.money import to_cents
from bankcrm.customers.choices import AUM_CATEGORIES, DEPOSIT_CATEGORIES

TIERS = ("mass", "vip", "wealth", "private")
BALANCE_CATEGORIES = (*AUM_CATEGORIES, "loan")
OPEN_ONLY_CATEGORIES = ("mobile_banking", "credit_card", "payroll")
MATURING_CATEGORIES = ("wealth", "deposit_time", "trust")
R3_PLUS = ("R3", "R4", "R5")

# Snapshot columns of spec/metrics.md, in order; money columns carry cents until formatting.
SNAPSHOT_COLUMNS = (
    "month",
    "as_of",
    "customer_no",
    "branch_code",
    "rm_staff_no",
    "days",
    "aum_avg",
    "aum_end",
    "deposit_avg",
    "loan_end",
    "tier",
    "prev_tier",
    "migration",
    "categories_held",
    "cross_sell_qualified",
    "dormant",
    "dormant_potential",
    "edge",
    "downgraded",
    "maturing",
    "kyc_expiring",
)
MONEY_COLUMNS = ("aum_avg", "aum_end", "deposit_avg", "loan_end")
FLAG_COLUMNS = (
    "cross_sell_qualified",
    "dormant",
    "dormant_potential",
    "edge",
    "downgraded",
    "maturing",
    "kyc_expiring",
)
# What the query returns beyond the snapshot: inputs of the lists (lists.py).
AUX_COLUMNS = ("customer_status", "rm_active", "next_maturity", "kyc_expires", "has_kyc", "max_aum_24")


cents = to_cents  # the name the definitions read best with


@dataclass(frozen=True)
class Thresholds:
    bounds: dict  # tier -> lower bound in cents (vip, wealth, private)
    cross_sell_min: dict
    edge_min: dict  # tier -> smallest aum_avg (cents) that is "edge" for that tier
    dormancy_days: int
    potential_months: int
    potential_min: int
    maturity_days: int
    kyc_days: int

    @classmethod
    def from_settings(cls) -> Thresholds:
        conf = settings.BANKCRM_METRICS  # read at call time: tests and bankcrm.toml override it
        bounds = {t: cents(v) for t, v in conf["tier_bounds"].items()}
        ratio = Decimal(str(conf["edge_ratio"]))
        nxt = dict(itertools.pairwise(TIERS))
        # aum_avg >= ratio x bound  <=>  cents >= ceil(ratio x bound cents), cents being whole numbers
        edge_min = {t: int((ratio * bounds[n]).to_integral_value(ROUND_CEILING)) for t, n in nxt.items()}
        return cls(
            bounds=bounds,
            cross_sell_min={t: int(v) for t, v in conf["cross_sell_min"].items()},
            edge_min=edge_min,
            dormancy_days=int(conf["dormancy_days"]),
            potential_months=int(conf["dormant_potential_months"]),
            potential_min=cents(conf["dormant_potential_min_aum"]),
            maturity_days=int(conf["maturity_window_days"]),
            kyc_days=int(conf["kyc_window_days"]),
        )


def month_of(day: dt.date) -> str:
    return f"{day.year:04d}-{day.month:02d}"


def add_months(month: str, n: int) -> str:
    y, m = int(month[:4]), int(month[5:7])
    idx = y * 12 + (m - 1) + n
    return f"{idx // 12:04d}-{idx % 12 + 1:02d}"


def month_end(month: str) -> dt.date:
    first_next = dt.date.fromisoformat(add_months(month, 1) + "-01")
    return first_next - dt.timedelta(days=1)


def _lit(day: dt.date) -> str:
    return f"DATE '{day.isoformat()}'"


def _in(values) -> str:
    return "(" + ", ".join(f"'{v}'" for v in values) + ")"


def _rounded_avg(sum_col: str, days: int) -> str:
    """round-half-away-from-zero(sum / days) in integer arithmetic (both operands' signs handled)."""
    return (
        f"CASE WHEN {sum_col} >= 0 THEN ({sum_col} * 2 + {days}) // {2 * days} "
        f"ELSE -((-{sum_col} * 2 + {days}) // {2 * days}) END"
    )


def _tier_case(col: str, b: dict) -> str:
    return (
        f"CASE WHEN {col} >= {b['private']} THEN 'private' WHEN {col} >= {b['wealth']} THEN 'wealth' "
        f"WHEN {col} >= {b['vip']} THEN 'vip' ELSE 'mass' END"
    )


def _rank(col: str) -> str:
    return f"CASE {col} " + " ".join(f"WHEN '{t}' THEN {i}" for i, t in enumerate(TIERS)) + " END"


def _yn(cond: str) -> str:
    return f"CASE WHEN {cond} THEN 'Y' ELSE 'N' END"


def snapshot_sql(as_of: dt.date, th: Thresholds) -> str:
    month = month_of(as_of)
    days = as_of.day
    d = _lit(as_of)
    dormant_open = _lit(as_of - dt.timedelta(days=th.dormancy_days))
    activity_from = _lit(as_of - dt.timedelta(days=th.dormancy_days - 1))
    mat_from, mat_to = _lit(as_of + dt.timedelta(days=1)), _lit(as_of + dt.timedelta(days=th.maturity_days))
    kyc_to = _lit(as_of + dt.timedelta(days=th.kyc_days))
    prev_month = add_months(month, -1)
    hist_from = add_months(month, -(th.potential_months - 1))
    aum, dep = _in(AUM_CATEGORIES), _in(DEPOSIT_CATEGORIES)
    cs = th.cross_sell_min
    em = th.edge_min
    return f"""
WITH acct_sums AS (
    -- per account first: the wide fact is aggregated once, joins then touch one row per account
    SELECT account_no, CAST(SUM(balance_cents) AS BIGINT) AS month_sum,
        CAST(SUM(CASE WHEN as_of_date = {d} THEN balance_cents ELSE 0 END) AS BIGINT) AS on_d
    FROM bal_m GROUP BY account_no
),
sums AS (
    SELECT a.customer_no,
        CAST(SUM(CASE WHEN a.category IN {aum} THEN b.month_sum ELSE 0 END) AS BIGINT) AS aum_sum,
        CAST(SUM(CASE WHEN a.category IN {dep} THEN b.month_sum ELSE 0 END) AS BIGINT) AS dep_sum,
        CAST(SUM(CASE WHEN a.category IN {aum} THEN b.on_d ELSE 0 END) AS BIGINT) AS aum_end,
        CAST(SUM(CASE WHEN a.category = 'loan' THEN b.on_d ELSE 0 END) AS BIGINT) AS loan_end
    FROM acct_sums b JOIN dim_accounts a ON a.account_no = b.account_no
    GROUP BY a.customer_no
),
members AS (
    SELECT c.customer_no, c.branch_code, c.rm_staff_no, c.status
    FROM dim_customers c
    WHERE (c.onboard_date <= {d} AND COALESCE(c.status, '') <> 'closed')
       OR c.customer_no IN (SELECT customer_no FROM sums)
),
open_acct AS (
    -- "open on D" (spec/metrics.md): the close_date decides; today's status only when there is none,
    -- so a month end computed months later matches the nightly run (an account closed in October
    -- was still held in September; issue 8.13). Every figure that asks "open" reads this one CTE.
    SELECT * FROM dim_accounts
    WHERE open_date <= {d}
      AND (close_date > {d} OR (close_date IS NULL AND COALESCE(status, '') <> 'closed'))
),
held AS (
    SELECT o.customer_no,
        CASE WHEN o.category IN {dep} THEN 'deposit' ELSE o.category END AS cat,
        o.risk_level
    FROM open_acct o LEFT JOIN acct_sums b ON b.account_no = o.account_no
    WHERE o.category IN {_in(OPEN_ONLY_CATEGORIES)}
       OR (o.category IN {_in(BALANCE_CATEGORIES)} AND COALESCE(b.on_d, 0) > 0)
),
held_agg AS (
    SELECT customer_no, COUNT(DISTINCT cat) AS categories_held,
        MAX(CASE WHEN risk_level IN {_in(R3_PLUS)} THEN 1 ELSE 0 END) AS holds_r3
    FROM held GROUP BY customer_no
),
old_acct AS (SELECT DISTINCT customer_no FROM open_acct WHERE open_date <= {dormant_open}),
active_acct AS (
    -- one row per account before the semi-join: otherwise its hash table holds every transaction
    -- of the year (275M rows at 10M customers: the out-of-memory of docs/performance.md)
    SELECT DISTINCT account_no FROM txn
    WHERE customer_initiated AND CAST(txn_time AS DATE) BETWEEN {activity_from} AND {d}
),
active_cust AS (
    SELECT DISTINCT customer_no FROM dim_accounts WHERE account_no IN (SELECT account_no FROM active_acct)
),
maturing AS (
    SELECT customer_no, MIN(maturity_date) AS next_maturity FROM open_acct
    WHERE category IN {_in(MATURING_CATEGORIES)} AND maturity_date BETWEEN {mat_from} AND {mat_to}
    GROUP BY customer_no
),
kyc_ranked AS (
    SELECT customer_no, expires_date,
        ROW_NUMBER() OVER (PARTITION BY customer_no ORDER BY assessed_date DESC) AS rn
    FROM dim_kyc WHERE assessed_date <= {d}
),
kyc AS (SELECT customer_no, expires_date FROM kyc_ranked WHERE rn = 1),
prev AS (SELECT customer_no, MAX(tier) AS prev_tier FROM hist WHERE month = '{prev_month}' GROUP BY customer_no),
hist_max AS (
    SELECT customer_no, MAX(aum_avg_cents) AS max_aum FROM hist
    WHERE month >= '{hist_from}' AND month < '{month}' GROUP BY customer_no
),
base AS (
    SELECT m.customer_no, m.branch_code, COALESCE(m.rm_staff_no, '') AS rm_staff_no,
        m.status AS customer_status,
        CASE WHEN s.status = 'active' THEN 'Y' ELSE 'N' END AS rm_active,
        COALESCE(x.aum_sum, 0) AS aum_sum, COALESCE(x.dep_sum, 0) AS dep_sum,
        COALESCE(x.aum_end, 0) AS aum_end, COALESCE(x.loan_end, 0) AS loan_end,
        COALESCE(h.categories_held, 0) AS categories_held, COALESCE(h.holds_r3, 0) AS holds_r3,
        COALESCE(p.prev_tier, '') AS prev_tier,
        CASE WHEN o.customer_no IS NOT NULL AND ac.customer_no IS NULL THEN 1 ELSE 0 END AS is_dormant,
        mt.next_maturity, k.customer_no IS NOT NULL AS has_kyc, k.expires_date AS kyc_expires, hm.max_aum
    FROM members m
    LEFT JOIN dim_staff s ON s.staff_no = m.rm_staff_no
    LEFT JOIN sums x ON x.customer_no = m.customer_no
    LEFT JOIN held_agg h ON h.customer_no = m.customer_no
    LEFT JOIN prev p ON p.customer_no = m.customer_no
    LEFT JOIN old_acct o ON o.customer_no = m.customer_no
    LEFT JOIN active_cust ac ON ac.customer_no = m.customer_no
    LEFT JOIN maturing mt ON mt.customer_no = m.customer_no
    LEFT JOIN kyc k ON k.customer_no = m.customer_no
    LEFT JOIN hist_max hm ON hm.customer_no = m.customer_no
),
averaged AS (
    SELECT *, {_rounded_avg("aum_sum", days)} AS aum_avg, {_rounded_avg("dep_sum", days)} AS deposit_avg
    FROM base
),
tiered AS (
    SELECT *, {_tier_case("aum_avg", th.bounds)} AS tier FROM averaged
),
ranked AS (
    SELECT *, {_rank("tier")} AS tier_rank, {_rank("prev_tier")} AS prev_rank,
        CASE WHEN max_aum IS NULL OR aum_avg > max_aum THEN aum_avg ELSE max_aum END AS max_aum_24
    FROM tiered
)
SELECT
    '{month}' AS month, '{as_of.isoformat()}' AS as_of, customer_no, branch_code, rm_staff_no,
    {days} AS days,
    aum_avg, aum_end, deposit_avg, loan_end, tier, prev_tier,
    CASE WHEN prev_rank IS NULL THEN 'new' WHEN tier_rank > prev_rank THEN 'up'
         WHEN tier_rank < prev_rank THEN 'down' ELSE 'same' END AS migration,
    categories_held,
    {
        _yn(
            f"(tier = 'vip' AND categories_held >= {cs['vip']}) OR (tier = 'wealth' AND categories_held >= "
            f"{cs['wealth']}) OR (tier = 'private' AND categories_held >= {cs['private']})"
        )
    } AS cross_sell_qualified,
    {_yn("is_dormant = 1")} AS dormant,
    {_yn(f"is_dormant = 1 AND max_aum_24 >= {th.potential_min}")} AS dormant_potential,
    {
        _yn(
            f"(tier = 'mass' AND aum_avg >= {em['mass']}) OR (tier = 'vip' AND aum_avg >= {em['vip']}) "
            f"OR (tier = 'wealth' AND aum_avg >= {em['wealth']})"
        )
    } AS edge,
    {_yn("prev_rank IS NOT NULL AND tier_rank < prev_rank")} AS downgraded,
    {_yn("next_maturity IS NOT NULL")} AS maturing,
    {_yn(f"holds_r3 = 1 AND (NOT has_kyc OR kyc_expires <= {kyc_to})")} AS kyc_expiring,
    customer_status, rm_active, next_maturity, kyc_expires,
    CASE WHEN has_kyc THEN 'Y' ELSE 'N' END AS has_kyc, max_aum_24
FROM ranked
ORDER BY customer_no
"""
