"""``bankcrm export campaign | campaign-summary | suitability`` (spec/campaigns.md). Each returns the row count.

Plain CSV for now (UTF-8, "\\n"); the formula-safe CSV/xlsx writer being added to the export command
will replace ``_writer`` in one place.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from django.core.management.base import CommandError

from bankcrm.core.spreadsheets import CsvWriter, open_csv

from . import services
from .models import Campaign, CampaignExclusion, SuitabilityFinding

MEMBER_COLUMNS = (
    "code",
    "customer_no",
    "group",
    "assignee",
    "responded",
    "response_date",
    "sales_amount",
    "fee_income",
)
EXCLUDED_COLUMNS = ("code", "customer_no", "reason")
SUMMARY_COLUMNS = (
    "code", "group", "members", "responders", "response_rate_pct", "sales_amount", "fee_income", "uplift_pp",
    "incremental_fee",
)  # fmt: skip
SUITABILITY_COLUMNS = ("sale_id", "customer_no", "product_code", "sale_date", "finding")


def _money(value: Decimal | None) -> str:
    return "" if value is None else f"{services.half_up(value):f}"


def _campaign(code: str) -> Campaign:
    campaign = Campaign.objects.filter(code=code).first()
    if campaign is None:
        raise CommandError(f"no campaign with code {code!r}")
    return campaign


def excluded_path(out: Path) -> Path:
    """FILE with ``.excluded`` before the extension: members.csv → members.excluded.csv."""
    return out.with_name(f"{out.stem}.excluded{out.suffix}")


def _write(out: Path, header, rows) -> int:
    n = 0
    with open_csv(out) as fh:
        w = CsvWriter(fh, lineterminator="\n")  # formula-safe text cells (core/spreadsheets.py)
        w.writeheader(header)
        for row in rows:
            w.writerow(row)
            n += 1
    return n


def export_campaign(code: str, out: Path) -> int:
    """Members (frozen at start; before start the live preview) and, beside it, the exclusions."""
    campaign = _campaign(code)
    if campaign.started_at is not None:
        members = services.results(campaign)["members"]
        rows = [
            (
                code,
                m["customer_id"],
                m["group"],
                m["assignee"],
                "Y" if m["response_date"] else "N",
                m["response_date"].isoformat() if m["response_date"] else "",
                _money(m["sales_amount"]),
                _money(m["fee_income"]),
            )
            for m in members
        ]
        excluded = CampaignExclusion.objects.filter(campaign=campaign).order_by("customer_id")
        excluded_rows = [(code, c, r) for c, r in excluded.values_list("customer_id", "reason")]
    else:
        ev = services.evaluate(campaign)
        rows = [
            (code, m["customer_no"], m["group"], m["assignee"], "N", "", "0.00", "0.00")
            for m in sorted(ev.members, key=lambda m: m["customer_no"])
        ]
        excluded_rows = [
            (code, e["customer_no"], e["reason"]) for e in sorted(ev.exclusions, key=lambda e: e["customer_no"])
        ]
    n = _write(out, MEMBER_COLUMNS, rows)
    _write(excluded_path(out), EXCLUDED_COLUMNS, excluded_rows)
    return n


def export_campaign_summary(code: str, out: Path) -> int:
    campaign = _campaign(code)
    r = services.results(campaign)
    rows = [
        (
            code,
            group,
            f["members"],
            f["responders"],
            _money(f["response_rate_pct"]),
            _money(f["sales_amount"]),
            _money(f["fee_income"]),
            _money(r["uplift_pp"]),
            _money(r["incremental_fee"]),
        )
        for group, f in r["groups"].items()
    ]
    return _write(out, SUMMARY_COLUMNS, rows)


def export_suitability(out: Path) -> int:
    """Findings on imported sales, re-checked now against the KYC on file, by sale_id then finding."""
    services.check_imported_sales()
    findings = SuitabilityFinding.objects.order_by("sale_id", "finding").values_list(
        "sale_id", "sale__customer_id", "sale__product_id", "sale__sale_date", "finding"
    )
    return _write(out, SUITABILITY_COLUMNS, ((s, c, p, d.isoformat(), f) for s, c, p, d, f in findings.iterator()))
