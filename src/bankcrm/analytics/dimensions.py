"""Dump the dimension tables the metrics need to ``warehouse/dim/<table>.parquet``.

Both engines then read only Parquet: the same files a Spark cluster reads. Rows are streamed from the
database in chunks (values_list + iterator), never as model instances.
"""

from __future__ import annotations

import pyarrow as pa

from bankcrm.core.warehouse import dimension_path, write_table_atomically

CHUNK = 20_000

# table -> (queryset factory, [(column, arrow type, values_list field)])
_STR, _DATE = pa.string(), pa.date32()


def _specs():
    from bankcrm.customers.models import Account, Customer, KycAssessment, Product
    from bankcrm.org.models import Staff

    return {
        "customers": (
            Customer.objects.order_by(),
            [
                ("customer_no", _STR, "customer_no"),
                ("branch_code", _STR, "branch_id"),
                ("rm_staff_no", _STR, "rm_id"),
                ("onboard_date", _DATE, "onboard_date"),
                ("status", _STR, "status"),
            ],
        ),
        "accounts": (
            Account.objects.order_by(),
            [
                ("account_no", _STR, "account_no"),
                ("customer_no", _STR, "customer_id"),
                ("product_code", _STR, "product_id"),
                ("category", _STR, "product__category"),
                ("risk_level", _STR, "product__risk_level"),
                ("open_date", _DATE, "open_date"),
                ("maturity_date", _DATE, "maturity_date"),
                ("close_date", _DATE, "close_date"),
                ("status", _STR, "status"),
            ],
        ),
        "products": (
            Product.objects.order_by(),
            [("product_code", _STR, "code"), ("category", _STR, "category"), ("risk_level", _STR, "risk_level")],
        ),
        "kyc": (
            KycAssessment.objects.order_by(),
            [
                ("customer_no", _STR, "customer_id"),
                ("assessed_date", _DATE, "assessed_date"),
                ("expires_date", _DATE, "expires_date"),
                ("risk_level", _STR, "risk_level"),
            ],
        ),
        "staff": (
            Staff.objects.order_by(),
            [("staff_no", _STR, "staff_no"), ("branch_code", _STR, "branch_id"), ("status", _STR, "status")],
        ),
    }


def schema_of(table: str) -> pa.Schema:
    _, cols = _specs()[table]
    return pa.schema([(col, typ) for col, typ, _ in cols])


def dump_dimensions() -> dict[str, int]:
    """Write every dimension table; returns row counts."""
    counts = {}
    for table, (qs, cols) in _specs().items():
        fields = [f for _, _, f in cols]
        schema = pa.schema([(col, typ) for col, typ, _ in cols])
        batches, buf = [], []
        for row in qs.values_list(*fields).iterator(chunk_size=CHUNK):
            buf.append(row)
            if len(buf) >= CHUNK:
                batches.append(_batch(buf, schema))
                buf = []
        if buf or not batches:
            batches.append(_batch(buf, schema))
        tbl = pa.Table.from_batches(batches, schema=schema)
        write_table_atomically(dimension_path(table), tbl)
        counts[table] = tbl.num_rows
    return counts


def _batch(rows: list[tuple], schema: pa.Schema) -> pa.RecordBatch:
    columns = list(zip(*rows, strict=True)) if rows else [[] for _ in schema]
    arrays = []
    for field, values in zip(schema, columns, strict=True):
        arrays.append(pa.array(values, type=field.type))
    return pa.RecordBatch.from_arrays(arrays, schema=schema)
