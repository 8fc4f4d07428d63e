"""Personal data inside quarantined raw lines, masked for everyone who has not made a logged reveal.

A rejected row is kept verbatim (spec/batch-files.md: "nothing lost"), so its raw line holds the
customer's full ID number, mobile, birth date and address. The import contract knows which columns
are personal (``Column.personal`` in ``tables.py``); with the file's header (``ImportedFile.header``)
each field of the line is masked by its column, like the 360 masks it. A line that does not split
into the header's fields (a ``bad_row``), or a file imported before headers were kept, is masked by
shape instead: anything that looks like an ID number or a mobile, and in a personal table every
date. Better a masked onboard date than an unmasked birth date.
"""

import csv
import io
import re

from bankcrm.customers.masking import mask_id_number, mask_phone

from .tables import TABLES

ID_LIKE = re.compile(r"(?<![0-9A-Za-z])([0-9]{17}[0-9Xx]|[0-9]{15})(?![0-9A-Za-z])")
MOBILE_LIKE = re.compile(r"(?<![0-9])(1[3-9][0-9]{9})(?![0-9])")
DATE_LIKE = re.compile(r"(?<![0-9])[0-9]{4}[-/.]?[0-9]{1,2}[-/.]?[0-9]{1,2}(?![0-9])")


def personal_columns(table: str) -> dict[str, str]:
    spec = TABLES.get(table)
    return {c.name: c.personal for c in spec.columns if c.personal} if spec else {}


def mask_value(kind: str | None, value: str) -> str:
    if not value or kind is None:
        return value
    if kind == "id_number":
        return mask_id_number(value)
    if kind == "phone":
        return mask_phone(value)
    if kind == "address":
        return value[:3] + "*" * max(len(value) - 3, 0)  # the city, never the street
    return "*" * len(value)  # birth_date: no digit of it


def mask_by_shape(text: str, *, personal_table: bool) -> str:
    text = ID_LIKE.sub(lambda m: mask_id_number(m.group(1)), text)
    text = MOBILE_LIKE.sub(lambda m: mask_phone(m.group(1)), text)
    if personal_table:
        text = DATE_LIKE.sub(lambda m: "*" * len(m.group(0)), text)
    return text


def mask_raw(table: str, header: list[str] | None, raw: str) -> str:
    """The raw line with every personal field masked (the fields' count and order kept)."""
    personal = personal_columns(table)
    if personal and header:
        try:
            rows = list(csv.reader(io.StringIO(raw, newline="")))
        except csv.Error:
            rows = []
        if len(rows) == 1 and len(rows[0]) == len(header):
            out = io.StringIO()
            masked = [mask_value(personal.get(name), value) for name, value in zip(header, rows[0], strict=True)]
            csv.writer(out, lineterminator="").writerow(masked)
            return mask_by_shape(out.getvalue(), personal_table=False)
    return mask_by_shape(raw, personal_table=bool(personal))


def mask_detail(table: str, column: str, detail: str) -> str:
    """A reject's detail quotes the bad value: masked when the column is personal."""
    kind = personal_columns(table).get(column)
    if kind is not None:
        return mask_value(kind, detail)
    return mask_by_shape(detail, personal_table=bool(personal_columns(table)))
