"""Put a reference Bank into the database and the warehouse, run the engine, read back its CSVs, diff."""

from __future__ import annotations

import csv
import datetime as dt
import io
import traceback
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
from django.core.management import call_command

from .metrics_reference import (
    LIST_COLUMNS,
    LIST_KINDS,
    ORDERED_LISTS,
    SNAPSHOT_COLUMNS,
    Bank,
    ListRow,
    Reference,
    Row,
    money,
    month_key,
    prev_month_end,
)


def load_bank(bank: Bank) -> None:
    from bankcrm.core import warehouse
    from bankcrm.customers.models import Account, Customer, KycAssessment, Product
    from bankcrm.org.models import Branch, Staff

    for code in sorted(bank.branches, key=lambda c: bank.branches[c] is not None):
        Branch.objects.create(code=code, name=f"支行 {code}", parent_id=bank.branches[code])
    Staff.objects.bulk_create(
        Staff(staff_no=s.staff_no, name=s.staff_no, branch_id=s.branch, role="rm", status=s.status)
        for s in bank.staff.values()
    )
    Product.objects.bulk_create(
        Product(code=p.code, name=p.code, category=p.category, risk_level=p.risk_level) for p in bank.products.values()
    )
    Customer.objects.bulk_create(
        Customer(
            customer_no=c.customer_no,
            name=c.customer_no,
            id_type="OTHER",
            id_number=c.customer_no,
            branch_id=c.branch,
            rm_id=c.rm,
            onboard_date=c.onboard_date,
            status=c.status,
        )
        for c in bank.customers.values()
    )
    Account.objects.bulk_create(
        Account(
            account_no=a.account_no,
            customer_id=a.customer_no,
            product_id=a.product,
            open_date=a.open_date,
            maturity_date=a.maturity_date,
            close_date=a.close_date,
            status=a.status,
        )
        for a in bank.accounts.values()
    )
    KycAssessment.objects.bulk_create(
        KycAssessment(
            customer_id=k.customer_no,
            assessed_date=k.assessed_date,
            risk_level=k.risk_level,
            expires_date=k.expires_date,
            channel="branch",
        )
        for k in bank.kyc
    )
    for day, rows in sorted(bank.balances.items()):
        table = pa.table(
            {"account_no": list(rows), "balance_cents": list(rows.values())}, schema=warehouse.BALANCES_SCHEMA
        )
        warehouse.replace_partition("balances", day, _writer(table))
    by_day: dict[dt.date, list] = {}
    for t in bank.transactions:
        by_day.setdefault(t.partition_date, []).append(t)
    for day, txns in sorted(by_day.items()):
        table = pa.table(
            {
                "txn_id": [t.txn_id for t in txns],
                "account_no": [t.account_no for t in txns],
                "txn_time": [t.txn_time for t in txns],
                "amount_cents": [t.amount_cents for t in txns],
                "direction": [t.direction for t in txns],
                "channel": [t.channel for t in txns],
                "customer_initiated": [t.customer_initiated for t in txns],
                "counterparty_account": [None] * len(txns),  # optional: no transfers in these banks
            },
            schema=warehouse.TRANSACTIONS_SCHEMA,
        )
        warehouse.replace_partition("transactions", day, _writer(table))


def _writer(table):
    def write(folder: Path) -> None:
        pq.write_table(table, folder / "part-0.parquet")

    return write


def read_csv(path: Path) -> tuple[list[str], list[dict[str, str]], str]:
    text = path.read_text(encoding="utf-8-sig")
    reader = csv.reader(io.StringIO(text, newline=""))
    rows = list(reader)
    header = rows[0] if rows else []
    return header, [dict(zip(header, r, strict=False)) for r in rows[1:]], text


def replay(bank: Bank, runs: list[dt.date], engine: str, out_dir: Path) -> dict:
    """Run ``metrics`` for each date (in order); after each, export the month, M-1 and every list."""
    captured: dict = {"error": None}
    for as_of in runs:
        try:
            call_command("metrics", "--as-of", as_of.isoformat(), "--engine", engine, stdout=io.StringIO())
        except Exception:  # the tests report it as the failure
            captured["error"] = f"metrics --as-of {as_of} --engine {engine} failed:\n{traceback.format_exc()}"
            return captured
        for month in (month_key(as_of), month_key(prev_month_end(as_of))):
            out = out_dir / f"cm-{as_of}-{month}.csv"
            # M-1 of the first month was never computed: its empty export is expected (issue 15.10).
            call_command(
                "export", "customer-month", "--month", month, "--out", str(out), "--allow-empty", stdout=io.StringIO()
            )
            captured[("month", as_of, month)] = read_csv(out)
        for kind in LIST_KINDS:
            out = out_dir / f"list-{as_of}-{kind}.csv"
            call_command(
                "export", "list", "--kind", kind, "--as-of", as_of.isoformat(), "--out", str(out), stdout=io.StringIO()
            )
            captured[("list", as_of, kind)] = read_csv(out)
    return captured


def expected_replay(bank: Bank, runs: list[dt.date]) -> dict:
    ref = Reference(bank)
    expected = {}
    for as_of in runs:
        ref.run(as_of)
        for month in (month_key(as_of), month_key(prev_month_end(as_of))):
            stored = ref.stored.get(month)
            expected[("month", as_of, month)] = dict(stored[1]) if stored else {}
        for kind in LIST_KINDS:
            expected[("list", as_of, kind)] = ref.lists[(kind, as_of)]
    return expected


def diff_month(label: str, expected: dict[str, Row], got, customers=None) -> list[str]:
    header, rows, _ = got
    problems = []
    if header and header != SNAPSHOT_COLUMNS:
        problems.append(f"{label}: header {header} != {SNAPSHOT_COLUMNS}")
    got_by_no = {r.get("customer_no"): r for r in rows}
    wanted = set(expected) if customers is None else set(expected) & set(customers)
    present = set(got_by_no) if customers is None else set(got_by_no) & set(customers)
    for no in sorted(wanted - present):
        problems.append(f"{label}: {no} missing from the snapshot (expected {expected[no].cells()})")
    for no in sorted(present - wanted):
        problems.append(f"{label}: {no} in the snapshot but should not be")
    for no in sorted(wanted & present):
        want = expected[no].cells()
        for col in SNAPSHOT_COLUMNS:
            if got_by_no[no].get(col) != want[col]:
                problems.append(f"{label}: {no}.{col} expected {want[col]!r} got {got_by_no[no].get(col)!r}")
    if customers is None:
        order = [r.get("customer_no") for r in rows]
        if order != sorted(order):
            problems.append(f"{label}: rows not ordered by customer_no")
    return problems


def diff_list(label: str, kind: str, expected: list[ListRow], got, customers=None) -> list[str]:
    header, rows, _ = got
    problems = []
    if header and header != LIST_COLUMNS:
        problems.append(f"{label}: header {header} != {LIST_COLUMNS}")
    scope = (lambda no: True) if customers is None else (lambda no: no in customers)
    want = {r.customer_no: r for r in expected if scope(r.customer_no)}
    got_by_no = {r.get("customer_no"): r for r in rows if scope(r.get("customer_no"))}
    for no in sorted(set(want) - set(got_by_no)):
        problems.append(f"{label}: {no} missing from list {kind}")
    for no in sorted(set(got_by_no) - set(want)):
        problems.append(f"{label}: {no} on list {kind} but should not be")
    for no in sorted(set(want) & set(got_by_no)):
        w, g = want[no], got_by_no[no]
        cells = {
            "kind": kind,
            "as_of": w.as_of.isoformat(),
            "branch_code": w.branch_code,
            "assignee": w.assignee,
            "aum_avg": money(w.aum_avg),
            "tier": w.tier,
        }
        for col, value in cells.items():
            if g.get(col) != value:
                problems.append(f"{label}: list {kind} {no}.{col} expected {value!r} got {g.get(col)!r}")
    if customers is None:
        ranks = sorted(int(r["rank"]) for r in rows)
        if ranks != list(range(1, len(rows) + 1)):
            problems.append(f"{label}: list {kind} ranks {ranks} are not 1..n")
        if kind in ORDERED_LISTS:
            keys = {r.customer_no: r.sort_key[:-1] for r in expected}
            by_rank = [r["customer_no"] for r in sorted(rows, key=lambda r: int(r["rank"]))]
            seq = [keys[no] for no in by_rank if no in keys]
            if seq != sorted(seq):
                problems.append(f"{label}: list {kind} not ordered by {ORDERED_LISTS[kind]}: {by_rank}")
    return problems


def all_problems(expected: dict, captured: dict, customers=None) -> list[str]:
    if captured.get("error"):
        return [captured["error"]]
    problems = []
    for key, want in expected.items():
        label = f"{key[0]} as of {key[1]} [{key[2]}]"
        got = captured.get(key)
        if got is None:
            problems.append(f"{label}: not exported")
        elif key[0] == "month":
            problems += diff_month(label, want, got, customers)
        else:
            problems += diff_list(label, key[2], want, got, customers)
    return problems
