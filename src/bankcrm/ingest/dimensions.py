"""Dimension files (branches, staff, products, customers, accounts, kyc, sales): validate row by row,
then upsert by key in batches inside the caller's transaction (bulk_create with update_conflicts works
the same on SQLite and PostgreSQL; it bypasses the per-row change log on purpose, docs/adr/0201)."""

import datetime as dt
import functools
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.db import connection
from django.utils import timezone

from bankcrm.campaigns.models import Sale
from bankcrm.customers.models import Account, Customer, KycAssessment, Product
from bankcrm.customers.search_keys import search_keys
from bankcrm.org.models import Branch, Staff
from bankcrm.org.services import disable_logins_of_leavers

from .reader import Record
from .tables import TABLES, TableSpec
from .validation import Problem, check_row

BATCH_SIZE = 2000

# table -> (model, unique fields for the upsert, parsed row -> model kwargs)
MAPPING: dict[str, tuple] = {
    "branches": (
        Branch,
        ["code"],
        lambda r: {"code": r["branch_code"], "name": r["name"], "parent_id": r["parent_code"], "city": r["city"] or ""},
    ),
    "staff": (
        Staff,
        ["staff_no"],
        lambda r: {
            "staff_no": r["staff_no"],
            "name": r["name"],
            "branch_id": r["branch_code"],
            "role": r["role"],
            "status": r["status"],
            # absent from the file's header (the older format): the stored number stays (keep_stored)
            **({"id_number": r["id_number"] or ""} if "id_number" in r else {}),
        },
    ),
    "products": (
        Product,
        ["code"],
        lambda r: {
            "code": r["product_code"],
            "name": r["name"],
            "category": r["category"],
            "risk_level": r["risk_level"] or "",
            "term_days": r["term_days"],
            "fee_rate": r["fee_rate"],
        },
    ),
    "customers": (
        Customer,
        ["customer_no"],
        lambda r: {
            "customer_no": r["customer_no"],
            "name": r["name"],
            "id_type": r["id_type"],
            "id_number": r["id_number"],
            "gender": r["gender"] or "",
            "birth_date": r["birth_date"],
            "phone": r["phone"] or "",
            "address": r["address"] or "",
            "occupation": r["occupation"] or "",
            "branch_id": r["branch_code"],
            "rm_id": r["rm_staff_no"],
            "onboard_date": r["onboard_date"],
            "status": r["status"],
            "marketing_consent": r["marketing_consent"],
            # the search keys travel with the record, so every import keeps them current
            **search_keys(r["name"], r["phone"] or "", r["address"] or ""),
        },
    ),
    "accounts": (
        Account,
        ["account_no"],
        lambda r: {
            "account_no": r["account_no"],
            "customer_id": r["customer_no"],
            "product_id": r["product_code"],
            "open_date": r["open_date"],
            "maturity_date": r["maturity_date"],
            "close_date": r["close_date"],
            "status": r["status"],
            "branch_id": r["branch_code"],
        },
    ),
    "kyc": (
        KycAssessment,
        ["customer", "assessed_date"],
        lambda r: {
            "customer_id": r["customer_no"],
            "assessed_date": r["assessed_date"],
            "risk_level": r["risk_level"],
            "expires_date": r["expires_date"],
            "channel": r["channel"] or "",
        },
    ),
    "sales": (
        Sale,
        ["sale_id"],
        lambda r: {
            "sale_id": r["sale_id"],
            "sale_date": r["sale_date"],
            "customer_id": r["customer_no"],
            "product_id": r["product_code"],
            "amount": r["amount"],
            "fee_income": r["fee_income"],
            "staff_id": r["staff_no"],
            "branch_id": r["branch_code"],
            "channel": r["channel"],
        },
    ),
}


@functools.cache
def max_lengths(table: str) -> dict[str, int]:
    """Spec column -> max_length of the model field it is stored in, read from the models themselves.

    Each column is fed a distinct marker through the table's mapping above and the model field that
    receives it is looked up; a foreign key takes the length of the key it points to. So MAPPING and
    the models stay the one place that says where and how long (issue 8, item 9).
    """
    model, _, to_kwargs = MAPPING[table]
    spec = TABLES[table]
    # only free text: a code, date or number that fits no column is already bad_code/bad_date/bad_number
    markers = {c.name: f"\x00{i}" for i, c in enumerate(spec.columns) if c.kind == "text"}
    limits = {}
    for field_name, value in to_kwargs({name: markers.get(name) for name in spec.column_names}).items():
        column = next((name for name, marker in markers.items() if value == marker), None)
        if column is None:
            continue
        model_field = model._meta.get_field(field_name)
        target = getattr(model_field, "target_field", None) if model_field.is_relation else model_field
        if target is not None and getattr(target, "max_length", None):
            limits[column] = target.max_length
    return limits


# The model whose primary keys are the valid targets of a reference to each table.
KEY_SOURCES = {
    "branches": (Branch, "code"),
    "staff": (Staff, "staff_no"),
    "products": (Product, "code"),
    "customers": (Customer, "customer_no"),
    "accounts": (Account, "account_no"),
}


class KeyStore:
    """Keys that exist in the store (the database) plus those loaded earlier in this delivery."""

    def __init__(self):
        self._keys: dict[str, set] = {}

    def get(self, table: str) -> set:
        if table not in self._keys:
            model, field_name = KEY_SOURCES[table]
            self._keys[table] = set(model._base_manager.values_list(field_name, flat=True).iterator(chunk_size=20000))
        return self._keys[table]

    def add(self, table: str, keys: Iterable) -> None:
        if table in self._keys:
            self._keys[table].update(keys)


@dataclass
class Outcome:
    rows_read: int = 0
    rejects: list[dict] = field(default_factory=list)
    accepted: list[dict] = field(default_factory=list)  # parsed rows to load
    sources: list[Record] = field(default_factory=list)  # the record of each accepted row (same order)

    @property
    def rows_loaded(self) -> int:
        return len(self.accepted)


def reject(record: Record, column: str | None, reason: str, detail: str = "") -> dict:
    return {"line": record.line, "column": column, "reason": reason, "raw": record.raw, "detail": detail[:300]}


def _key(spec: TableSpec, row: dict):
    return row[spec.key[0]] if len(spec.key) == 1 else tuple(row[k] for k in spec.key)


def validate(spec: TableSpec, records: Iterable[Record], keys: KeyStore, progress: Callable | None = None) -> Outcome:
    out = Outcome()
    seen = set()
    refs = [c for c in spec.columns if c.ref and c.ref != spec.name]
    pending_self: list[tuple[Record, dict]] = []
    limits = max_lengths(spec.name)
    for record in records:
        out.rows_read += 1
        if progress and out.rows_read % 10000 == 0:
            progress(10000)
        if record.error:
            out.rejects.append(reject(record, None, "bad_row", record.error))
            continue
        try:
            row = check_row(spec, record.values, limits)
            key = _key(spec, row)
            if key in seen:
                raise Problem(
                    spec.key[0], "duplicate_key", f"{spec.key[0]} {key} already appeared earlier in this file"
                )
            for column in refs:
                value = row[column.name]
                if value is not None and value not in keys.get(column.ref):
                    raise Problem(column.name, "unknown_reference", f"{column.ref} {value!r} does not exist")
        except Problem as problem:
            out.rejects.append(reject(record, problem.column, problem.reason, problem.detail))
            continue
        seen.add(key)
        if spec.refs_self:
            pending_self.append((record, row))
        else:
            out.accepted.append(row)
            out.sources.append(record)
    if spec.refs_self:
        _resolve_self_references(spec, pending_self, keys, out)
    out.rejects.sort(key=lambda r: r["line"])
    return out


def _resolve_self_references(spec: TableSpec, pending: list, keys: KeyStore, out: Outcome) -> None:
    """A branch's parent may be anywhere in the same file (head office listed after its sub-branches):
    keep rows whose parent exists in the store or among this file's loadable rows, until stable."""
    column = next(c for c in spec.columns if c.ref == spec.name)
    stored = keys.get(spec.name)
    rows = pending
    while True:
        available = stored | {_key(spec, row) for _, row in rows}
        keep = [(rec, row) for rec, row in rows if row[column.name] is None or row[column.name] in available]
        if len(keep) == len(rows):
            break
        kept_ids = {id(rec) for rec, _ in keep}
        for rec, row in rows:
            if id(rec) not in kept_ids:
                detail = f"{spec.name} {row[column.name]!r} does not exist"
                out.rejects.append(reject(rec, column.name, "unknown_reference", detail))
        rows = keep
    out.accepted.extend(row for _, row in rows)
    out.sources.extend(rec for rec, _ in rows)


def keep_stored(spec: TableSpec, missing_columns: list[str], out: Outcome) -> None:
    """A column added to the contract later and absent from this file leaves the stored value alone.

    The older file format says nothing about it (staff files without ``id_number`` import exactly as
    before); only a file that has the column, empty or not, writes it.
    """
    absent = [c.name for c in spec.columns if c.added_later and c.name in missing_columns]
    for row in out.accepted if absent else ():
        for name in absent:
            row.pop(name, None)


def has_source_date(table: str) -> bool:
    """Whether the table's records remember the date of the file that wrote them (stale-row rule)."""
    model = MAPPING[table][0]
    return any(f.name == "source_date" for f in model._meta.concrete_fields)


def drop_stale(table: str, out: Outcome, business_date: dt.date) -> list[dict]:
    """Take rows out of ``out.accepted`` whose record was last written by a newer file; return their rejects.

    Rule (docs/adr/0201-nightly-import.md, "Stale rows"): a dimension row is applied only when the
    file's business date is the same as or later than the date of the file that last wrote the
    record. An older file re-sent (customers_<older date>.csv with one byte changed) would otherwise
    put closed customers back to active. Same date applies (a corrected re-delivery of that day).
    """
    if not out.accepted or not has_source_date(table):
        return []
    model, unique_fields, to_kwargs = MAPPING[table]
    key_fields = [model._meta.get_field(name).attname for name in unique_fields]
    newer: dict = {}
    keys = []
    for row in out.accepted:
        kwargs = to_kwargs(row)
        keys.append(tuple(kwargs[f] for f in key_fields))
    first = sorted({k[0] for k in keys})
    for start in range(0, len(first), BATCH_SIZE):
        chunk = first[start : start + BATCH_SIZE]
        stored = model._base_manager.filter(
            **{f"{key_fields[0]}__in": chunk, "source_date__gt": business_date}
        ).values_list(*key_fields, "source_date")
        for *key, source_date in stored:
            newer[tuple(key)] = source_date
    if not newer:
        return []
    rejects, keep_rows, keep_sources = [], [], []
    for key, row, record in zip(keys, out.accepted, out.sources, strict=True):
        if key in newer:
            label = "/".join(str(k) for k in key)
            detail = (
                f"{table} {label} was last written by a file dated {newer[key].isoformat()}; "
                f"this file is dated {business_date.isoformat()} and does not roll it back"
            )
            rejects.append(reject(record, TABLES[table].key[0], "stale_row", detail))
        else:
            keep_rows.append(row)
            keep_sources.append(record)
    out.accepted, out.sources = keep_rows, keep_sources
    return rejects


def upsert(table: str, rows: list[dict], progress: Callable | None = None, source_date: dt.date | None = None) -> None:
    """Insert or replace by key, in batches. The caller holds the transaction.

    One ``INSERT … ON CONFLICT (key) DO UPDATE`` statement run with executemany (the same SQL on
    SQLite and PostgreSQL): what ``bulk_create(update_conflicts=True)`` sends, without building a
    model instance per row, which was most of the time for a million customers (docs/performance.md).
    """
    if not rows:
        return
    model, unique_fields, to_kwargs = MAPPING[table]
    meta = model._meta
    sample = to_kwargs(rows[0])
    fields = [meta.get_field(name) for name in sample]
    conflict = [meta.get_field(name).column for name in unique_fields]
    quote = connection.ops.quote_name
    dated = source_date is not None and has_source_date(table)
    columns = [f.column for f in fields] + ["created", "last_updated"] + (["source_date"] if dated else [])
    updates = [c for c in columns if c not in conflict and c != "created"]
    sql = (
        f"INSERT INTO {quote(meta.db_table)} ({', '.join(quote(c) for c in columns)}) "
        f"VALUES ({', '.join(['%s'] * len(columns))}) "
        f"ON CONFLICT ({', '.join(quote(c) for c in conflict)}) DO UPDATE SET "
        + ", ".join(f"{quote(c)} = EXCLUDED.{quote(c)}" for c in updates)
    )
    if dated:
        # the stale-row rule once more in the statement itself (drop_stale reports; this guarantees)
        table_sql = quote(meta.db_table)
        sql += f" WHERE {table_sql}.source_date IS NULL OR {table_sql}.source_date <= EXCLUDED.source_date"
    day = connection.ops.adapt_datefield_value(source_date) if dated else None
    # Only dates and decimals need the backend's adaptation; text, numbers and booleans go as they are.
    ops = connection.ops
    adapters = []
    for f in fields:
        kind = f.get_internal_type()
        if kind == "DateField":
            adapters.append(ops.adapt_datefield_value)
        elif kind == "DecimalField":
            adapters.append(lambda v, f=f: ops.adapt_decimalfield_value(v, f.max_digits, f.decimal_places))
        else:
            adapters.append(None)
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    names = list(sample)
    with connection.cursor() as cursor:
        for start in range(0, len(rows), BATCH_SIZE):
            chunk = rows[start : start + BATCH_SIZE]
            params = []
            for row in chunk:
                kwargs = to_kwargs(row)
                values = [
                    kwargs[name] if adapt is None or kwargs[name] is None else adapt(kwargs[name])
                    for name, adapt in zip(names, adapters, strict=True)
                ]
                values += [now, now, day] if dated else [now, now]
                params.append(values)
            cursor.executemany(sql, params)
            if progress:
                progress(len(chunk))
    if table == "staff":  # leavers lose their logins and API tokens in this same import (issue 8.3)
        disable_logins_of_leavers()


def loaded_keys(spec: TableSpec, rows: list[dict]) -> list:
    return [_key(spec, r) for r in rows]
