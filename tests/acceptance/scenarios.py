"""Adversarial small banks for the metrics acceptance checks: one customer per trap.

Every customer number starts with its scenario's name, so a failure names the trap it hit.
Runs replayed (in this order): 2024-11-30 (stores Nov 2024 and, automatically, Oct 2024),
D_MID = 2026-10-16 (computes Sep 2026 automatically), D_END = 2026-10-31.
"""

from __future__ import annotations

import datetime as dt

import numpy as np

from .metrics_reference import Account, Bank, Customer, Kyc, Product, Staff, Txn

D = dt.date
D_OLD = D(2024, 11, 30)
D_NOPREV = D(2025, 6, 30)  # May 2025 has no balances: nothing to compare with, everyone "new"
D_MID = D(2026, 10, 16)  # 16 days: an even denominator makes exact x.xx5 averages possible
D_END = D(2026, 10, 31)
RUNS = [D_OLD, D_NOPREV, D_MID, D_END]
# a second sequence: M-1 first stored mid-month, a run on the 1st (days = 1), the month end, then back to
# mid-month (recomputing replaces the month: later joiners drop out) and the month end again (idempotent)
RUNS_MIDPREV = [D(2026, 9, 15), D(2026, 10, 1), D_END, D_MID, D_END]
SEP1, SEP30, OCT1 = D(2026, 9, 1), D(2026, 9, 30), D(2026, 10, 1)
LONG_AGO = D(2020, 1, 1)
Y = 100  # cents per yuan

PRODUCTS = [
    Product("DD", "deposit_demand"),
    Product("TD", "deposit_time", "R1"),
    Product("WM2", "wealth", "R2"),
    Product("WM3", "wealth", "R3"),
    Product("FD4", "fund", "R4"),
    Product("INS", "insurance", "R2"),
    Product("PM", "precious_metal", "R3"),
    Product("TR5", "trust", "R5"),
    Product("LN", "loan"),
    Product("CC", "credit_card"),
    Product("MB", "mobile_banking"),
    Product("PR", "payroll"),
]


class Builder:
    def __init__(self):
        self.bank = Bank()
        self.bank.branches = {"H001": None, "B001": "H001", "B002": "H001"}
        self.bank.staff = {
            "S001": Staff("S001", "B001"),
            "S002": Staff("S002", "B002"),
            "S009": Staff("S009", "B001", "left"),
        }
        self.bank.products = {p.code: p for p in PRODUCTS}
        self.scenarios: dict[str, list[str]] = {}
        self._txn = 0

    def customer(self, scenario, suffix="", *, branch="B001", rm="S001", onboard=LONG_AGO, status="active"):
        no = f"{scenario}{suffix}"
        self.bank.customers[no] = Customer(no, branch, rm, onboard, status)
        self.scenarios.setdefault(scenario, []).append(no)
        return no

    def account(self, customer_no, product, *, opened=LONG_AGO, maturity=None, closed=None, status="active"):
        n = sum(1 for a in self.bank.accounts.values() if a.customer_no == customer_no) + 1
        no = f"{customer_no}-{n}"
        self.bank.accounts[no] = Account(no, customer_no, product, opened, maturity, closed, status)
        return no

    def flat(self, account_no, first, last, yuan_cents):
        self.bank.flat(account_no, first, last, yuan_cents)

    def both_months(self, account_no, cents):
        self.bank.flat(account_no, SEP1, D_END, cents)

    def txn(self, account_no, when: dt.datetime, *, initiated=True, business_date=None):
        self._txn += 1
        channel = "mobile" if initiated else "system"
        self.bank.transactions.append(
            Txn(f"T{self._txn:06d}", account_no, when, 100 * Y, "D", channel, initiated, business_date)
        )

    def kyc(self, customer_no, assessed, expires, level="C3"):
        self.bank.kyc.append(Kyc(customer_no, assessed, level, expires))


def adversarial_bank() -> tuple[Bank, dict[str, list[str]]]:
    b = Builder()
    t = dt.datetime

    # --- rounding: half-up on exact decimals ---------------------------------------------------
    c = b.customer("RND_HALF")  # Sep: 149,999,985 / 30 = 4,999,999.5 -> 50,000.00 = vip; Oct-16: 79,999,992/16
    a = b.account(c, "DD")
    b.flat(a, SEP1, D(2026, 9, 29), 5_000_000)
    b.bank.set_balance(a, SEP30, 4_999_985)
    b.flat(a, OCT1, D(2026, 10, 15), 5_000_000)
    b.bank.set_balance(a, D_MID, 4_999_992)
    b.flat(a, D(2026, 10, 17), D_END, 5_000_000)
    c = b.customer("RND_BELOW")  # Oct-16: 79,999,990 / 16 = 4,999,999.375 -> 49,999.99 mass, edge
    a = b.account(c, "WM2")
    b.flat(a, OCT1, D(2026, 10, 15), 5_000_000)
    b.bank.set_balance(a, D_MID, 4_999_990)
    c = b.customer("RND_EDGE_HALF")  # Oct-16: 63,999,992/16 = 3,999,999.5 -> 40,000.00: edge on the rounded value
    a = b.account(c, "FD4")
    b.flat(a, OCT1, D(2026, 10, 15), 4_000_000)
    b.bank.set_balance(a, D_MID, 3_999_992)
    b.kyc(c, D(2026, 1, 1), D(2027, 1, 1))
    c = b.customer("RND_FLOAT")  # 1608/16 = 100.5 cents -> 1.01 (a binary float gives 1.00); Sep 3015/30
    a = b.account(c, "DD")
    b.bank.set_balance(a, OCT1, 1608)
    b.bank.set_balance(a, SEP1, 3015)
    c = b.customer("RND_NEGHALF")  # Oct-16: -8/16 = -0.5 cent -> -0.01 (ties away from zero)
    a = b.account(c, "DD")
    b.bank.set_balance(a, OCT1, -8)
    c = b.customer("RND_NEGMIX")  # overdraft counts negative in AUM: 70,000 - 10,000 = 60,000 vip
    a1, a2 = b.account(c, "DD"), b.account(c, "WM3")
    b.both_months(a1, -10_000 * Y)
    b.both_months(a2, 70_000 * Y)
    b.kyc(c, D(2026, 1, 1), D(2027, 1, 1))
    c = b.customer("RND_MISSINGDAYS")  # days without a row count as 0: 10 rows of 31,000 -> 310,000/31
    a = b.account(c, "DD")
    b.flat(a, D(2026, 10, 22), D_END, 31_000 * Y)

    # --- tier boundaries, to the cent ----------------------------------------------------------
    for suffix, cents in [
        ("_MASS_TOP", 4_999_999),
        ("_VIP_LOW", 5_000_000),
        ("_EDGE40K", 4_000_000),
        ("_EDGE40K_LESS", 3_999_999),
        ("_VIP400K", 40_000_000),
        ("_VIP400K_LESS", 39_999_999),
        ("_VIP_TOP", 49_999_999),
        ("_WEALTH_LOW", 50_000_000),
        ("_W4800K", 480_000_000),
        ("_W4800K_LESS", 479_999_999),
        ("_WEALTH_TOP", 599_999_999),
        ("_PRIVATE_LOW", 600_000_000),
    ]:
        c = b.customer("TIER", suffix)
        a1, a2 = b.account(c, "WM2"), b.account(c, "CC")
        b.both_months(a1, cents - 100)
        b.both_months(b.account(c, "TD"), 100)
        b.both_months(a2, 1_000 * Y)  # a credit card's balance is not AUM
    c = b.customer("AUM_LOANCC")  # loans and cards are not AUM; loan_end = loan balance on D
    a1, a2, a3 = b.account(c, "LN"), b.account(c, "CC"), b.account(c, "DD")
    b.both_months(a1, 1_000_000 * Y)
    b.bank.set_balance(a1, D_END, 999_999 * Y + 99)
    b.both_months(a2, 20_000 * Y)
    b.both_months(a3, 100 * Y)
    c = b.customer("AUM_ALLCATS")  # every AUM category adds up; deposit_avg only demand + time
    for product, yuan in [("DD", 1), ("TD", 2), ("WM2", 4), ("FD4", 8), ("INS", 16), ("PM", 32), ("TR5", 64)]:
        b.both_months(b.account(c, product), yuan * 1000 * Y + 1)
    b.kyc(c, D(2026, 1, 1), D(2027, 6, 1))

    # --- closed accounts, closed customers, onboarding --------------------------------------------
    c = b.customer("CLOSEDACC")  # rows before closing count in AUM; the account is not held
    a = b.account(c, "WM3", closed=D(2026, 10, 10), status="closed")
    b.flat(a, SEP1, D(2026, 10, 9), 1_000_000 * Y)
    b.both_months(b.account(c, "DD"), 10 * Y)
    c = b.customer("CUSTCLOSED_ROWS", status="closed")  # closed customer with rows in M: in the snapshot
    b.flat(b.account(c, "DD", closed=D(2026, 10, 6), status="closed"), D(2026, 10, 3), D(2026, 10, 5), 7_000 * Y)
    c = b.customer("CUSTCLOSED_SEPONLY", status="closed")  # rows only in M-1: in Sep, not in Oct
    b.flat(b.account(c, "DD", closed=D(2026, 9, 20), status="closed"), SEP1, D(2026, 9, 19), 90_000 * Y)
    c = b.customer("CUSTCLOSED_LATEROW", status="closed")  # row after D_MID: only in the month-end run
    b.bank.set_balance(b.account(c, "DD"), D(2026, 10, 20), 5 * Y)
    c = b.customer("CUSTCLOSED_NOROWS", status="closed")  # no rows at all: never in a snapshot
    b.account(c, "DD", closed=D(2025, 1, 1), status="closed")
    b.customer("ONB_FUTURE", onboard=D(2026, 11, 5))  # onboard after D, no rows: not in the snapshot
    c = b.customer("ONB_LATE", onboard=D(2026, 10, 20))  # joins after D_MID: month-end only, migration new
    b.flat(b.account(c, "DD", opened=D(2026, 10, 20)), D(2026, 10, 20), D_END, 80_000 * Y)
    c = b.customer("ONB_AFTER_WITHROW", onboard=D(2026, 11, 1))  # a row in M up to D puts it in
    b.bank.set_balance(b.account(c, "DD", opened=D(2026, 10, 31)), D_END, 3_100 * Y)
    c = b.customer("ONB_ON_D", onboard=D_END)  # only account opened on D: held
    b.bank.set_balance(b.account(c, "DD", opened=D_END), D_END, 100 * Y)
    b.account(c, "MB", opened=D(2026, 11, 1))  # late opening: not held on D
    b.customer("ONB_NOACCOUNTS")  # in the snapshot with zeros
    c = b.customer("LATEOPEN")  # a card opened on D_END: held at month end, not at D_MID
    b.account(c, "CC", opened=D_END)
    b.account(c, "PR", opened=D(2026, 11, 1))

    b.customer("ONB_EXACT_D", onboard=D_END)  # onboard_date = D, nothing else: in the month-end snapshot
    c = b.customer("CUSTCLOSED_ZEROROW", status="closed")  # a row of 0.00 is still a balance row
    b.bank.set_balance(b.account(c, "DD"), D(2026, 10, 5), 0)
    c = b.customer("CUSTCLOSED_LOANROW", status="closed")  # a loan row (not AUM) is still a balance row
    b.bank.set_balance(b.account(c, "LN"), D(2026, 10, 5), 5_000 * Y)
    b.bank.flat("GHOST-1", SEP1, D_END, 999_999 * Y)  # a balance of an account nobody knows: ignored

    # --- products held and cross-sell --------------------------------------------------------------
    def xs(suffix, holdings, rm="S001"):
        c = b.customer("XS", suffix, rm=rm)
        for product, cents, kw in holdings:
            a = b.account(c, product, **kw)
            if cents is not None:
                b.both_months(a, cents)
        return c

    xs("_DEPOSIT_ONE", [("DD", 30_000 * Y, {}), ("TD", 30_000 * Y, {})])  # vip, 1 category
    xs("_VIP3", [("DD", 60_000 * Y, {}), ("CC", None, {}), ("MB", None, {})])  # 3: qualified
    xs("_VIP3_PAYROLL", [("DD", 60_000 * Y, {}), ("PR", None, {}), ("MB", None, {})])
    xs("_VIP_LOAN", [("DD", 60_000 * Y, {}), ("LN", 200_000 * Y, {}), ("MB", None, {})])  # loan > 0 held
    c = xs("_VIP_LOAN0", [("DD", 60_000 * Y, {}), ("LN", 200_000 * Y, {}), ("MB", None, {})])
    b.bank.set_balance(f"{c}-2", D_END, 0)  # loan repaid on D: not held, loan_end 0
    b.bank.set_balance(f"{c}-2", D_MID, 0)
    xs("_WEALTH4", [("WM2", 600_000 * Y, {}), ("DD", 1, {}), ("FD4", 1, {}), ("INS", 1, {})])
    xs("_WEALTH3", [("WM2", 600_000 * Y, {}), ("DD", 1, {}), ("TD", 1, {}), ("FD4", 1, {})])
    xs("_PRIVATE5", [("DD", 1, {}), ("WM2", 6_000_000 * Y, {}), ("FD4", 1, {}), ("INS", 1, {}), ("PM", 1, {})])
    xs("_PRIVATE4", [("DD", 1, {}), ("TD", 1, {}), ("WM2", 6_000_000 * Y, {}), ("FD4", 1, {}), ("INS", 1, {})])
    xs(
        "_MASS_MANY",
        [("DD", 1, {}), ("WM2", 1, {}), ("FD4", 1, {}), ("INS", 1, {}), ("PM", 1, {}), ("CC", None, {})],
    )
    xs(
        "_CLOSINGS",
        [
            ("DD", 60_000 * Y, {}),
            ("CC", None, {"closed": D_END}),  # close_date = D: not held on D
            ("MB", None, {"status": "closed"}),  # status closed without a date: not held
            ("PR", None, {"closed": D(2026, 11, 1)}),  # closes tomorrow: held today
        ],
    )
    xs(
        "_CLOSED_LATER",  # issue 8.13: today's status must not decide a past date
        [
            ("DD", 60_000 * Y, {}),
            ("CC", None, {"closed": D(2026, 11, 1), "status": "closed"}),  # closed after D: held on D
            ("MB", None, {"closed": D_END}),  # close_date = D decides even with status active: not held
            ("PR", None, {"closed": D(2026, 10, 20), "status": "closed"}),  # held at D_MID, not at D_END
        ],
    )
    xs("_STATUSES", [("DD", 60_000 * Y, {"status": "frozen"}), ("CC", None, {"status": "dormant"}), ("MB", None, {})])
    c = xs("_NEGATIVE", [("DD", 60_000 * Y, {}), ("TD", 0, {}), ("WM2", 5 * Y, {})])
    b.bank.set_balance(f"{c}-3", D_END, -1)  # negative on D: not held
    b.bank.set_balance(f"{c}-3", D_MID, -1)

    # --- dormancy window (D_END: D-364 = 2025-11-01, D-365 = 2025-10-31; D_MID: 2025-10-17 / 10-16) ----
    def dormant_customer(suffix, *, opened=None):
        c = b.customer("DOR", suffix)
        a = b.account(c, "DD", opened=opened or D(2025, 1, 1))
        b.both_months(a, 100 * Y)
        return c, a

    _, a = dormant_customer("_CI_364")
    b.txn(a, t(2025, 11, 1, 0, 0, 0))  # inside the window of D_END: not dormant then
    _, a = dormant_customer("_CI_365")
    b.txn(a, t(2025, 10, 31, 23, 59, 59))  # one day too old for D_END: dormant
    _, a = dormant_customer("_NONCI")
    b.txn(a, t(2026, 10, 31, 9, 0, 0), initiated=False)  # interest/fees do not wake a customer
    dormant_customer("_OPEN364", opened=D(2025, 11, 1))  # no account old enough
    dormant_customer("_OPEN365", opened=D(2025, 10, 31))  # exactly D-365: old enough at D_END
    c, _ = dormant_customer("_OLDCLOSED", opened=D(2026, 2, 1))
    b.account(c, "DD", opened=LONG_AGO, closed=D(2026, 1, 1), status="closed")  # the old one is closed
    c, _ = dormant_customer("_OLDSTATUSCLOSED", opened=D(2026, 2, 1))
    b.account(c, "TD", opened=LONG_AGO, status="closed")
    c, _ = dormant_customer("_OLDSTATUSDORMANT", opened=D(2026, 2, 1))
    b.account(c, "TD", opened=LONG_AGO, status="dormant")  # 久悬 is not closed
    c, _ = dormant_customer("_CI_ON_CLOSED")
    closed = b.account(c, "CC", opened=D(2025, 6, 1), closed=D(2026, 6, 1), status="closed")
    b.txn(closed, t(2026, 5, 1, 10, 0, 0))  # activity on any of its accounts counts
    _, a = dormant_customer("_CI_AFTER_MID")
    b.txn(a, t(2026, 10, 20, 10, 0, 0))  # dormant at D_MID, active at D_END
    _, a = dormant_customer("_MID_364")
    b.txn(a, t(2025, 10, 17, 12, 0, 0))  # D_MID-364: active at D_MID; too old at D_END
    _, a = dormant_customer("_MID_365")
    b.txn(a, t(2025, 10, 16, 12, 0, 0))  # D_MID-365: dormant at both
    c, _ = dormant_customer("_CLOSES_LATER", opened=D(2026, 2, 1))
    b.account(c, "TD", opened=LONG_AGO, closed=D(2026, 11, 15))  # closes after D: still open on D
    _, a = dormant_customer("_LATE_POST")  # paid 2025-10-31 23:30, in the 2025-11-01 file: too old
    b.txn(a, t(2025, 10, 31, 23, 30, 0), business_date=D(2025, 11, 1))
    _, a = dormant_customer("_EARLY_POST")  # paid 2025-11-01 00:10, in the 2025-10-31 file: in the window
    b.txn(a, t(2025, 11, 1, 0, 10, 0), business_date=D(2025, 10, 31))
    _, a = dormant_customer("_FUTURE")
    b.txn(a, t(2026, 11, 2, 8, 0, 0))  # after D: ignored

    # --- dormant with potential: highest aum_avg of the 24 months ending with M ---------------------
    def potential(suffix):
        c = b.customer("DP", suffix)
        return b.account(c, "DD", opened=LONG_AGO)

    b.bank.set_balance(potential("_M23"), D(2024, 11, 30), 1_500_000 * Y)  # Nov 2024: 50,000.00 (M-23)
    b.bank.set_balance(potential("_M24"), D(2024, 10, 31), 1_550_000 * Y)  # Oct 2024: 50,000.00 (M-24)
    b.bank.flat(potential("_PREV"), SEP1, SEP30, 50_000 * Y)  # Sep: 50,000.00, Oct: 0 (down too)
    b.bank.flat(potential("_NOW"), OCT1, D_END, 60_000 * Y)
    b.bank.flat(potential("_BELOW"), SEP1, SEP30, 49_999 * Y + 99)
    b.bank.set_balance(potential("_UNSTORED"), D(2025, 3, 31), 1_550_000 * Y)  # a month never computed
    a = potential("_ACTIVE")
    b.bank.flat(a, SEP1, SEP30, 90_000 * Y)
    b.txn(a, t(2026, 3, 1, 9, 0, 0))

    # --- maturity window (D_END: D+1 = 11-01 .. D+30 = 11-30; D_MID: 10-17 .. 11-15) -----------------
    def maturing(suffix, product, maturity, **kw):
        c = b.customer("MAT", suffix)
        a = b.account(c, product, maturity=maturity, **kw)
        b.both_months(a, 10_000 * Y)
        return c

    maturing("_D30", "WM2", D(2026, 11, 30))
    maturing("_D31", "TD", D(2026, 12, 1))
    maturing("_D0", "TR5", D_END)  # on D itself: not in D+1..D+30 (but inside D_MID's window)
    maturing("_D1", "TD", D(2026, 11, 1))
    maturing("_MID31", "TD", D(2026, 11, 16))  # D_MID+31: only at month end
    maturing("_CLOSED", "WM2", D(2026, 11, 10), closed=D(2026, 10, 20), status="closed")
    maturing("_FUND", "FD4", D(2026, 11, 10))  # funds are not in the maturing categories
    c = b.customer("MAT_LATEOPEN")  # opened after D: not an open account on D
    b.account(c, "TD", opened=D(2026, 11, 1), maturity=D(2026, 11, 20))
    c = maturing("_MULTI", "WM2", D(2026, 11, 20))
    b.both_months(b.account(c, "TD", maturity=D(2026, 11, 5)), 10_000 * Y)  # nearest: 11-05
    c = maturing("_LEFT_RM", "TD", D(2026, 11, 3))
    b.bank.customers[c] = Customer(c, "B002", "S009", LONG_AGO)

    # --- KYC window (holds an R3+ product unless said otherwise) -----------------------------------
    def kyc_customer(suffix, product="WM3", cents=10_000 * Y):
        c = b.customer("KYC", suffix)
        a = b.account(c, product)
        if cents is not None:
            b.both_months(a, cents)
        return c, a

    c, _ = kyc_customer("_D30")
    b.kyc(c, D(2025, 11, 30), D(2026, 11, 30))
    c, _ = kyc_customer("_D31")
    b.kyc(c, D(2025, 12, 1), D(2026, 12, 1))
    c, _ = kyc_customer("_EXPIRED")
    b.kyc(c, D(2025, 6, 1), D(2026, 6, 1))
    kyc_customer("_NONE")
    c, _ = kyc_customer("_AFTER_D")  # an assessment after D is not in force on D
    b.kyc(c, D(2024, 10, 1), D(2025, 10, 1))
    b.kyc(c, D(2026, 11, 2), D(2027, 11, 1))
    c, _ = kyc_customer("_ONLY_AFTER_D")
    b.kyc(c, D(2026, 11, 3), D(2027, 11, 2))
    c, _ = kyc_customer("_NEWEST")  # the newest assessment rules, not the longest-lived one
    b.kyc(c, D(2025, 1, 1), D(2027, 12, 31))
    b.kyc(c, D(2026, 10, 1), D(2026, 11, 15))
    c, _ = kyc_customer("_MID30")  # D_MID + 30 = 11-15 (a calendar month later would be 11-16)
    b.kyc(c, D(2025, 11, 15), D(2026, 11, 15))
    c, _ = kyc_customer("_MID31")
    b.kyc(c, D(2025, 11, 16), D(2026, 11, 16))
    c, _ = kyc_customer("_ASSESSED_ON_D")
    b.kyc(c, D(2024, 1, 1), D(2025, 1, 1))
    b.kyc(c, D_END, D(2027, 10, 31))
    c = b.customer("KYC_R3_CLOSED")  # the R3 product is closed: nothing risky held
    a = b.account(c, "WM3", closed=D(2026, 10, 10), status="closed")
    b.flat(a, SEP1, D(2026, 10, 9), 10_000 * Y)
    b.both_months(b.account(c, "DD"), 10 * Y)
    kyc_customer("_R2", "WM2")
    kyc_customer("_R3_ZERO", cents=0)
    c, a = kyc_customer("_R3_NOROW_ON_D", cents=None)
    b.flat(a, SEP1, D(2026, 10, 30), 10_000 * Y)
    kyc_customer("_R4_FUND", "FD4")
    kyc_customer("_R3_METAL", "PM")
    c = b.customer("KYC_R5_FROZEN")
    b.both_months(b.account(c, "TR5", status="frozen"), 10_000 * Y)

    # --- migration ---------------------------------------------------------------------------------
    def migrating(suffix, sep_cents, oct_cents, **kw):
        c = b.customer("MIG", suffix, **kw)
        a = b.account(c, "WM2")
        if sep_cents is not None:
            b.flat(a, SEP1, SEP30, sep_cents)
        if oct_cents is not None:
            b.flat(a, OCT1, D_END, oct_cents)
        return c

    migrating("_UP", 10_000 * Y, 60_000 * Y)
    migrating("_DOWN", 600_000 * Y, 100_000 * Y)
    migrating("_PRIV_TO_MASS", 7_000_000 * Y, None)
    migrating("_SAME", 100_000 * Y, 100_000 * Y)
    migrating("_ZERO_SAME", None, None)
    migrating("_NEW", None, 70_000 * Y, onboard=D(2026, 10, 5))
    c = migrating("_SEPMID", None, 100_000 * Y)  # Sep 1-15: nothing; Sep 16-30: 200,000 -> vip at 09-30
    b.flat(f"{c}-1", D(2026, 9, 16), SEP30, 200_000 * Y)
    migrating("_CLOSED_BOTH", 600_000 * Y, 60_000 * Y, status="closed")
    migrating("_CLOSED_OCT_ONLY", None, 60_000 * Y, status="closed")

    # --- list assignment ---------------------------------------------------------------------------
    c = b.customer("ASG_LEFT_RM", rm="S009")  # left: branch queue, unassigned
    b.both_months(b.account(c, "DD"), 45_000 * Y)
    c = b.customer("ASG_NO_RM", branch="B002", rm=None)
    b.both_months(b.account(c, "DD"), 80_000 * Y)
    c = b.customer("ASG_CLOSED_NO_RM", branch="B002", rm=None, status="closed")  # not "active": not unassigned
    b.both_months(b.account(c, "DD"), 45_000 * Y)
    c = b.customer("ASG_RM_OTHER_BRANCH", branch="B002", rm="S001")
    b.both_months(b.account(c, "DD"), 46_000 * Y)
    c = b.customer("ASG_TIE_A", rm=None)  # equal aum_avg: order among them not fixed by the spec
    b.both_months(b.account(c, "DD"), 44_000 * Y)
    c = b.customer("ASG_TIE_B", rm=None)
    b.both_months(b.account(c, "DD"), 44_000 * Y)
    return b.bank, b.scenarios


def random_bank(seed: int, customers: int = 300) -> Bank:
    """A seeded random bank over Sep and Oct 2026 (plus a dormancy window of transactions)."""
    rng = np.random.default_rng(seed)
    b = Builder()
    products = list(b.bank.products)
    days = [SEP1 + dt.timedelta(days=i) for i in range(61)]
    for i in range(customers):
        status = "closed" if rng.random() < 0.08 else "active"
        onboard = D_END + dt.timedelta(days=int(rng.integers(-900, 20)))
        rm = [None, "S001", "S002", "S009"][int(rng.choice(4, p=[0.1, 0.4, 0.4, 0.1]))]
        c = b.customer(f"R{i:04d}", branch=["B001", "B002"][i % 2], rm=rm, onboard=onboard, status=status)
        scale = int(10 ** rng.uniform(2, 8.9))  # cents: 1 yuan .. ~8 million yuan
        for _ in range(int(rng.integers(0, 5))):
            product = products[int(rng.integers(len(products)))]
            opened = D_END + dt.timedelta(days=int(rng.integers(-800, 10)))
            closed = None
            acc_status = ["active", "active", "active", "dormant", "frozen", "closed"][int(rng.integers(6))]
            if acc_status == "closed" or rng.random() < 0.1:
                closed = D_END + dt.timedelta(days=int(rng.integers(-40, 5)))
            maturity = D_END + dt.timedelta(days=int(rng.integers(-5, 40))) if rng.random() < 0.4 else None
            a = b.account(c, product, opened=opened, maturity=maturity, closed=closed, status=acc_status)
            if rng.random() < 0.8:
                start, end = int(rng.integers(0, 61)), int(rng.integers(0, 61))
                for day in days[min(start, end) : max(start, end) + 1]:
                    if rng.random() < 0.9:
                        cents = int(scale * rng.uniform(-0.05, 1.5)) + int(rng.integers(0, 100))
                        b.bank.set_balance(a, day, cents)
            for _ in range(int(rng.integers(0, 3))):
                base = [dt.datetime(2025, 10, 31), dt.datetime(2025, 10, 16), dt.datetime(2026, 10, 20)]
                when = base[int(rng.integers(3))] + dt.timedelta(hours=int(rng.integers(-48, 48)))
                b.txn(a, when, initiated=bool(rng.random() < 0.6))
        for _ in range(int(rng.integers(0, 3))):
            assessed = D_END + dt.timedelta(days=int(rng.integers(-800, 10)))
            expires = assessed + dt.timedelta(days=int(rng.choice([365, 730, 370])))
            if all(k.customer_no != c or k.assessed_date != assessed for k in b.bank.kyc):
                b.kyc(c, assessed, expires)
    return b.bank


def history_bank() -> Bank:
    """Balances in Aug, Sep and Oct 2026 and nothing stored: one run at D_END must compute Sep and,
    for Sep's own prev_tier, Aug first (spec "Migration", applied to the automatically computed M-1)."""
    b = Builder()
    c = b.customer("HIST_DOWN")  # Aug wealth, Sep vip, Oct mass
    a = b.account(c, "DD")
    b.flat(a, D(2026, 8, 1), D(2026, 8, 31), 600_000 * Y)
    b.flat(a, SEP1, SEP30, 60_000 * Y)
    b.flat(a, OCT1, D_END, 100 * Y)
    c = b.customer("HIST_PEAK_AUG")  # dormant; its only month >= 50,000 is Aug (M-2)
    b.flat(b.account(c, "DD"), D(2026, 8, 1), D(2026, 8, 31), 70_000 * Y)
    c = b.customer("HIST_SAME")
    b.flat(b.account(c, "DD"), D(2026, 8, 1), D_END, 100 * Y)
    return b.bank


LEAP_RUNS = [D(2028, 2, 29), D(2028, 3, 31)]


def leap_bank() -> Bank:
    """Windows counted in days, not calendar months/years: a leap day lies inside them."""
    b = Builder()
    t = dt.datetime
    feb1, mar31 = D(2028, 2, 1), D(2028, 3, 31)

    def customer(name, *, opened=LONG_AGO, product="DD", maturity=None):
        c = b.customer(name)
        a = b.account(c, product, opened=opened, maturity=maturity)
        b.flat(a, feb1, mar31, 2_900 * Y + 1)
        return c, a

    # D = 2028-03-31: D-365 = 2027-04-01, D-364 = 2027-04-02 (one year back would be 2027-03-31)
    b.txn(customer("LEAP_CI_365")[1], t(2027, 4, 1, 12, 0, 0))
    b.txn(customer("LEAP_CI_364")[1], t(2027, 4, 2, 12, 0, 0))
    b.txn(customer("LEAP_CI_1Y")[1], t(2027, 3, 31, 12, 0, 0))
    customer("LEAP_OPEN_365", opened=D(2027, 4, 1))
    customer("LEAP_OPEN_364", opened=D(2027, 4, 2))
    # D = 2028-02-29: D-365 = 2027-03-01, D-364 = 2027-03-02; D+30 = 2028-03-30
    b.txn(customer("LEAPF_CI_365")[1], t(2027, 3, 1, 12, 0, 0))
    b.txn(customer("LEAPF_CI_364")[1], t(2027, 3, 2, 12, 0, 0))
    customer("LEAPF_MAT30", product="TD", maturity=D(2028, 3, 30))
    customer("LEAPF_MAT31", product="TD", maturity=D(2028, 3, 31))
    c, _ = customer("LEAPF_KYC30", product="WM3")
    b.kyc(c, D(2027, 3, 30), D(2028, 3, 30))
    c, _ = customer("LEAPF_KYC31", product="WM3")
    b.kyc(c, D(2027, 3, 31), D(2028, 3, 31))
    return b.bank
