"""An independent, plain-Python reading of spec/metrics.md (the acceptance reference).

Written from the spec text alone — no DuckDB, no Ibis, no code of the engine — so the engine can be
checked against it cell by cell. Money is integer cents; the daily average is rounded with Decimal
ROUND_HALF_UP. Interpretations of points the spec leaves open are marked ``AMBIGUITY`` below and
listed in docs/adr/0801-metrics-acceptance-interpretations.md.
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

AUM_CATEGORIES = frozenset({"deposit_demand", "deposit_time", "wealth", "fund", "insurance", "precious_metal", "trust"})
DEPOSIT_CATEGORIES = frozenset({"deposit_demand", "deposit_time"})
BALANCE_CATEGORIES = AUM_CATEGORIES | {"loan"}
OPEN_ONLY_CATEGORIES = frozenset({"mobile_banking", "credit_card", "payroll"})
MATURING_CATEGORIES = frozenset({"wealth", "deposit_time", "trust"})
HIGH_RISK = frozenset({"R3", "R4", "R5"})

# spec "Tiers" (defaults), in cents
TIER_BOUNDS = (("private", 600_000_000), ("wealth", 50_000_000), ("vip", 5_000_000))
TIER_RANK = {"mass": 0, "vip": 1, "wealth": 2, "private": 3}
NEXT_TIER_LOWER = {"mass": 5_000_000, "vip": 50_000_000, "wealth": 600_000_000}
EDGE_RATIO = Decimal("0.8")
CROSS_SELL_MIN = {"vip": 3, "wealth": 4, "private": 5}
DORMANCY_DAYS = 365
POTENTIAL_MONTHS = 24
POTENTIAL_MIN_CENTS = 5_000_000
WINDOW_DAYS = 30

SNAPSHOT_COLUMNS = [
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
]
LIST_COLUMNS = ["kind", "as_of", "rank", "customer_no", "branch_code", "assignee", "aum_avg", "tier", "detail"]
LIST_KINDS = ["edge", "downgraded", "dormant_potential", "maturing", "kyc_expiring", "unassigned"]
# lists whose order the spec fixes: kind -> (key, descending)
ORDERED_LISTS = {"edge": "aum_avg desc", "maturing": "nearest maturity asc", "unassigned": "aum_avg desc"}


@dataclass(frozen=True)
class Staff:
    staff_no: str
    branch: str
    status: str = "active"


@dataclass(frozen=True)
class Product:
    code: str
    category: str
    risk_level: str = ""


@dataclass(frozen=True)
class Customer:
    customer_no: str
    branch: str
    rm: str | None
    onboard_date: dt.date
    status: str = "active"


@dataclass(frozen=True)
class Account:
    account_no: str
    customer_no: str
    product: str
    open_date: dt.date
    maturity_date: dt.date | None = None
    close_date: dt.date | None = None
    status: str = "active"


@dataclass(frozen=True)
class Kyc:
    customer_no: str
    assessed_date: dt.date
    risk_level: str
    expires_date: dt.date


@dataclass(frozen=True)
class Txn:
    txn_id: str
    account_no: str
    txn_time: dt.datetime  # naive bank-local time
    amount_cents: int
    direction: str = "D"
    channel: str = "mobile"
    customer_initiated: bool = True
    business_date: dt.date | None = None  # the partition it arrives in; None = txn_time's date

    @property
    def partition_date(self) -> dt.date:
        return self.business_date or self.txn_time.date()


@dataclass
class Bank:
    branches: dict[str, str | None] = field(default_factory=dict)  # code -> parent
    staff: dict[str, Staff] = field(default_factory=dict)
    products: dict[str, Product] = field(default_factory=dict)
    customers: dict[str, Customer] = field(default_factory=dict)
    accounts: dict[str, Account] = field(default_factory=dict)
    kyc: list[Kyc] = field(default_factory=list)
    balances: dict[dt.date, dict[str, int]] = field(default_factory=dict)  # day -> account_no -> cents
    transactions: list[Txn] = field(default_factory=list)

    def set_balance(self, account_no: str, day: dt.date, cents: int) -> None:
        self.balances.setdefault(day, {})[account_no] = cents

    def flat(self, account_no: str, first: dt.date, last: dt.date, cents: int) -> None:
        day = first
        while day <= last:
            self.set_balance(account_no, day, cents)
            day += dt.timedelta(days=1)


@dataclass(frozen=True)
class Row:
    month: str
    as_of: dt.date
    customer_no: str
    branch_code: str
    rm_staff_no: str
    days: int
    aum_avg: int  # cents
    aum_end: int
    deposit_avg: int
    loan_end: int
    tier: str
    prev_tier: str
    migration: str
    categories_held: int
    cross_sell_qualified: bool
    dormant: bool
    dormant_potential: bool
    edge: bool
    downgraded: bool
    maturing: bool
    kyc_expiring: bool
    nearest_maturity: dt.date | None = None

    def cells(self) -> dict[str, str]:
        """The row as the customer-month CSV must show it (spec "The snapshot row")."""
        out = {}
        for col in SNAPSHOT_COLUMNS:
            value = getattr(self, col)
            if col in ("aum_avg", "aum_end", "deposit_avg", "loan_end"):
                out[col] = money(value)
            elif isinstance(value, bool):
                out[col] = "Y" if value else "N"
            elif isinstance(value, dt.date):
                out[col] = value.isoformat()
            else:
                out[col] = str(value)
        return out


@dataclass(frozen=True)
class ListRow:
    kind: str
    as_of: dt.date
    customer_no: str
    branch_code: str
    assignee: str
    aum_avg: int
    tier: str
    sort_key: tuple


def money(cents: int) -> str:
    """Cents as CNY with exactly 2 decimals (never "-0.00")."""
    sign = "-" if cents < 0 else ""
    whole, frac = divmod(abs(cents), 100)
    return f"{sign}{whole}.{frac:02d}"


def round_half_up_div(numerator: int, denominator: int) -> int:
    """numerator / denominator rounded half-up to an integer.

    AMBIGUITY: "half-up" on a negative average. We read it as Decimal's ROUND_HALF_UP (and SQL ROUND):
    ties go away from zero, so -0.5 cent -> -1 cent.
    """
    return int((Decimal(numerator) / Decimal(denominator)).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def month_key(day: dt.date) -> str:
    return f"{day.year:04d}-{day.month:02d}"


def month_end(year: int, month: int) -> dt.date:
    return dt.date(year, month, calendar.monthrange(year, month)[1])


def prev_month_end(day: dt.date) -> dt.date:
    return day.replace(day=1) - dt.timedelta(days=1)


def months_back(day: dt.date, n: int) -> str:
    index = day.year * 12 + day.month - 1 - n
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def tier_of(aum_avg_cents: int) -> str:
    for tier, lower in TIER_BOUNDS:
        if aum_avg_cents >= lower:
            return tier
    return "mass"


class Reference:
    """Replays ``bankcrm metrics --as-of D`` runs on a Bank, keeping the snapshots it stores."""

    def __init__(self, bank: Bank):
        self.bank = bank
        self.stored: dict[str, tuple[dt.date, dict[str, Row]]] = {}  # month -> (as_of, rows)
        self.lists: dict[tuple[str, dt.date], list[ListRow]] = {}

    # --- the command ---------------------------------------------------------------------------
    def run(self, as_of: dt.date) -> dict[str, Row]:
        month = month_key(as_of)
        prev_end = prev_month_end(as_of)
        # spec "Migration": M-1 as of its last day is computed first when it is not stored yet and the
        # warehouse holds balances for M-1 (which recursively applies to M-2 when computing M-1).
        # AMBIGUITY: a stored M-1 snapshot taken mid-month is not "M-1 as of its last day": recompute it.
        if self._needs_prev(prev_end):
            self.run_snapshot_only(prev_end)
        rows = self._snapshot(as_of)
        self.stored[month] = (as_of, rows)
        for kind in LIST_KINDS:
            self.lists[(kind, as_of)] = self._list(kind, as_of, rows)
        return rows

    def run_snapshot_only(self, as_of: dt.date) -> dict[str, Row]:
        prev_end = prev_month_end(as_of)
        if self._needs_prev(prev_end):
            self.run_snapshot_only(prev_end)
        rows = self._snapshot(as_of)
        self.stored[month_key(as_of)] = (as_of, rows)
        return rows

    # --- building blocks ----------------------------------------------------------------------
    def _needs_prev(self, prev_end: dt.date) -> bool:
        stored = self.stored.get(month_key(prev_end))
        return (stored is None or stored[0] != prev_end) and self._has_balances_in(prev_end)

    def _has_balances_in(self, any_day: dt.date) -> bool:
        return any(
            (d.year, d.month) == (any_day.year, any_day.month) and rows for d, rows in self.bank.balances.items()
        )

    def _category(self, account_no: str) -> str | None:
        account = self.bank.accounts.get(account_no)
        if account is None:
            return None  # a balance of an unknown account belongs to nobody
        return self.bank.products[account.product].category

    @staticmethod
    def is_open_on(account: Account, day: dt.date) -> bool:
        """spec: "open on D when open_date <= D and ... close_date is empty or later than D. An account
        whose status is `closed` but has no close_date is closed on every date."

        Status decides only when there is no close_date (issue 8.13: today's status must not reach back).
        """
        if account.open_date > day:
            return False
        if account.close_date is not None:
            return account.close_date > day
        return account.status != "closed"

    def _holds(self, account: Account, day: dt.date) -> bool:
        if not self.is_open_on(account, day):
            return False
        category = self.bank.products[account.product].category
        if category in BALANCE_CATEGORIES:
            return self.bank.balances.get(day, {}).get(account.account_no, 0) > 0
        return category in OPEN_ONLY_CATEGORIES

    def _snapshot(self, as_of: dt.date) -> dict[str, Row]:
        bank = self.bank
        month = month_key(as_of)
        first = as_of.replace(day=1)
        days = as_of.day
        owner = {a.account_no: a.customer_no for a in bank.accounts.values()}

        aum_sum: dict[str, int] = {}
        dep_sum: dict[str, int] = {}
        aum_end: dict[str, int] = {}
        loan_end: dict[str, int] = {}
        with_rows: set[str] = set()
        for day, rows in bank.balances.items():
            if not first <= day <= as_of:
                continue
            for account_no, cents in rows.items():
                customer_no = owner.get(account_no)
                if customer_no is None:
                    continue
                # AMBIGUITY: "any balance row in M up to D" — any category, any amount (also 0).
                with_rows.add(customer_no)
                category = self._category(account_no)
                if category in AUM_CATEGORIES:
                    aum_sum[customer_no] = aum_sum.get(customer_no, 0) + cents
                    if day == as_of:
                        aum_end[customer_no] = aum_end.get(customer_no, 0) + cents
                if category in DEPOSIT_CATEGORIES:
                    dep_sum[customer_no] = dep_sum.get(customer_no, 0) + cents
                if category == "loan" and day == as_of:
                    loan_end[customer_no] = loan_end.get(customer_no, 0) + cents

        prev_stored = self.stored.get(month_key(prev_month_end(as_of)))
        prev_rows = prev_stored[1] if prev_stored else {}
        window = {months_back(as_of, n) for n in range(1, POTENTIAL_MONTHS)}

        accounts_of: dict[str, list[Account]] = {}
        for account in bank.accounts.values():
            accounts_of.setdefault(account.customer_no, []).append(account)
        active_since = as_of - dt.timedelta(days=DORMANCY_DAYS - 1)  # D-364
        initiated: set[str] = set()
        for txn in bank.transactions:
            # AMBIGUITY: a transaction's day is its txn_time date, not the business date of the file
            # (partition) it arrived in — they differ for a late-evening payment posted the next day.
            if txn.customer_initiated and active_since <= txn.txn_time.date() <= as_of:
                customer_no = owner.get(txn.account_no)
                if customer_no is not None:
                    initiated.add(customer_no)
        kyc_in_force: dict[str, Kyc] = {}
        for k in bank.kyc:
            if k.assessed_date <= as_of:
                best = kyc_in_force.get(k.customer_no)
                if best is None or k.assessed_date > best.assessed_date:
                    kyc_in_force[k.customer_no] = k

        out: dict[str, Row] = {}
        for customer in bank.customers.values():
            no = customer.customer_no
            in_snapshot = (customer.onboard_date <= as_of and customer.status != "closed") or no in with_rows
            if not in_snapshot:
                continue
            aum_avg = round_half_up_div(aum_sum.get(no, 0), days)
            tier = tier_of(aum_avg)
            prev = prev_rows.get(no)
            prev_tier = prev.tier if prev else ""
            if prev is None:
                migration = "new"
            elif TIER_RANK[tier] > TIER_RANK[prev_tier]:
                migration = "up"
            elif TIER_RANK[tier] < TIER_RANK[prev_tier]:
                migration = "down"
            else:
                migration = "same"

            mine = accounts_of.get(no, [])
            held = set()
            for account in mine:
                if self._holds(account, as_of):
                    category = bank.products[account.product].category
                    held.add("deposit" if category in DEPOSIT_CATEGORIES else category)
            categories = len(held)
            cross_sell = tier != "mass" and categories >= CROSS_SELL_MIN[tier]

            old_open = any(
                self.is_open_on(a, as_of) and a.open_date <= as_of - dt.timedelta(days=DORMANCY_DAYS) for a in mine
            )
            dormant = old_open and no not in initiated
            history = [aum_avg]
            for m in window:
                stored = self.stored.get(m)
                if stored and no in stored[1]:
                    history.append(stored[1][no].aum_avg)
            dormant_potential = dormant and max(history) >= POTENTIAL_MIN_CENTS

            edge = tier != "private" and Decimal(aum_avg) >= EDGE_RATIO * NEXT_TIER_LOWER[tier]

            maturities = [
                a.maturity_date
                for a in mine
                if bank.products[a.product].category in MATURING_CATEGORIES
                and self.is_open_on(a, as_of)
                and a.maturity_date is not None
                and as_of + dt.timedelta(days=1) <= a.maturity_date <= as_of + dt.timedelta(days=WINDOW_DAYS)
            ]
            kyc = kyc_in_force.get(no)
            kyc_due = kyc is None or kyc.expires_date <= as_of + dt.timedelta(days=WINDOW_DAYS)
            risky = any(bank.products[a.product].risk_level in HIGH_RISK and self._holds(a, as_of) for a in mine)

            out[no] = Row(
                month=month,
                as_of=as_of,
                customer_no=no,
                branch_code=customer.branch,
                # AMBIGUITY: rm_staff_no is the customer's rm even when that rm has left.
                rm_staff_no=customer.rm or "",
                days=days,
                aum_avg=aum_avg,
                aum_end=aum_end.get(no, 0),
                deposit_avg=round_half_up_div(dep_sum.get(no, 0), days),
                loan_end=loan_end.get(no, 0),
                tier=tier,
                prev_tier=prev_tier,
                migration=migration,
                categories_held=categories,
                cross_sell_qualified=cross_sell,
                dormant=dormant,
                dormant_potential=dormant_potential,
                edge=edge,
                downgraded=migration == "down",
                maturing=bool(maturities),
                kyc_expiring=kyc_due and risky,
                nearest_maturity=min(maturities) if maturities else None,
            )
        return out

    def assignee(self, customer_no: str) -> str:
        customer = self.bank.customers[customer_no]
        staff = self.bank.staff.get(customer.rm) if customer.rm else None
        if staff is not None and staff.status == "active":
            return staff.staff_no
        return f"branch:{customer.branch}"

    def _list(self, kind: str, as_of: dt.date, rows: dict[str, Row]) -> list[ListRow]:
        picked = []
        for no, row in rows.items():
            customer = self.bank.customers[no]
            if kind == "unassigned":
                # AMBIGUITY: "active customers" = customer status active (not closed).
                ok = customer.status == "active" and self.assignee(no).startswith("branch:")
            else:
                ok = getattr(row, kind)
            if not ok:
                continue
            if kind in ("edge", "unassigned"):
                key = (-row.aum_avg,)
            elif kind == "maturing":
                key = (row.nearest_maturity,)
            else:
                key = ()
            picked.append(
                ListRow(kind, as_of, no, row.branch_code, self.assignee(no), row.aum_avg, row.tier, (*key, no))
            )
        # AMBIGUITY: ties (and the lists with no stated order) are broken by customer_no here; the
        # acceptance tests only hold the engine to the order the spec states.
        return sorted(picked, key=lambda r: r.sort_key)
