"""The synthetic bank: plan customers and accounts, then simulate the window day by day.

Memory stays bounded for a million customers: customers and accounts are compact numpy arrays
(integer cents, int32 day indexes relative to the first day of the window); strings are made
per chunk or per day and written straight to disk. Same seed → same bytes.
"""

import calendar
import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path

import holidays
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from faker import Faker
from tqdm import tqdm

from bankcrm.ingest.tables import TABLES, TXN_CHANNELS

from . import reference as ref
from .org import Organisation
from .output import DeliveryFile, day_strings, money, money_str, padded
from .population import (
    ID_TYPES,
    NEVER,
    Q_GENDER,
    QUALITY_NAMES,
    SEG_VIP,
    Population,
)

# The file contract lives in one place (ingest/tables.py): the generator writes what the importer reads.
HEADERS = {name: spec.column_names for name, spec in TABLES.items()}
CHANNELS = TXN_CHANNELS  # indexed below by the CH_* positions
CH_COUNTER, CH_ATM, CH_MOBILE, CH_ONLINE, CH_POS, CH_BATCH, CH_SYSTEM = range(7)
KYC_CHANNELS = ("branch", "mobile", "online")
ACCOUNT_STATUS = ("active", "dormant", "frozen", "closed")
ST_ACTIVE, ST_DORMANT, ST_FROZEN, ST_CLOSED = range(4)
CHUNK = 100_000
C = ref.CAT
# The five classes best → worst, as the loans file's contract lists them (spec/loans.md's order)
FIVE_CLASSES = next(c for c in TABLES["loans"].columns if c.name == "five_class").codes
VALUE_CATEGORIES = (C["wealth"], C["fund"], C["insurance"], C["precious_metal"])
INTEREST_AT_MATURITY = (C["deposit_time"], C["trust"])
TERM_CATEGORIES = (C["deposit_time"], C["wealth"], C["trust"])


@dataclass
class GenerateSummary:
    out_dir: Path
    start: dt.date
    end: dt.date
    customers: int
    accounts: int
    files: dict[str, int] = field(default_factory=dict)  # file name -> data rows (rejects included)
    planted_rejects: list[dict] = field(default_factory=list)  # file, line, column, reason, key
    planted_quality: dict[str, list[str]] = field(default_factory=dict)  # finding -> customer_nos
    # loans file name -> account_nos classed better than their overdue days allow (class_too_lenient)
    lenient_loans: dict[str, list[str]] = field(default_factory=dict)
    replaced: int = 0  # files of an earlier delivery removed from out_dir first

    def rows(self, table: str) -> int:
        return sum(n for name, n in self.files.items() if name.rsplit("_", 1)[0] == table)


def first_of_window(end: dt.date, months: int) -> dt.date:
    index = end.year * 12 + end.month - 1 - (months - 1)
    return dt.date(index // 12, index % 12 + 1, 1)


def default_end(today: dt.date) -> dt.date:
    """The last day of the month before `today`."""
    return today.replace(day=1) - dt.timedelta(days=1)


class _Products:
    def __init__(self) -> None:
        p = ref.PRODUCTS
        self.codes = np.array([x.code for x in p])
        self.cat = np.array([C[x.category] for x in p], dtype=np.int8)
        self.term = np.array([x.term_days for x in p], dtype=np.int32)
        self.fee_e4 = np.array([x.fee_rate_e4 for x in p], dtype=np.int64)
        self.yield_bp = np.array([x.annual_yield_bp for x in p], dtype=np.int64)
        self.vol_bp = np.array([x.daily_vol_bp for x in p], dtype=np.float64)
        self.risk = np.array([int(x.risk[1]) if x.risk else 0 for x in p], dtype=np.int8)
        self.index = {x.code: i for i, x in enumerate(p)}

    def choose(self, rng: np.random.Generator, cats: np.ndarray, max_risk: np.ndarray, long_only: np.ndarray):
        """A product per account: of the category, rated at most max_risk (unrated always allowed)."""
        out = np.full(len(cats), self.index["T01Y"], dtype=np.int16)
        for cat in np.unique(cats):
            for risk in range(1, 6):
                for long in (False, True):
                    sel = np.flatnonzero((cats == cat) & (max_risk == risk) & (long_only == long))
                    if not len(sel):
                        continue
                    ok = (self.cat == cat) & (self.risk <= risk)
                    if long:
                        ok &= (self.term == 0) | (self.term >= 730)
                    allowed = np.flatnonzero(ok)
                    if not len(allowed):
                        allowed = np.array([self.index["T03Y" if long else "T01Y"]])
                    out[sel] = allowed[rng.integers(0, len(allowed), len(sel))]
        return out


class SyntheticBank:
    def __init__(
        self, out_dir: Path, *, customers: int, months: int, end: dt.date, seed: int, progress: bool, fmt: str
    ):
        if customers < 1 or months < 1:
            raise ValueError("customers and months must be at least 1")
        self.out = Path(out_dir)
        self.n = customers
        self.end = end
        self.start = first_of_window(end, months)
        self.T = (end - self.start).days + 1
        self.progress = progress
        self.fmt = fmt
        # a 7th stream for the loans' delinquency: the first six are those of spawn(6), so adding it
        # left every earlier draw as it was
        streams = np.random.SeedSequence(seed).spawn(7)
        self.rng_org, self.rng_pop, self.rng_acc, self.rng_kyc, self.rng_sim, self.rng_misc, self.rng_loans = (
            np.random.default_rng(s) for s in streams
        )
        self.faker = Faker("zh_CN")
        self.faker.seed_instance(seed)
        self.products = _Products()
        self._calendar()
        self.summary = GenerateSummary(self.out, self.start, self.end, customers, 0)

    # ------------------------------------------------------------------ calendar
    def _calendar(self) -> None:
        self.dates = [self.start + dt.timedelta(days=d) for d in range(self.T)]
        self.date_str = [d.isoformat() for d in self.dates]
        cn = holidays.China(years=range(self.start.year, self.end.year + 1))
        self.working = np.array([cn.is_working_day(d) for d in self.dates])
        self.dom = np.array([d.day for d in self.dates], dtype=np.int8)
        keys = [(d.year, d.month) for d in self.dates]
        self.month_keys = sorted(set(keys))
        self.month_of_day = np.array([self.month_keys.index(k) for k in keys], dtype=np.int16)
        self.month_end = [max(i for i, k in enumerate(keys) if k == mk) for mk in self.month_keys]
        self.month_start = [min(i for i, k in enumerate(keys) if k == mk) for mk in self.month_keys]
        # a payday on a non-working day is paid on the working day before it (same month)
        self.payday_on = {}
        for m, (y, mo) in enumerate(self.month_keys):
            last = calendar.monthrange(y, mo)[1]
            for p in (5, 10, 15, 25):
                day = min(p, last)
                idx = (dt.date(y, mo, day) - self.start).days
                while idx > self.month_start[m] and idx < self.T and not self.working[idx]:
                    idx -= 1
                self.payday_on.setdefault(idx, []).append(p)

    def _file_day(self, event_day: int) -> int:
        """Which dimension file (day index of its date) carries a change that happens on event_day."""
        return 0 if event_day <= 0 else self.month_end[self.month_of_day[event_day]]

    def _dim_days(self) -> list[int]:
        days = [0]
        for m_end in self.month_end:
            if m_end not in days:
                days.append(m_end)
        return days

    def _open(self, table: str, day_index: int) -> DeliveryFile:
        return DeliveryFile(self.out, table, self.dates[day_index], HEADERS[table], self.fmt)

    def _close(self, f: DeliveryFile) -> None:
        f.close()
        self.summary.files[f.name] = f.rows

    # ------------------------------------------------------------------ run
    def _clear_earlier_delivery(self) -> None:
        """Remove files of an earlier delivery in the folder, so no stale date survives a rerun."""
        pattern = re.compile(rf"^({'|'.join(HEADERS)})_\d{{8}}\.(csv|parquet)(\.ok)?$")
        for path in sorted(self.out.iterdir()):
            if path.is_file() and pattern.match(path.name):
                path.unlink()
                self.summary.replaced += 1

    def run(self) -> GenerateSummary:
        self.out.mkdir(parents=True, exist_ok=True)
        self._clear_earlier_delivery()
        with tqdm(total=self.T + 6, desc="generate", unit="step", disable=not self.progress) as bar:
            self.org = Organisation(self.rng_org, self.n, self.T)
            self.pop = Population(self.rng_pop, self.faker, self.n, self.start, self.T, self.org)
            self._plan_kyc()
            self._plan_accounts()
            self._plan_purchases()
            bar.update(1)
            self._write_branches_staff_products()
            bar.update(1)
            self._write_customers()
            bar.update(1)
            self._write_accounts()
            bar.update(1)
            self._write_kyc()
            bar.update(2)
            self._simulate(bar)
        self.summary.accounts = self.n_acc
        names = {code: [] for code in QUALITY_NAMES.values()}
        cust_no = [f"C{i + 1:09d}" for i in np.flatnonzero(self.pop.quality)]
        for no, q in zip(cust_no, self.pop.quality[self.pop.quality > 0], strict=True):
            names[QUALITY_NAMES[int(q)]].append(no)
            if QUALITY_NAMES[int(q)] == "duplicate_id":
                names["duplicate_id"].append(f"C{self.pop.dup_of[int(no[1:]) - 1] + 1:09d}")
        self.summary.planted_quality = names
        return self.summary

    # ------------------------------------------------------------------ KYC
    def _plan_kyc(self) -> None:
        pop, rng, n = self.pop, self.rng_kyc, self.n
        has = rng.random(n) < np.array([0.35, 0.85, 0.95, 0.98])[pop.seg]
        has &= ~pop.closed_before
        has[pop.dormant] &= rng.random(pop.dormant.sum()) < 0.3
        has &= ~pop.new
        base = np.array([[15, 35, 30, 15, 5], [8, 27, 35, 22, 8], [5, 20, 35, 28, 12], [3, 15, 32, 32, 18]], float)
        level = np.empty(n, dtype=np.int8)
        for s in range(4):
            sel = np.flatnonzero(pop.seg == s)
            level[sel] = rng.choice(5, size=len(sel), p=base[s] / 100) + 1
        level = np.where(pop.age >= 65, np.minimum(level, 3), level)
        assessed = np.where(pop.dormant, rng.integers(-1500, -400, n), rng.integers(-420, 1, n))
        assessed = np.maximum(assessed, pop.onboard)
        self.kyc_level = np.where(has, level, 0).astype(np.int8)
        self.kyc_assessed = np.where(has, assessed, NEVER).astype(np.int32)
        self.kyc_expires = np.where(has, assessed + 365, -NEVER).astype(np.int32)
        self.kyc_channel = rng.integers(0, 3, n).astype(np.int8)
        # the assessments in force at the start; the live arrays above change with renewals
        self.kyc_start_level = self.kyc_level.copy()
        self.kyc_start_assessed = self.kyc_assessed.copy()
        prior = has & (rng.random(n) < 0.3) & (assessed - 700 > pop.onboard)
        self.kyc_prior = prior
        self.kyc_prior_day = (assessed - 365 - rng.integers(0, 300, n)).astype(np.int32)
        self.kyc_prior_level = np.clip(level + rng.integers(-1, 2, n), 1, 5).astype(np.int8)
        self.kyc_renewals: list[tuple[int, int, int, int]] = []  # customer, day, level, channel

    # ------------------------------------------------------------------ accounts
    def _plan_accounts(self) -> None:
        pop, rng, n, T = self.pop, self.rng_acc, self.n, self.T
        pr = self.products
        existing = ~pop.new
        blocks: list[dict] = []

        def block(cust, prod, open_, close=None, mat=None, amount=None, status=None, **extra):
            k = len(cust)
            blocks.append(
                {
                    "cust": np.asarray(cust, dtype=np.int32),
                    "prod": np.broadcast_to(np.asarray(prod, dtype=np.int16), (k,)).copy(),
                    "open": np.asarray(open_, dtype=np.int32),
                    "close": pop.close_day[cust].copy() if close is None else np.asarray(close, dtype=np.int32),
                    "mat": np.full(k, NEVER, np.int32) if mat is None else np.asarray(mat, dtype=np.int32),
                    "amount": np.zeros(k, np.int64) if amount is None else np.asarray(amount, dtype=np.int64),
                    "status": np.zeros(k, np.int8) if status is None else np.asarray(status, dtype=np.int8),
                    "due": extra.get("due", np.zeros(k, np.int8)),
                    "inst": extra.get("inst", np.zeros(k, np.int64)),
                }
            )

        def after_onboard(cust, latest=-1):
            lo = pop.onboard[cust].astype(np.float64)
            hi = np.maximum(lo, latest)
            return (lo + rng.random(len(cust)) * (hi - lo)).astype(np.int32)

        plain_customer = ~pop.dormant & ~pop.closed_before & ~pop.closing

        # product accounts held at the start of the window (AUM beyond the demand deposit)
        mean_products = np.array([0.25, 1.6, 3.0, 4.2])[pop.seg] * np.where(pop.dormant, 0.5, 1.0)
        n_prod = np.where(existing & ~pop.closed_before & ~pop.closing, rng.poisson(mean_products), 0)
        n_prod = np.minimum(n_prod, 8)
        share = np.where(
            n_prod > 0,
            rng.uniform(*np.array([(0.6, 1.0), (0.2, 0.6), (0.1, 0.4), (0.05, 0.25)]).T[:, pop.seg]),
            1.0,
        )
        demand_amount = np.round(pop.target * share).astype(np.int64)
        self.demand_target = np.maximum(demand_amount, 10_000)

        # demand deposit: every customer, opened at onboarding
        status = np.zeros(n, np.int8)
        status[pop.dormant & (rng.random(n) < 0.4)] = ST_DORMANT
        status[~pop.dormant & (rng.random(n) < 0.002)] = ST_FROZEN
        status[pop.closed_before] = ST_CLOSED
        self._frozen = status == ST_FROZEN
        block(
            np.arange(n),
            pr.index["D001"],
            pop.onboard,
            amount=np.where(pop.closed_before, 0, demand_amount),
            status=status,
        )

        # mobile banking, payroll agreement
        cust = np.flatnonzero(rng.random(n) < np.where(pop.age > 65, 0.4, 0.78) * np.where(pop.dormant, 0.4, 1))
        latest = np.full(len(cust), -1)
        opened = np.maximum(after_onboard(cust, latest), -3650)
        opened[pop.new[cust]] = pop.onboard[cust][pop.new[cust]]
        opened = np.minimum(opened, np.maximum(pop.close_day[cust] - 1, pop.onboard[cust]))  # before a closure
        block(cust, pr.index["M101"], opened)
        cust = np.flatnonzero(pop.payroll & plain_customer)
        opened = np.maximum(after_onboard(cust), -2500)
        opened[pop.new[cust]] = pop.onboard[cust][pop.new[cust]]
        block(cust, pr.index["Y101"], opened)

        # credit cards: owed amount; 1 % cancelled during the window (repaid in full first)
        card_p = np.array([0.22, 0.45, 0.5, 0.5])[pop.seg]
        cust = np.flatnonzero(plain_customer & existing & (rng.random(n) < card_p))
        owed = np.round(np.exp(rng.normal(np.log(3000), 1.0, len(cust))) * 100)
        owed[rng.random(len(cust)) < 0.3] = 0
        close = np.full(len(cust), NEVER, np.int32)
        if T > 2:
            cancel = rng.random(len(cust)) < 0.01
            close[cancel] = rng.integers(1, T, cancel.sum())
        prod = np.where(pop.seg[cust] >= SEG_VIP, pr.index["C201"], pr.index["C101"])
        block(cust, prod, after_onboard(cust), close=close, amount=owed, due=rng.integers(1, 29, len(cust)))

        # loans: outstanding principal, monthly instalment on the opening day of month
        loan_p = np.array([0.06, 0.12, 0.1, 0.05])[pop.seg]
        cust = np.flatnonzero(plain_customer & existing & (rng.random(n) < loan_p) & (pop.onboard < -60))
        kind = rng.choice(3, size=len(cust), p=[0.55, 0.35, 0.10])
        prod = np.array([pr.index["L101"], pr.index["L201"], pr.index["L301"]])[kind]
        principal = np.where(
            kind == 0,
            rng.uniform(300_000, 3_000_000, len(cust)),
            np.where(kind == 1, rng.uniform(20_000, 200_000, len(cust)), rng.uniform(100_000, 1_000_000, len(cust))),
        )
        principal = np.round(principal / 1000) * 100_000  # whole thousands, in cents
        term = pr.term[prod]
        opened = np.maximum(
            pop.onboard[cust], -(rng.random(len(cust)) * np.maximum(term - T - 90, 30)).astype(np.int32) - 30
        )
        months_total = term // 30
        paid = np.clip(-opened // 30, 0, months_total - 1)
        inst = (principal // months_total).astype(np.int64)
        outstanding = (principal - inst * paid).astype(np.int64)
        due = np.array([(self.start + dt.timedelta(days=int(o))).day for o in opened], dtype=np.int8)
        block(cust, prod, opened, mat=opened + term, amount=outstanding, due=np.minimum(due, 28), inst=inst)

        # AUM products held at the start
        holder = np.repeat(np.arange(n), n_prod)
        k = len(holder)
        weights = np.array(
            [
                [0.45, 0.25, 0.20, 0.05, 0.05, 0.00],
                [0.30, 0.36, 0.20, 0.08, 0.06, 0.00],
                [0.22, 0.30, 0.20, 0.10, 0.06, 0.12],
                [0.15, 0.30, 0.20, 0.10, 0.05, 0.20],
            ]
        )
        aum_cats = np.array([C[c] for c in ("deposit_time", "wealth", "fund", "insurance", "precious_metal", "trust")])
        u = rng.random(k)
        cum = np.cumsum(weights, axis=1)[pop.seg[holder]]
        cats = aum_cats[np.minimum((u[:, None] > cum).sum(axis=1), 5)]
        max_risk = np.maximum(self.kyc_level[holder], 1)
        long_only = pop.dormant[holder]
        prod = pr.choose(rng, cats, max_risk, long_only)
        parts = rng.exponential(1.0, k)
        totals = np.bincount(holder, weights=parts, minlength=n)
        rest = (pop.target - demand_amount)[holder]
        amount = np.round(rest * parts / np.maximum(totals[holder], 1e-9)).astype(np.int64)
        amount = np.where(pr.cat[prod] == C["deposit_time"], amount // 10_000 * 10_000, amount)
        amount = np.maximum(amount, 100_000)
        term = pr.term[prod]
        has_term = term > 0
        mat_draw = (rng.random(k) * np.maximum(term - np.where(long_only, 400, 0), 1)).astype(np.int32) + 1
        opened = np.where(has_term, mat_draw - term, 0)
        free = after_onboard(holder, np.where(long_only, -400, -1))
        opened = np.where(has_term, np.minimum(np.maximum(opened, pop.onboard[holder]), -1), free)
        mat = np.where(has_term, opened + term, NEVER)
        close = np.where(has_term & (mat < T), mat, NEVER)  # term products close when they mature
        amount = np.where(close <= 0, 0, amount)
        block(
            holder, prod, opened, close=close, mat=mat, amount=amount, status=np.where(close <= 0, ST_CLOSED, ST_ACTIVE)
        )

        # old time deposits that matured and closed years ago (history only, never a balance)
        cust = np.flatnonzero(existing & ~pop.closed_before & (pop.onboard < -800) & (rng.random(n) < 0.1))
        opened = after_onboard(cust, -800)
        block(
            cust, pr.index["T01Y"], opened, close=opened + 365, mat=opened + 365, status=np.full(len(cust), ST_CLOSED)
        )

        self._blocks = blocks

    def _plan_purchases(self) -> None:
        """Subscriptions during the window: new accounts funded from the demand deposit, one sale each."""
        pop, rng, T, pr = self.pop, self.rng_acc, self.T, self.products
        eligible = ~pop.dormant & ~pop.closed_before & ~pop.closing & ~self._frozen
        rate = np.array([0.02, 0.25, 0.4, 0.5])[pop.seg] * len(self.month_keys)
        count = np.where(eligible & (T > 2), np.minimum(rng.poisson(rate), 3), 0)
        cust = np.repeat(np.arange(self.n), count)
        day = np.maximum(pop.onboard[cust] + 1, 1) + (rng.random(len(cust)) * T).astype(np.int32)
        keep = day < T
        cust, day = cust[keep], day[keep]
        order = np.lexsort((cust, day))
        cust, day = cust[order], day[order]
        k = len(cust)
        cats = np.array([C[c] for c in ("deposit_time", "wealth", "fund", "insurance", "precious_metal", "trust")])
        cat = cats[rng.choice(6, size=k, p=[0.18, 0.42, 0.25, 0.07, 0.05, 0.03])]
        rich = pop.target[cust] >= 150_000_000
        cat = np.where((cat == C["trust"]) & ~rich, C["wealth"], cat)
        # KYC: a customer without one in force is assessed on the day of the purchase
        level = np.zeros(k, dtype=np.int8)
        channel = rng.choice(3, size=k, p=[0.5, 0.4, 0.1]).astype(np.int8)  # counter, mobile, online
        renew_level = np.clip(rng.choice(5, size=k, p=[0.1, 0.3, 0.35, 0.18, 0.07]) + 1, 1, 5)
        for i in range(k):
            c, d = int(cust[i]), int(day[i])
            if not (self.kyc_assessed[c] <= d < self.kyc_expires[c]):
                lvl = int(self.kyc_level[c]) or int(renew_level[i])
                self.kyc_level[c] = lvl
                self.kyc_assessed[c] = d
                self.kyc_expires[c] = d + 365
                self.kyc_renewals.append((c, d, lvl, int(channel[i])))
            level[i] = self.kyc_level[c]
        prod = pr.choose(rng, cat, level, np.zeros(k, bool))
        share = rng.uniform(0.1, 0.4, k)
        amount = (pop.target[cust] * share) // 100_000 * 100_000
        minimum = np.where(
            pr.cat[prod] == C["trust"], 100_000_000, np.where(pr.cat[prod] == C["fund"], 100_000, 1_000_000)
        )
        amount = np.maximum(amount, minimum).astype(np.int64)
        term = pr.term[prod]
        mat = np.where(term > 0, day + term, NEVER)
        close = np.where(mat < T, mat, NEVER)
        self._blocks.append(
            {
                "cust": cust.astype(np.int32),
                "prod": prod,
                "open": day.astype(np.int32),
                "close": close.astype(np.int32),
                "mat": mat.astype(np.int32),
                "amount": amount,
                "status": np.zeros(k, np.int8),
                "due": np.zeros(k, np.int8),
                "inst": np.zeros(k, np.int64),
            }
        )
        self._purchase_channel = channel
        self._merge_blocks()

    def _merge_blocks(self) -> None:
        b = self._blocks
        cat = lambda key: np.concatenate([x[key] for x in b])  # noqa: E731
        cust, prod, open_ = cat("cust"), cat("prod"), cat("open")
        purchase = np.concatenate([np.full(len(x["cust"]), i == len(b) - 1) for i, x in enumerate(b)])
        channel = np.zeros(len(cust), np.int8)
        channel[purchase] = self._purchase_channel
        order = np.lexsort((self.products.cat[prod], open_, cust))
        self.acc_cust = cust[order]
        self.acc_prod = prod[order]
        self.acc_cat = self.products.cat[self.acc_prod]
        self.acc_open = open_[order]
        self.acc_close = cat("close")[order]
        self.acc_mat = cat("mat")[order]
        self.acc_amount = cat("amount")[order]
        self.acc_status = cat("status")[order]
        self.acc_due = cat("due")[order]
        self.acc_inst = cat("inst")[order]
        self.acc_purchase = purchase[order]
        self.acc_channel = channel[order]
        del self._blocks
        self.n_acc = len(self.acc_cust)
        cats = np.array([ref.ACCOUNT_PREFIX[c] for c in range(len(ref.CATEGORIES))])
        seq = pc.utf8_lpad(pa.array(np.arange(1, self.n_acc + 1)).cast(pa.string()), 12, "0")
        self.acc_no = pc.binary_join_element_wise(pa.array(cats[self.acc_cat]), seq, "")
        demand = np.flatnonzero(self.acc_cat == C["deposit_demand"])
        self.demand_of = np.full(self.n, -1, np.int32)
        self.demand_of[self.acc_cust[demand]] = demand
        # a sale's staff member is the customer's rm when that rm serves the branch, else an advisor
        self.acc_branch = self.pop.branch[self.acc_cust]

    # ------------------------------------------------------------------ dimension files
    def _write_branches_staff_products(self) -> None:
        f = self._open("branches", 0)
        for row in self.org.rows:
            f.write_row(list(row))
        self._close(f)
        org = self.org
        for day in self._dim_days():
            f = self._open("staff", day)
            if day == 0:
                chosen = range(org.n_staff)
            else:
                chosen = [
                    i
                    for i in range(org.n_staff)
                    if 0 < org.leave_day[i] < NEVER and self._file_day(int(org.leave_day[i])) == day
                ]
            for i in chosen:
                left = org.leave_day[i] <= day
                f.write_row(
                    [
                        org.staff_no(i),
                        str(org.staff_names[i]),
                        str(org.staff_branch[i]),
                        ref.STAFF_ROLES[org.staff_role[i]],
                        "left" if left else "active",
                        "",  # id_number (optional): the synthetic staff have no customer records
                    ]
                )
            self._close(f)
        f = self._open("products", 0)
        for p in ref.PRODUCTS:
            fee = "" if p.fee_rate_e4 < 0 else f"0.{p.fee_rate_e4:04d}"
            f.write_row([p.code, p.name, p.category, p.risk, str(p.term_days) if p.term_days else "", fee])
        self._close(f)

    def _write_customers(self) -> None:
        pop = self.pop
        for day in self._dim_days():
            f = self._open("customers", day)
            if day == 0:
                rows = np.flatnonzero(pop.onboard <= 0)
            else:
                on = (pop.onboard > 0) & (self.month_end_of(pop.onboard) == day)
                closing = (pop.close_day > 0) & (pop.close_day < NEVER) & (self.month_end_of(pop.close_day) == day)
                rows = np.flatnonzero(on | closing)
            for lo in range(0, len(rows), CHUNK):
                self._customer_rows(f, rows[lo : lo + CHUNK], day)
            if day == 0:
                # planted reject: required field `name` missing (a customer number used nowhere else)
                line = f.write_row(
                    [
                        f"C{self.n + 1:09d}",
                        "",
                        "PASSPORT",
                        "E99999999",
                        "M",
                        "",
                        "",
                        "",
                        "",
                        "H001",
                        "",
                        self.date_str[0],
                        "active",
                        "",
                    ]
                )
                self._reject(f, line, "name", "missing_field", f"C{self.n + 1:09d}")
            self._close(f)

    def month_end_of(self, days: np.ndarray) -> np.ndarray:
        """Day index of the change file for each event day (only meaningful for 0 < day < T)."""
        clipped = np.clip(days, 0, self.T - 1)
        return np.array(self.month_end, dtype=np.int32)[self.month_of_day[clipped]]

    def _customer_rows(self, f: DeliveryFile, idx: np.ndarray, day: int) -> None:
        pop, org = self.pop, self.org
        birth = pop.birth[idx] + pop.birth_shift[idx]
        male = pop.male[idx] ^ (pop.quality[idx] == Q_GENDER)
        rm = pop.rm[idx]
        rm_no = np.where(rm >= 0, np.char.add("S", np.char.zfill((rm + 1).astype(str), 5)), "")
        occupation = np.array(("", *ref.OCCUPATIONS))[pop.occupation[idx] + 1]
        status = np.where(pop.close_day[idx] <= day, "closed", "active")
        consent = np.array(["Y", "N", ""])[pop.consent[idx]]
        f.write_columns(
            [
                padded(idx + 1, 9, "C"),
                pop.names_of(idx),
                np.array(ID_TYPES)[pop.id_type[idx]],
                pop.id_numbers(idx),
                np.where(male, "M", "F"),
                day_strings(self.start, birth),
                pop.phones(idx),
                pop.addresses(idx),
                occupation,
                org.sub_codes[pop.branch[idx]],
                rm_no,
                day_strings(self.start, pop.onboard[idx]),
                status,
                consent,
            ]
        )

    def _write_accounts(self) -> None:
        pr = self.products
        for day in self._dim_days():
            f = self._open("accounts", day)
            if day == 0:
                rows = np.flatnonzero(self.acc_open <= 0)
            else:
                on = (self.acc_open > 0) & (self.month_end_of(self.acc_open) == day)
                off = (self.acc_close > 0) & (self.acc_close < self.T) & (self.month_end_of(self.acc_close) == day)
                rows = np.flatnonzero(on | off)
            for lo in range(0, len(rows), CHUNK * 4):
                idx = rows[lo : lo + CHUNK * 4]
                closed = self.acc_close[idx] <= day
                status = np.where(closed, "closed", np.array(ACCOUNT_STATUS)[self.acc_status[idx]])
                mat = self.acc_mat[idx]
                close = self.acc_close[idx]
                f.write_columns(
                    [
                        self.acc_no.take(pa.array(idx)),
                        padded(self.acc_cust[idx] + 1, 9, "C"),
                        pr.codes[self.acc_prod[idx]],
                        day_strings(self.start, self.acc_open[idx]),
                        np.where(mat < NEVER, day_strings(self.start, np.where(mat < NEVER, mat, 0)), ""),
                        np.where(closed, day_strings(self.start, np.where(closed, close, 0)), ""),
                        status,
                        self.org.sub_codes[self.acc_branch[idx]],
                    ]
                )
            if day == 0:
                # planted rejects: an unknown branch, a status code in the wrong case (accounts used nowhere else)
                for offset, (branch, status, column, reason) in enumerate(
                    (("B999", "active", "branch_code", "unknown_reference"), ("B001A", "Active", "status", "bad_code"))
                ):
                    no = f"6217{self.n_acc + 1 + offset:012d}"
                    line = f.write_row([no, "C000000001", "D001", self.date_str[0], "", "", status, branch])
                    self._reject(f, line, column, reason, no)
            self._close(f)

    def _write_kyc(self) -> None:
        levels = np.array(["", "C1", "C2", "C3", "C4", "C5"])
        renewals = np.array(self.kyc_renewals, dtype=np.int64).reshape(-1, 4)
        for day in self._dim_days():
            f = self._open("kyc", day)
            if day == 0:
                had = np.flatnonzero(self.kyc_prior)
                first = np.flatnonzero(self.kyc_start_assessed <= 0)
                for idx, assessed, level in (
                    (had, self.kyc_prior_day[had], self.kyc_prior_level[had]),
                    (first, self.kyc_start_assessed[first], self.kyc_start_level[first]),
                ):
                    f.write_columns(
                        [
                            padded(idx + 1, 9, "C"),
                            day_strings(self.start, assessed),
                            levels[level],
                            day_strings(self.start, assessed + 365),
                            np.array(KYC_CHANNELS)[self.kyc_channel[idx]],
                        ]
                    )
                line = f.write_row(
                    ["C000000001", f"{self.start.year}-02-30", "C2", f"{self.start.year + 1}-02-28", "branch"]
                )
                self._reject(f, line, "assessed_date", "bad_date", "C000000001")
            else:
                sel = renewals[self.month_end_of(renewals[:, 1]) == day] if len(renewals) else renewals
                for c, d, lvl, ch in sel.tolist():
                    f.write_row(
                        [
                            f"C{c + 1:09d}",
                            self.date_str[d],
                            f"C{lvl}",
                            (self.dates[d] + dt.timedelta(days=365)).isoformat(),
                            KYC_CHANNELS[ch],
                        ]
                    )
            self._close(f)

    def _reject(self, f: DeliveryFile, line: int, column: str, reason: str, key: str) -> None:
        self.summary.planted_rejects.append(
            {"file": f.name, "line": line, "column": column, "reason": reason, "key": key}
        )

    # ------------------------------------------------------------------ daily simulation
    def _simulate(self, bar) -> None:
        pop, pr, rng, T, n = self.pop, self.products, self.rng_sim, self.T, self.n
        open_, close, cat = self.acc_open, self.acc_close, self.acc_cat
        self.bal = np.where((open_ <= 0) & (close > 0), self.acc_amount, 0).astype(np.int64)
        bearing = np.isin(cat, ref.BALANCE_CATEGORIES)
        self._value_idx = np.flatnonzero(np.isin(cat, VALUE_CATEGORIES))
        self._card_idx = np.flatnonzero(cat == C["credit_card"])
        self._loan_idx = np.flatnonzero(cat == C["loan"])
        self._plan_delinquency()
        loan_files = set(self.month_end)
        # one market factor per product and day: expected yield plus product-wide noise
        z = rng.standard_normal((len(ref.PRODUCTS), T))
        self._factor = 1 + pr.yield_bp[:, None] / 10_000 / 365 + pr.vol_bp[:, None] / 10_000 * z
        dem = self.demand_of
        self._can_initiate = ~pop.dormant & (self.acc_status[dem] == ST_ACTIVE)
        self._p_active = 1 - np.exp(-pop.activity)
        self._sms = rng.random(n) < 0.3
        big = self._can_initiate & ~pop.closed_before & ~pop.closing & (rng.random(n) < 0.04) & (T > 2)
        self._big_day = np.where(big, rng.integers(1, max(T, 2), n), -1)
        self._big_up = rng.random(n) < 0.5
        self._cust_start = np.searchsorted(self.acc_cust, np.arange(n + 1))
        self._big_amount = (pop.target * rng.uniform(0.8, 2.5, n)).astype(np.int64) + 2_000_000
        opening = np.flatnonzero((open_ >= 1) & (open_ < T))
        self._opening = opening[np.argsort(open_[opening], kind="stable")]
        self._opening_at = np.searchsorted(open_[self._opening], np.arange(T + 1))
        closing = np.flatnonzero((close >= 1) & (close < T))
        self._closing = closing[np.argsort(close[closing], kind="stable")]
        self._closing_at = np.searchsorted(close[self._closing], np.arange(T + 1))
        planted_dup = False
        for d in range(T):
            self._pieces: list[tuple] = []
            self._sales: list[list[str]] = []
            self._day_market(d)
            self._day_opens(d)
            self._day_closes(d)
            self._day_customer_activity(d)
            self._day_system(d)
            self._day_cards_loans(d)
            live = np.flatnonzero(bearing & (open_ <= d) & (d < close))
            f = self._open("balances", d)
            f.write_columns([self.date_str[d], self.acc_no.take(pa.array(live)), money(self.bal[live])])
            if d == 0:
                self._plant_bad_balance(f)
            self._close(f)
            if d in loan_files:
                self._write_loans(d)
            f = self._open("transactions", d)
            first = self._write_transactions(f, d)
            if first is not None and not planted_dup:
                line = f.write_row(first)
                self._reject(f, line, "txn_id", "duplicate_key", first[0])
                planted_dup = True
            self._close(f)
            f = self._open("sales", d)
            for row in self._sales:
                f.write_row(row)
            self._close(f)
            bar.update(1)

    # each helper appends (accounts, seconds of day, cents, credit?, channel, customer-initiated?)
    def _txn(self, acct, cents, credit, channel, initiated, lo: int, hi: int) -> None:
        acct = np.atleast_1d(np.asarray(acct, dtype=np.int64))
        k = len(acct)
        if not k:
            return
        cents = np.broadcast_to(np.asarray(cents, dtype=np.int64), (k,))
        secs = self.rng_sim.integers(lo, hi, k)
        sign = np.where(np.broadcast_to(credit, (k,)), 1, -1)
        signed = cents * sign
        # loans and cards carry amounts owed: a credit lowers them, a debit raises them
        owed = np.isin(self.acc_cat[acct], (C["loan"], C["credit_card"]))
        np.add.at(self.bal, acct, np.where(owed, -signed, signed))
        self._pieces.append(
            (
                acct,
                secs,
                cents.copy(),
                np.broadcast_to(credit, (k,)).copy(),
                np.broadcast_to(np.asarray(channel, dtype=np.int8), (k,)).copy(),
                np.broadcast_to(initiated, (k,)).copy(),
            )
        )

    def _day_market(self, d: int) -> None:
        v = self._value_idx
        v = v[(self.acc_open[v] < d) & (self.acc_close[v] > d)]
        self.bal[v] = np.rint(self.bal[v] * self._factor[self.acc_prod[v], d]).astype(np.int64)

    def _counter(self, d: int) -> int:
        return CH_COUNTER if self.working[d] else CH_MOBILE

    def _day_opens(self, d: int) -> None:
        today = self._opening[self._opening_at[d] : self._opening_at[d + 1]]
        new_demand = today[(self.acc_cat[today] == C["deposit_demand"]) & (self.acc_amount[today] > 0)]
        self._txn(new_demand, self.acc_amount[new_demand], True, self._counter(d), True, 9 * 3600, 12 * 3600)
        pr, pop, org = self.products, self.pop, self.org
        channels = (self._counter(d), CH_MOBILE, CH_ONLINE)
        for a in today[self.acc_purchase[today]].tolist():
            c = int(self.acc_cust[a])
            da = int(self.demand_of[c])
            amount = int(self.acc_amount[a])
            ch = channels[self.acc_channel[a]]
            shortfall = amount - int(self.bal[da])
            if shortfall > 0:  # money brought in from another bank for the subscription (他行转入)
                self._txn(da, shortfall, True, CH_ONLINE if ch != CH_COUNTER else ch, True, 12 * 3600, 13 * 3600)
            self._txn(da, amount, False, ch, True, 13 * 3600, 15 * 3600)
            self._txn(a, amount, True, ch, True, 15 * 3600, 16 * 3600)
            prod = int(self.acc_prod[a])
            fee_e4 = int(pr.fee_e4[prod])
            if fee_e4 < 0:
                continue  # deposits earn no fee: not a sale
            rm = int(pop.rm[c])
            branch = org.sub_codes[pop.branch[c]]
            rm_active = rm >= 0 and org.leave_day[rm] > d
            if ch == CH_COUNTER:
                advisors = org.advisors_of[branch]
                use_rm = rm_active and (self.rng_sim.random() < 0.6 or not len(advisors))
                staff = rm if use_rm else int(advisors[self.rng_sim.integers(0, len(advisors))])
            else:
                staff = rm if rm_active and self.rng_sim.random() < 0.3 else -1
            fee = (amount * fee_e4 + 5_000) // 10_000  # half-up to the cent
            self._sales.append(
                [
                    f"SL{self.dates[d]:%Y%m%d}{len(self._sales) + 1:06d}",
                    self.date_str[d],
                    f"C{c + 1:09d}",
                    str(pr.codes[prod]),
                    money_str(amount),
                    money_str(fee),
                    org.staff_no(staff) if staff >= 0 else "",
                    str(branch),
                    CHANNELS[ch],
                ]
            )

    def _day_closes(self, d: int) -> None:
        pr = self.products
        today = self._closing[self._closing_at[d] : self._closing_at[d + 1]]
        cat = self.acc_cat[today]
        matured = today[np.isin(cat, TERM_CATEGORIES) & (self.acc_mat[today] == d)]
        if len(matured):
            principal = self.bal[matured].copy()
            prod = self.acc_prod[matured]
            interest = np.where(
                np.isin(self.acc_cat[matured], INTEREST_AT_MATURITY),
                principal * pr.yield_bp[prod] * pr.term[prod] // (10_000 * 365),
                0,
            )
            keep = principal > 0
            self._txn(matured[keep], principal[keep], False, CH_SYSTEM, False, 600, 3600)
            payout_to = self.demand_of[self.acc_cust[matured[keep]]]
            self._txn(payout_to, (principal + interest)[keep], True, CH_SYSTEM, False, 600, 3600)
        cards = today[(cat == C["credit_card"]) & (self.bal[today] > 0)]
        self._txn(cards, self.bal[cards], True, CH_MOBILE, True, 9 * 3600, 20 * 3600)
        leaving = today[(cat == C["deposit_demand"]) & (self.bal[today] > 0)]
        self._txn(leaving, self.bal[leaving], False, self._counter(d), True, 9 * 3600, 16 * 3600)

    def _demand_live(self, d: int) -> np.ndarray:
        dem = self.demand_of
        return (self.acc_open[dem] <= d) & (d < self.acc_close[dem])

    def _day_customer_activity(self, d: int) -> None:
        rng, pop = self.rng_sim, self.pop
        dem = self.demand_of
        live = self._demand_live(d)
        p = self._p_active * (1.0 if self.working[d] else 0.7)
        who = np.flatnonzero(live & self._can_initiate & (rng.random(self.n) < p))
        acct = dem[who]
        bal = self.bal[acct]
        target = self.demand_target[who]
        p_credit = np.clip(0.5 + 0.45 * (target - bal) / np.maximum(target, 100_000), 0.1, 0.9)
        credit = rng.random(len(who)) < p_credit
        amount = np.rint(np.exp(rng.normal(np.log(0.05 * target + 5_000), 0.8))).astype(np.int64)
        amount = np.where(credit, amount, np.minimum(amount, bal))
        ok = amount > 0
        old = pop.age[who] >= 60
        u = rng.random(len(who))
        channel = np.select(
            [u < np.where(old, 0.35, 0.08), u < np.where(old, 0.5, 0.18), u < np.where(old, 0.6, 0.33), u < 0.85],
            [CH_COUNTER, CH_ATM, CH_POS, CH_MOBILE],
            CH_ONLINE,
        ).astype(np.int8)
        if not self.working[d]:
            channel[channel == CH_COUNTER] = CH_MOBILE
        channel = np.where(credit & ((channel == CH_POS) | (channel == CH_ATM)), CH_MOBILE, channel)
        for ch, lo, hi in (
            (CH_COUNTER, 9, 17),
            (CH_ATM, 7, 23),
            (CH_POS, 10, 22),
            (CH_MOBILE, 7, 24),
            (CH_ONLINE, 8, 24),
        ):
            sel = ok & (channel == ch)
            self._txn(acct[sel], amount[sel], credit[sel], ch, True, lo * 3600, hi * 3600)
        # a few large moves (house sale, bonus, moving money to another bank) shift customers across tiers
        big = np.flatnonzero((self._big_day == d) & live)
        up = self._big_up[big]
        self._txn(dem[big[up]], self._big_amount[big[up]], True, CH_MOBILE, True, 9 * 3600, 21 * 3600)
        self.demand_target[big[up]] += self._big_amount[big[up]]
        down = big[~up]
        self._redeem_all(down, d)
        amount = self.bal[dem[down]] * 85 // 100
        self._txn(dem[down][amount > 0], amount[amount > 0], False, self._counter(d), True, 9 * 3600, 16 * 3600)
        self.demand_target[down] = np.maximum(self.demand_target[down] // 6, 10_000)

    def _redeem_all(self, customers: np.ndarray, d: int) -> None:
        """Sell every open-ended fund / wealth / gold holding back into the demand deposit."""
        for c in customers.tolist():
            accounts = np.arange(self._cust_start[c], self._cust_start[c + 1])
            sell = accounts[
                np.isin(self.acc_cat[accounts], VALUE_CATEGORIES)
                & (self.acc_cat[accounts] != C["insurance"])
                & (self.acc_mat[accounts] == NEVER)
                & (self.acc_open[accounts] < d)
                & (self.acc_close[accounts] > d)
                & (self.bal[accounts] > 0)
            ]
            if len(sell):
                value = self.bal[sell].copy()
                self._txn(sell, value, False, CH_MOBILE, True, 9 * 3600, 10 * 3600)
                self._txn(np.full(len(sell), self.demand_of[c]), value, True, CH_MOBILE, True, 9 * 3600, 10 * 3600)

    def _day_system(self, d: int) -> None:
        pop = self.pop
        dem = self.demand_of
        live = self._demand_live(d)
        paydays = self.payday_on.get(d)
        if paydays:
            who = np.flatnonzero(live & pop.payroll & np.isin(pop.payday, paydays) & (pop.onboard < d))
            self._txn(dem[who], pop.salary[who], True, CH_BATCH, False, 2 * 3600, 5 * 3600)
        date = self.dates[d]
        if date.day == 21 and date.month in (3, 6, 9, 12):  # quarterly interest on demand deposits
            acct = dem[live]
            interest = self.bal[acct] * self.products.yield_bp[self.products.index["D001"]] * 90 // (10_000 * 360)
            self._txn(acct[interest > 0], interest[interest > 0], True, CH_SYSTEM, False, 1800, 3600)
        if date.day == 20:  # monthly SMS alert fee
            acct = dem[live & self._sms]
            acct = acct[self.bal[acct] >= 200]
            self._txn(acct, 200, False, CH_SYSTEM, False, 1800, 3600)

    def _day_cards_loans(self, d: int) -> None:
        rng = self.rng_sim
        cards = self._card_idx
        cards = cards[(self.acc_open[cards] <= d) & (d < self.acc_close[cards])]
        shop = cards[rng.random(len(cards)) < 0.2]
        amount = np.minimum(np.rint(np.exp(rng.normal(np.log(250), 1.0, len(shop)))) * 100, 5_000_000)
        self._txn(shop, amount.astype(np.int64), False, CH_POS, True, 10 * 3600, 22 * 3600)
        due = cards[(self.acc_due[cards] == self.dom[d]) & (self.bal[cards] > 0)]
        auto = rng.random(len(due)) < 0.6
        self._txn(due[auto], self.bal[due[auto]], True, CH_SYSTEM, False, 3600, 2 * 3600)
        self._txn(due[~auto], self.bal[due[~auto]], True, CH_MOBILE, True, 8 * 3600, 23 * 3600)
        loans = self._loan_idx
        paying = (self._od_start > d) | (d >= self._od_cure)  # an overdue loan misses its instalments
        loans = loans[
            paying & (self.acc_open[loans] < d) & (self.acc_due[loans] == self.dom[d]) & (self.bal[loans] > 0)
        ]
        pay = np.minimum(self.acc_inst[loans], self.bal[loans])
        self._txn(loans, pay, True, CH_SYSTEM, False, 3600, 2 * 3600)
        # a cure pays the missed instalments on the day (the overdue principal), then instalments resume
        cured = np.flatnonzero(self._od_cure == d)
        if len(cured):
            acct = self._loan_idx[cured]
            arrears = np.minimum(self.acc_inst[acct] * self._missed(cured, d), self.bal[acct])
            keep = arrears > 0
            self._txn(acct[keep], arrears[keep], True, CH_SYSTEM, False, 9 * 3600, 17 * 3600)

    # ------------------------------------------------------------------ loans file (spec/loans.md)
    def _plan_delinquency(self) -> None:
        """Who is overdue when: most loans stay current; a long tail is overdue at the window start
        (days from 1 to ~2 years) or falls overdue during it; some of those up to 90 days cure.

        Per loan (index into ``_loan_idx``): ``_od_start`` the first day overdue (a day index, negative
        before the window), ``_od_cure`` the day it is paid up (NEVER: not in the window). Days overdue
        on d = d − start + 1 while start ≤ d < cure, so a loan's days grow by exactly the days between
        two deliveries unless it is cured. ``_lenient``: classed one step better than its floor.
        """
        rng, T = self.rng_loans, self.T
        k = len(self._loan_idx)
        start = np.full(k, NEVER, np.int64)
        already = rng.random(k) < 0.04
        tail = np.where(rng.random(k) < 0.7, rng.integers(1, 91, k), rng.integers(91, 730, k))
        start[already] = 1 - tail[already]
        fresh = ~already & (rng.random(k) < 0.015 * T / 30)  # ~1.5 % of the current loans a month
        start[fresh] = rng.integers(0, max(T, 1), k)[fresh]
        cure = np.full(k, NEVER, np.int64)
        curable = (start != NEVER) & (rng.random(k) < 0.35)
        cure[curable] = start[curable] + rng.integers(10, 91, k)[curable]
        cure[cure <= 0] = NEVER  # a cure before the window would have made it a current loan: keep it overdue
        self._od_start, self._od_cure = start, cure
        self._lenient = rng.random(k) < 0.08
        self._stricter = rng.random(k) < 0.005  # a current loan already watched (关注): allowed
        # "a few classed too leniently" also in a small bank: the first loan overdue at the end, if none is
        end_days = self._overdue_days(np.arange(k), T - 1)
        if k and not (self._lenient & (end_days > 0)).any() and (end_days > 0).any():
            self._lenient[int(np.flatnonzero(end_days > 0)[0])] = True

    def _overdue_days(self, idx: np.ndarray, d: int) -> np.ndarray:
        start, cure = self._od_start[idx], self._od_cure[idx]
        return np.where((start <= d) & (d < cure), d - start + 1, 0)

    def _missed(self, idx: np.ndarray, d: int) -> np.ndarray:
        """Instalments missed by day d: one a month from the first day overdue."""
        days = np.maximum(np.minimum(d, self._od_cure[idx] - 1) - self._od_start[idx] + 1, 0)
        return np.where(days > 0, (days - 1) // 30 + 1, 0)

    def _write_loans(self, d: int) -> None:
        """The loans file of day d: every open loan with principal left (the balance file's amount)."""
        loans = self._loan_idx
        live = np.flatnonzero((self.acc_open[loans] <= d) & (d < self.acc_close[loans]) & (self.bal[loans] > 0))
        acct = loans[live]
        principal = self.bal[acct]
        days = self._overdue_days(live, d)
        overdue_principal = np.where(days > 0, np.minimum(self.acc_inst[acct] * self._missed(live, d), principal), 0)
        # contractual interest on the principal at 4.90 % a year for the days overdue (integer cents)
        overdue_interest = principal * 490 * days // (10_000 * 365)
        floor = np.select([days > 360, days > 270, days > 90, days > 0], [4, 3, 2, 1], 0)
        rank = np.where(self._lenient[live] & (floor > 0), floor - 1, floor)
        rank = np.where((floor == 0) & self._stricter[live], 1, rank)
        f = self._open("loans", d)
        f.write_columns(
            [
                self.date_str[d],
                self.acc_no.take(pa.array(acct)),
                money(principal),
                money(overdue_principal),
                money(overdue_interest),
                pa.array(days).cast(pa.string()),
                np.array(FIVE_CLASSES)[rank],
            ]
        )
        self._close(f)
        self.summary.lenient_loans[f.name] = [
            str(a) for a in self.acc_no.take(pa.array(acct[rank < floor])).to_pylist()
        ]

    def _write_transactions(self, f: DeliveryFile, d: int) -> list[str] | None:
        if not self._pieces:
            return None
        acct, secs, cents, credit, channel, initiated = (np.concatenate(x) for x in zip(*self._pieces, strict=True))
        order = np.lexsort((acct, secs))
        acct, secs, cents, credit, channel, initiated = (
            x[order] for x in (acct, secs, cents, credit, channel, initiated)
        )
        stamps = pa.array(np.datetime64(self.dates[d], "s") + secs.astype("timedelta64[s]"))
        ids = padded(np.arange(1, len(acct) + 1), 9, f"T{self.dates[d]:%Y%m%d}")
        columns = [
            ids,
            self.acc_no.take(pa.array(acct)),
            pc.strftime(stamps, format="%Y-%m-%d %H:%M:%S"),
            money(cents),
            np.where(credit, "C", "D"),
            np.array(CHANNELS)[channel],
            np.where(initiated, "Y", "N"),
            "",  # counterparty_account (optional): the synthetic bank does not pair transfers yet
        ]
        f.write_columns(columns)
        return [col if isinstance(col, str) else str(col[0]) for col in columns]

    def _plant_bad_balance(self, f: DeliveryFile) -> None:
        """A balance row with three decimals, for a mobile-banking account (which has no balance row)."""
        mobile = np.flatnonzero((self.acc_cat == C["mobile_banking"]) & (self.acc_open <= 0) & (self.acc_close > 0))
        if len(mobile):
            no = str(self.acc_no[int(mobile[0])])
            line = f.write_row([self.date_str[0], no, "12.345"])
            self._reject(f, line, "balance", "bad_number", no)
