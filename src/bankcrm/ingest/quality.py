"""Data-quality findings (spec/batch-files.md): recomputed over the whole customer table after each import.

A finding is a stored customer with a wrong value. Recomputing everything (instead of only the rows
of this delivery) is what makes a corrected customer lose its finding and a departing relationship
manager create ``no_rm`` for their customers. Findings that persist keep their ``found`` time.
"""

import datetime as dt
import json
import re
from collections import defaultdict
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.db.models import Count, Max
from django.utils.translation import gettext, gettext_noop
from stdnum.cn import ric

from bankcrm.customers.choices import Gender, IdType
from bankcrm.customers.models import Customer
from bankcrm.org.models import Staff

from .models import QualityFinding

# The detail of each finding, stored in English (exports, the API) and shown translated: one template
# per kind of detail, so the page can read the values back out of a stored detail and put them into
# the translated sentence (detail_for_people) without a second stored column.
DETAILS = {
    "length": gettext_noop("ID_CARD number has %(n)s characters, expected 18"),
    "format": gettext_noop("ID_CARD number must be 17 digits and a check digit 0-9 or X"),
    "check_digit": gettext_noop("check digit is %(found)s, expected %(expected)s"),
    "birth_invalid": gettext_noop("the birth date inside the ID number is not a valid date"),
    "birth_differs": gettext_noop("the birth date inside the ID number differs from birth_date"),
    "gender": gettext_noop("ID number says %(id_gender)s, gender is %(gender)s"),
    "mobile": gettext_noop("not a mainland mobile number (11 digits starting 13-19)"),
    "no_rm": gettext_noop("no relationship manager assigned"),
    "rm_left": gettext_noop("relationship manager %(rm)s has left"),
    "duplicate": gettext_noop("same %(id_type)s number as %(others)s"),
}
_FIELD = re.compile(r"%\((\w+)\)s")


def _pattern(template: str) -> re.Pattern:
    """The template as a regular expression: literal text escaped, each %(name)s a named group."""
    parts = _FIELD.split(template)  # literal, name, literal, name, …, literal
    regex = "".join(re.escape(part) if i % 2 == 0 else f"(?P<{part}>.+?)" for i, part in enumerate(parts))
    return re.compile(f"^{regex}$")


_PATTERNS = [(template, _pattern(template)) for template in DETAILS.values()]


def _detail(key: str, **values) -> str:
    return DETAILS[key] % values


def detail_for_people(detail: str) -> str:
    """A stored (English) finding detail in the active language; unknown text is shown as it is."""
    for template, pattern in _PATTERNS:
        match = pattern.match(detail or "")
        if match:
            values = match.groupdict()
            # codes inside the sentence read as their labels (男/女, 居民身份证)
            for name in ("id_gender", "gender"):
                if values.get(name) in Gender.values:
                    values[name] = str(Gender(values[name]).label)
            if values.get("id_type") in IdType.values:
                values["id_type"] = str(IdType(values["id_type"]).label)
            return gettext(template) % values
    return detail


FINDINGS = ("bad_id_checksum", "id_birthdate_mismatch", "id_gender_mismatch", "bad_mobile", "duplicate_id", "no_rm")
MOBILE_RE = re.compile(r"1[3-9][0-9]{9}\Z")
ID18_RE = re.compile(r"[0-9]{17}[0-9X]\Z")


def id_card_findings(id_number: str, birth_date: dt.date | None, gender: str) -> list[tuple[str, str]]:
    """GB 11643 checks of one ID_CARD number (python-stdnum computes the check digit)."""
    # Not compacted: a stored " 1101…" is 19 characters and is flagged, so the record gets corrected.
    number = id_number.upper()
    if len(number) != 18:
        return [("bad_id_checksum", _detail("length", n=len(number)))]
    if not ID18_RE.match(number):
        return [("bad_id_checksum", _detail("format"))]
    expected = ric.calc_check_digit(number)
    if expected != number[-1]:
        return [("bad_id_checksum", _detail("check_digit", found=number[-1], expected=expected))]
    found = []
    if birth_date is not None:
        try:
            embedded = dt.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
        except ValueError:
            embedded = None
        if embedded != birth_date:
            # No dates in the detail: it is shown beside the masked ID number, and either date would
            # give the hidden digits back (docs/security.md). The 360's logged reveal shows both.
            found.append(("id_birthdate_mismatch", _detail("birth_invalid" if embedded is None else "birth_differs")))
    if gender:
        embedded_gender = "M" if int(number[16]) % 2 else "F"
        if embedded_gender != gender:
            found.append(("id_gender_mismatch", _detail("gender", id_gender=embedded_gender, gender=gender)))
    return found


def compute_findings() -> dict[tuple[str, str], tuple[str, str, str]]:
    """(customer_no, finding) -> (detail, branch_code, rm_staff_no) for the current customer table."""
    result: dict[tuple[str, str], tuple[str, str, str]] = {}
    by_id: dict[tuple[str, str], list[str]] = defaultdict(list)
    scope: dict[str, tuple[str, str]] = {}
    rows = Customer._base_manager.values_list(
        "customer_no",
        "id_type",
        "id_number",
        "gender",
        "birth_date",
        "phone",
        "status",
        "branch_id",
        "rm_id",
        "rm__status",
    ).iterator(chunk_size=20000)
    for customer_no, id_type, id_number, gender, birth_date, phone, status, branch, rm, rm_status in rows:
        scope[customer_no] = (branch, rm or "")
        found = []
        if id_type == "ID_CARD":
            found.extend(id_card_findings(id_number, birth_date, gender))
        if phone and not MOBILE_RE.match(phone):
            found.append(("bad_mobile", _detail("mobile")))
        if status == "active":
            by_id[(id_type, id_number)].append(customer_no)
            if rm is None:
                found.append(("no_rm", _detail("no_rm")))
            elif rm_status == "left":
                found.append(("no_rm", _detail("rm_left", rm=rm)))
        for finding, detail in found:
            result[(customer_no, finding)] = (detail, branch, rm or "")
    for (id_type, _), members in by_id.items():
        if len(members) < 2:
            continue
        for customer_no in members:
            others = [m for m in members if m != customer_no]
            listed = ", ".join(others[:5]) + (" …" if len(others) > 5 else "")
            detail = _detail("duplicate", id_type=id_type, others=listed)
            branch, rm = scope[customer_no]
            result[(customer_no, "duplicate_id")] = (detail, branch, rm)
    return result


def recompute_findings() -> int:
    """Bring QualityFinding in line with the customer table; return the number of findings."""
    wanted = compute_findings()
    with transaction.atomic():
        existing = {
            (f.customer_id, f.finding): f
            for f in QualityFinding._base_manager.only(
                "pk", "customer_id", "finding", "detail", "branch_code", "rm_staff_no"
            )
        }
        stale = [f.pk for key, f in existing.items() if key not in wanted]
        for start in range(0, len(stale), 5000):
            QualityFinding._base_manager.filter(pk__in=stale[start : start + 5000]).delete()
        changed = []
        for key, (detail, branch, rm) in wanted.items():
            current = existing.get(key)
            if current is not None and (current.detail, current.branch_code, current.rm_staff_no) != (
                detail,
                branch,
                rm,
            ):
                current.detail, current.branch_code, current.rm_staff_no = detail[:300], branch, rm
                changed.append(current)
        QualityFinding._base_manager.bulk_update(changed, ["detail", "branch_code", "rm_staff_no"], batch_size=2000)
        QualityFinding._base_manager.bulk_create(
            [
                QualityFinding(customer_id=c, finding=f, detail=d[:300], branch_code=b, rm_staff_no=r)
                for (c, f), (d, b, r) in wanted.items()
                if (c, f) not in existing
            ],
            batch_size=2000,
        )
    return len(wanted)


def _fingerprint() -> list:
    """What the findings depend on: customers and staff (any save moves last_updated), and the findings."""
    customers = Customer._base_manager.aggregate(n=Count("pk"), t=Max("last_updated"))
    staff = Staff._base_manager.aggregate(n=Count("pk"), t=Max("last_updated"))
    findings = QualityFinding._base_manager.count()
    return [customers["n"], str(customers["t"]), staff["n"], str(staff["t"]), findings]


def _fingerprint_path() -> Path:
    return Path(settings.BANKCRM_HOME) / "cache" / "ingest-quality.json"


def refresh_findings() -> int:
    """Recompute the findings unless customers and staff are unchanged since the last recompute.

    A balances-only delivery then costs no pass over a million customers (docs/adr/0201).
    """
    path = _fingerprint_path()
    try:
        if json.loads(path.read_text()) == _fingerprint():
            return QualityFinding._base_manager.count()
    except (OSError, ValueError):
        pass
    count = recompute_findings()
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(_fingerprint()))
    tmp.replace(path)
    return count
