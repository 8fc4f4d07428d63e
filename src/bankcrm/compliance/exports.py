"""``bankcrm export risk-indicators | sample | cases`` (spec/compliance.md). Each returns the row count."""

from __future__ import annotations

from pathlib import Path

from bankcrm.core.spreadsheets import CsvWriter, money_cell, open_csv

from . import services
from .models import InspectionPlan, ScreeningCase

INDICATOR_COLUMNS = ("period", "code", "value", "status", "prev_value", "change")
SAMPLE_COLUMNS = ("plan", "key", "amount", "reason")
CASE_COLUMNS = ("quarter", "staff_no", "rule", "detail", "status")


def _write(out: Path, header, rows) -> int:
    n = 0
    with open_csv(out) as fh:
        writer = CsvWriter(fh)
        writer.writeheader(header)
        for row in rows:
            writer.writerow(row)
            n += 1
    return n


def export_risk_indicators(period: str, out: Path) -> int:
    """The quarter's values; the computed ones (retail_npl_ratio, deposit_deviation) are computed
    first, from the data as it stands, so the file is complete without a separate step."""
    from .computed import compute_indicators

    services.parse_quarter(period)
    compute_indicators(period)
    rows = services.indicator_rows(period)
    return _write(out, INDICATOR_COLUMNS, ([r[c] for c in INDICATOR_COLUMNS] for r in rows))


def export_sample(plan_code: str, out: Path) -> int:
    plan = InspectionPlan.objects.filter(pk=plan_code).first()
    if plan is None:
        raise services.BadInput(f"no inspection plan with code {plan_code!r}")
    if plan.drawn_at is None:
        raise services.BadInput(f"plan {plan_code} is not drawn yet (bankcrm compliance plan draw {plan_code})")
    items = plan.items.order_by("key")
    return _write(out, SAMPLE_COLUMNS, ((plan.code, i.key, money_cell(i.amount), i.reason) for i in items))


def export_cases(quarter: str, out: Path) -> int:
    services.parse_quarter(quarter)
    cases = ScreeningCase.objects.filter(quarter=quarter).order_by("staff_id", "rule")
    return _write(out, CASE_COLUMNS, ((c.quarter, c.staff_id, c.rule, c.detail, c.status) for c in cases))
