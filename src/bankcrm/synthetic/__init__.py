"""The synthetic bank: a realistic core-banking delivery (spec/batch-files.md) from a seed.

generate_delivery(Path("out"), customers=2000, months=3, end=date(2026, 10, 31), seed=1)
"""

import datetime as dt
from pathlib import Path

from .bank import HEADERS, GenerateSummary, SyntheticBank, default_end, first_of_window

__all__ = ["HEADERS", "GenerateSummary", "default_end", "first_of_window", "generate_delivery"]


def generate_delivery(
    out_dir: Path,
    *,
    customers: int = 2000,
    months: int = 3,
    end: dt.date,
    seed: int = 0,
    progress: bool = False,
    fmt: str = "csv",
) -> GenerateSummary:
    """Write a delivery for `months` calendar months ending with `end` into `out_dir`; same seed → same bytes.

    `fmt` is ``csv`` (default) or ``parquet`` (the same columns as strings, empty fields as nulls).
    """
    bank = SyntheticBank(out_dir, customers=customers, months=months, end=end, seed=seed, progress=progress, fmt=fmt)
    return bank.run()
