"""The indicator table of spec/indicators.md: code, kind and label, once.

Balance indicators come from the daily rollup (per day × branch × rm × category); tier and
cross-sell counts from the customer_month snapshot as of the day; flows from customers' onboard
dates and the sales. ``measure`` is the column of the figures query (figures.py) an indicator reads.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from .choices import IndicatorKind

SALES_CATEGORIES = ("wealth", "fund", "insurance", "precious_metal", "trust")
DEVIATION = "deposit_deviation_pct"  # 存款偏离度: month reports only, not a target indicator


@dataclass(frozen=True)
class Indicator:
    code: str
    kind: str
    label: object
    source: str  # "balance" (rollup), "snapshot", "flow" or "loans" (the loans file of the day)
    measure: str  # the figures-query measure it reads

    @property
    def is_money(self) -> bool:
        return self.measure not in COUNT_MEASURES


COUNT_MEASURES = {
    "loan_customers",
    "vip_customers",
    "wealth_customers",
    "private_customers",
    "qualified_customers",
    "new_customers",
}
_CATEGORY_LABELS = {
    "wealth": _("理财"),
    "fund": _("基金"),
    "insurance": _("保险"),
    "precious_metal": _("贵金属"),
    "trust": _("信托"),
}

_BASE = [
    Indicator("deposit_balance", IndicatorKind.STOCK, _("存款时点余额"), "balance", "deposit"),
    Indicator("deposit_avg", IndicatorKind.AVERAGE, _("存款日均"), "balance", "deposit"),
    Indicator("aum_balance", IndicatorKind.STOCK, _("AUM 时点余额"), "balance", "aum"),
    Indicator("aum_avg", IndicatorKind.AVERAGE, _("AUM 日均"), "balance", "aum"),
    Indicator("loan_balance", IndicatorKind.STOCK, _("零售信贷余额"), "balance", "loan"),
    Indicator("loan_customers", IndicatorKind.STOCK, _("个人信贷客户数"), "balance", "loan_customers"),
    Indicator("overdue_balance", IndicatorKind.STOCK, _("逾期贷款余额"), "loans", "overdue_balance"),
    Indicator("npl_balance", IndicatorKind.STOCK, _("不良贷款余额"), "loans", "npl_balance"),
    Indicator("vip_customers", IndicatorKind.STOCK, _("贵宾客户数"), "snapshot", "vip_customers"),
    Indicator("wealth_customers", IndicatorKind.STOCK, _("财富客户数"), "snapshot", "wealth_customers"),
    Indicator("private_customers", IndicatorKind.STOCK, _("私行客户数"), "snapshot", "private_customers"),
    Indicator("qualified_customers", IndicatorKind.STOCK, _("交叉销售达标客户数"), "snapshot", "qualified_customers"),
    Indicator("new_customers", IndicatorKind.FLOW, _("新增客户数"), "flow", "new_customers"),
    Indicator("sales_amount", IndicatorKind.FLOW, _("销量"), "flow", "sales_amount"),
    Indicator("fee_income", IndicatorKind.FLOW, _("中间业务收入"), "flow", "fee_income"),
]
_PER_CATEGORY = [
    Indicator(f"{base}.{cat}", IndicatorKind.FLOW, _CATEGORY_LABELS[cat], "flow", f"{base}.{cat}")
    for base in ("sales_amount", "fee_income")
    for cat in SALES_CATEGORIES
]
INDICATORS: dict[str, Indicator] = {i.code: i for i in _BASE + _PER_CATEGORY}


def indicator_label(code: str) -> str:
    ind = INDICATORS.get(code)
    if ind is None:
        return _("存款偏离度") if code == DEVIATION else code
    if "." in code:
        return f"{INDICATORS[code.split('.')[0]].label}·{ind.label}"
    return str(ind.label)
