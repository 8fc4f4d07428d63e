"""Hand-written delivery rows and helpers shared by the ingest tests.

A module with its own name (not ``conftest``): test modules import it directly, and two
folders' ``conftest`` modules would shadow each other when both folders are collected in one run."""

import csv
import hashlib
import io
from pathlib import Path

from bankcrm.ingest.tables import TABLES

DAY = "20261031"


def cells(line: str) -> list[str]:
    """One CSV row written as plain comma-separated text (no quoting needed)."""
    return line.split(",")


# A complete, valid delivery: every table, references only inside the delivery.
GOOD = {
    "branches": [
        ["H001", "总行", "", "北京"],
        ["B001", "城东支行", "H001", "北京"],
    ],
    "staff": [
        ["S001", "王芳", "B001", "rm", "active"],
        ["S002", "李强", "B001", "rm", "active"],
    ],
    "products": [
        ["DD01", "活期储蓄", "deposit_demand", "", "", ""],
        ["WM01", "稳健理财", "wealth", "R2", "180", "0.0150"],
        ["LN01", "个人住房贷款", "loan", "", "7300", ""],
    ],
    "customers": [
        # valid ID_CARD: born 1990-03-07, 17th digit 3 = male
        [
            "C001",
            "张三",
            "ID_CARD",
            "110105199003071239",
            "M",
            "1990-03-07",
            "13812345678",
            "北京市东城区",
            "教师",
            "B001",
            "S001",
            "2020-01-01",
            "active",
            "Y",
        ],
        [
            "C002",
            "李四",
            "PASSPORT",
            "E12345678",
            "F",
            "1985-12-01",
            "",
            "",
            "",
            "B001",
            "S002",
            "2021-05-06",
            "active",
            "N",
        ],
    ],
    "accounts": [
        ["A001", "C001", "DD01", "2020-01-01", "", "", "active", "B001"],
        ["A002", "C002", "WM01", "2021-05-06", "2021-11-02", "", "active", ""],
        ["L001", "C001", "LN01", "2020-03-01", "2040-03-01", "", "active", "B001"],
        ["L002", "C002", "LN01", "2021-06-01", "2041-06-01", "", "active", "B001"],
    ],
    "kyc": [["C001", "2026-01-05", "C3", "2027-01-05", "mobile"]],
    "balances": [
        ["2026-10-31", "A001", "1234.50"],
        ["2026-10-31", "A002", "-20.00"],
    ],
    "loans": [["2026-10-31", "L001", "500000.00", "3000.00", "120.50", "45", "special_mention"]],
    "transactions": [
        ["T0001", "A001", "2026-10-31 09:15:00", "100.00", "D", "mobile", "Y"],
        ["T0002", "A001", "2026-10-31 23:59:59", "0.35", "C", "system", "N"],
    ],
    "sales": [["SA01", "2026-10-31", "C002", "WM01", "50000.00", "75.00", "S002", "B001", "branch"]],
}


def base_columns(table: str) -> list[str]:
    """The table's columns as files were before the contract gained optional columns (staff.id_number,
    transactions.counterparty_account): the hand-written rows below are files of that format."""
    return [c.name for c in TABLES[table].columns if not c.added_later]


def csv_text(header: list[str], rows: list[list[str]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue()


class Delivery:
    """A delivery folder under construction."""

    def __init__(self, folder: Path):
        self.folder = folder
        folder.mkdir(parents=True, exist_ok=True)

    def write(self, table: str, rows=None, *, day: str = DAY, header=None, text=None, data: bytes | None = None):
        path = self.folder / f"{table}_{day}.csv"
        if data is None:
            if text is None:
                text = csv_text(header or base_columns(table), GOOD[table] if rows is None else rows)
            data = text.encode("utf-8")
        path.write_bytes(data)
        return path

    def write_all(self, *, skip=()):
        for table in GOOD:
            if table not in skip:
                self.write(table)
        return self

    def control(self, path: Path, *, rows: int, sha: str | None = None, name: str | None = None) -> Path:
        sha = sha or hashlib.sha256(path.read_bytes()).hexdigest()
        ok = path.with_name(name or path.name + ".ok")
        ok.write_text(f"rows={rows}\nsha256={sha}\n")
        return ok


def by_file(report: dict) -> dict:
    return {f["file"]: f for f in report["files"]}
