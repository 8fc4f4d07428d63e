"""Hand-written deliveries in the batch-file format (spec/batch-files.md), written byte by byte.

Nothing here imports the importer: the files are built from the spec text alone so the
acceptance checks stay independent of the code they check.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from decimal import Decimal
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
from stdnum.cn import ric

COLUMNS = {
    "branches": ["branch_code", "name", "parent_code", "city"],
    "staff": ["staff_no", "name", "branch_code", "role", "status"],
    "products": ["product_code", "name", "category", "risk_level", "term_days", "fee_rate"],
    "customers": [
        "customer_no",
        "name",
        "id_type",
        "id_number",
        "gender",
        "birth_date",
        "phone",
        "address",
        "occupation",
        "branch_code",
        "rm_staff_no",
        "onboard_date",
        "status",
        "marketing_consent",
    ],
    "accounts": [
        "account_no",
        "customer_no",
        "product_code",
        "open_date",
        "maturity_date",
        "close_date",
        "status",
        "branch_code",
    ],
    "kyc": ["customer_no", "assessed_date", "risk_level", "expires_date", "channel"],
    "balances": ["as_of_date", "account_no", "balance"],
    "transactions": ["txn_id", "account_no", "txn_time", "amount", "direction", "channel", "customer_initiated"],
    "sales": [
        "sale_id",
        "sale_date",
        "customer_no",
        "product_code",
        "amount",
        "fee_income",
        "staff_no",
        "branch_code",
        "channel",
    ],
}


def id_card(birth: dt.date, seq: int, gender: str, region: str = "110105") -> str:
    """A valid 18-character PRC ID number (GB 11643); the 17th digit is odd for men."""
    assert 0 <= seq <= 99
    digit = 2 * (seq % 5) + (1 if gender == "M" else 0)
    body = f"{region}{birth:%Y%m%d}{seq:02d}{digit}"
    assert len(body) == 17
    number = body + ric.calc_check_digit(body + "0")
    assert ric.is_valid(number), number
    return number


def wrong_check_digit(number: str) -> str:
    good = number[-1]
    for candidate in "0123456789X":
        if candidate != good:
            return number[:-1] + candidate
    raise AssertionError("unreachable")


def csv_field(value) -> str:
    """One RFC 4180 field: quoted only when it must be."""
    if value is None:
        return ""
    text = str(value)
    if any(ch in text for ch in ',"\r\n'):
        return '"' + text.replace('"', '""') + '"'
    return text


def csv_line(values) -> str:
    return ",".join(csv_field(v) for v in values)


def row(table: str, **values) -> list:
    """A row in spec column order; unknown keywords are a bug in the test."""
    unknown = set(values) - set(COLUMNS[table])
    assert not unknown, unknown
    return [values.get(col) for col in COLUMNS[table]]


def file_name(table: str, day: str, ext: str = "csv") -> str:
    return f"{table}_{day}.{ext}"


def write_csv(
    folder: Path,
    table: str,
    day: str,
    rows: list,
    *,
    header: list[str] | None = None,
    bom: bool = False,
    newline: str = "\n",
) -> Path:
    """Write a CSV; each row is a list of values (quoted as needed) or a raw line (str) written as is."""
    header = header or COLUMNS[table]
    lines = [",".join(header)]
    for r in rows:
        lines.append(r if isinstance(r, str) else csv_line(r))
    text = newline.join(lines) + newline
    data = text.encode("utf-8", "surrogateescape")  # lone surrogates let a test plant invalid UTF-8
    if bom:
        data = b"\xef\xbb\xbf" + data
    path = folder / file_name(table, day)
    folder.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


def write_csv_bytes(folder: Path, table: str, day: str, data: bytes) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / file_name(table, day)
    path.write_bytes(data)
    return path


def write_parquet(folder: Path, table: str, day: str, arrow_table: pa.Table) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / file_name(table, day, "parquet")
    pq.write_table(arrow_table, path)
    return path


def write_ok(data_file: Path, *, rows: int, sha256: str | None = None) -> Path:
    digest = sha256 or hashlib.sha256(data_file.read_bytes()).hexdigest()
    ok = data_file.with_name(data_file.name + ".ok")
    ok.write_text(f"rows={rows}\nsha256={digest}\n", encoding="utf-8")
    return ok


# --- a small, complete bank used by several checks -------------------------------------------

DAY = "20261031"
PREV = "20261030"
D = dt.date


def base_rows() -> dict[str, list[list]]:
    """Every table, all rows valid, with references only inside this delivery."""
    return {
        "branches": [
            row("branches", branch_code="H001", name="总行", parent_code=None, city="北京"),
            row("branches", branch_code="B001", name="城东支行", parent_code="H001", city="北京"),
            row("branches", branch_code="B002", name="城西支行", parent_code="H001", city=None),
        ],
        "staff": [
            row("staff", staff_no="S001", name="王芳", branch_code="B001", role="rm", status="active"),
            row("staff", staff_no="S002", name="李强", branch_code="B002", role="advisor", status="active"),
            row("staff", staff_no="S003", name="赵敏", branch_code="B001", role="rm", status="left"),
        ],
        "products": [
            row("products", product_code="DD01", name="活期储蓄", category="deposit_demand"),
            row(
                "products",
                product_code="TD12",
                name="一年定期",
                category="deposit_time",
                term_days="365",
                fee_rate="0.0000",
            ),
            row(
                "products",
                product_code="WM01",
                name="稳盈理财",
                category="wealth",
                risk_level="R3",
                term_days="90",
                fee_rate="0.0150",
            ),
        ],
        "customers": [
            row(
                "customers",
                customer_no="C001",
                name="张三",
                id_type="ID_CARD",
                id_number=id_card(D(1980, 5, 17), 1, "M"),
                gender="M",
                birth_date="1980-05-17",
                phone="13812345678",
                address="北京市朝阳区",
                occupation="教师",
                branch_code="B001",
                rm_staff_no="S001",
                onboard_date="2020-01-02",
                status="active",
                marketing_consent="Y",
            ),
            row(
                "customers",
                customer_no="C002",
                name="李四",
                id_type="PASSPORT",
                id_number="E12345678",
                gender="F",
                birth_date="1990-03-07",
                phone="15912345678",
                branch_code="B002",
                rm_staff_no="S002",
                onboard_date="2021-06-30",
                status="active",
                marketing_consent="N",
            ),
        ],
        "accounts": [
            row(
                "accounts",
                account_no="A001",
                customer_no="C001",
                product_code="DD01",
                open_date="2020-01-02",
                status="active",
                branch_code="B001",
            ),
            row(
                "accounts",
                account_no="A002",
                customer_no="C001",
                product_code="TD12",
                open_date="2026-01-05",
                maturity_date="2027-01-05",
                status="active",
            ),
            row(
                "accounts",
                account_no="A003",
                customer_no="C002",
                product_code="WM01",
                open_date="2026-03-01",
                maturity_date="2026-05-30",
                close_date="2026-05-30",
                status="closed",
                branch_code="B002",
            ),
        ],
        "kyc": [
            row("kyc", customer_no="C002", assessed_date="2025-06-01", risk_level="C2", expires_date="2026-06-01"),
            row(
                "kyc",
                customer_no="C002",
                assessed_date="2026-06-01",
                risk_level="C4",
                expires_date="2027-06-01",
                channel="mobile",
            ),
        ],
        "balances": [
            row("balances", as_of_date="2026-10-31", account_no="A001", balance="1234.50"),
            row("balances", as_of_date="2026-10-31", account_no="A002", balance="-20.00"),
            row("balances", as_of_date="2026-10-31", account_no="A003", balance="100000"),
        ],
        "transactions": [
            row(
                "transactions",
                txn_id="T001",
                account_no="A001",
                txn_time="2026-10-31 09:15:00",
                amount="200.00",
                direction="D",
                channel="atm",
                customer_initiated="Y",
            ),
            row(
                "transactions",
                txn_id="T002",
                account_no="A001",
                txn_time="2026-10-31 23:59:59",
                amount="0.35",
                direction="C",
                channel="system",
                customer_initiated="N",
            ),
        ],
        "sales": [
            row(
                "sales",
                sale_id="SL001",
                sale_date="2026-10-31",
                customer_no="C002",
                product_code="WM01",
                amount="50000.00",
                fee_income="750.00",
                staff_no="S002",
                branch_code="B002",
                channel="branch",
            ),
            row(
                "sales",
                sale_id="SL002",
                sale_date="2026-10-31",
                customer_no="C001",
                product_code="WM01",
                amount="1000.00",
                fee_income="15.00",
                staff_no=None,
                branch_code="B001",
                channel="mobile",
            ),
        ],
    }


def write_base_csv(folder: Path, day: str = DAY, tables: list[str] | None = None) -> dict[str, Path]:
    rows = base_rows()
    return {t: write_csv(folder, t, day, rows[t]) for t in (tables or list(COLUMNS))}


def _dec(values, scale=2):
    return pa.array([None if v is None else Decimal(v) for v in values], pa.decimal128(18, scale))


def _date(values):
    return pa.array([None if v is None else dt.date.fromisoformat(v) for v in values], pa.date32())


def _str(values):
    return pa.array(values, pa.string())


def base_parquet_tables() -> dict[str, pa.Table]:
    """The base bank as Parquet with native types: date32, decimal128, int32, timestamp."""
    rows = base_rows()

    def col(table, name):
        i = COLUMNS[table].index(name)
        return [r[i] for r in rows[table]]

    date_cols = {
        "customers": ["birth_date", "onboard_date"],
        "accounts": ["open_date", "maturity_date", "close_date"],
        "kyc": ["assessed_date", "expires_date"],
        "balances": ["as_of_date"],
        "sales": ["sale_date"],
    }
    money_cols = {"balances": ["balance"], "transactions": ["amount"], "sales": ["amount", "fee_income"]}
    out = {}
    for table, columns in COLUMNS.items():
        arrays = {}
        for name in columns:
            values = col(table, name)
            if name in date_cols.get(table, []):
                arrays[name] = _date(values)
            elif name in money_cols.get(table, []):
                arrays[name] = _dec(values)
            elif table == "products" and name == "term_days":
                arrays[name] = pa.array([None if v is None else int(v) for v in values], pa.int32())
            elif table == "products" and name == "fee_rate":
                arrays[name] = _dec(values, 4)
            elif table == "transactions" and name == "txn_time":
                arrays[name] = pa.array([dt.datetime.fromisoformat(v) for v in values], pa.timestamp("s"))
            else:
                arrays[name] = _str(values)
        out[table] = pa.table(arrays)
    return out


def load_report(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def by_file(report: dict) -> dict[str, dict]:
    return {f["file"]: f for f in report["files"]}
