"""The spec's default risk-indicator catalogue (spec/compliance.md); compliance edits it afterwards."""

from decimal import Decimal

from django.db import migrations

DEFAULTS = [
    # code, name, direction, limit, warning, source, computed
    ("car", "资本充足率 %", "min", "10.5", "11.5", "商业银行资本管理办法 (8 % + 2.5 % conservation buffer)", False),
    ("tier1_car", "一级资本充足率 %", "min", "8.5", "9.5", "商业银行资本管理办法", False),
    ("cet1_car", "核心一级资本充足率 %", "min", "7.5", "8.5", "商业银行资本管理办法", False),
    ("npl_ratio", "不良贷款率 %", "max", "5.0", "4.0", "商业银行风险监管核心指标", False),
    ("provision_coverage", "拨备覆盖率 %", "min", "150", "170", "拨备管理规定 (regulators may lower it to 120–150)", False),
    ("single_customer_concentration", "单一客户贷款集中度 % of net capital", "max", "10", "8", "商业银行法 / 核心指标", False),
    ("top10_concentration", "最大十家客户贷款集中度 %", "max", "50", "40", "商业银行风险监管核心指标", False),
    ("liquidity_ratio", "流动性比例 %", "min", "25", "30", "商业银行流动性风险管理办法", False),
    ("leverage_ratio", "杠杆率 %", "min", "4", "4.5", "商业银行杠杆率管理办法", False),
    ("retail_npl_ratio", "零售贷款不良率 %", "max", "5.0", "4.0", "computed from the loans file (spec/loans.md)", True),
    ("deposit_deviation", "存款偏离度 %", "max", "4.0", "3.0", "computed (spec/indicators.md deposit_deviation_pct)", True),
]


def load(apps, schema_editor):
    RiskIndicator = apps.get_model("compliance", "RiskIndicator")
    for position, (code, name, direction, limit, warning, source, computed) in enumerate(DEFAULTS, start=1):
        RiskIndicator.objects.get_or_create(
            code=code,
            defaults={
                "name": name, "direction": direction, "limit": Decimal(limit), "warning": Decimal(warning),
                "source": source, "computed": computed, "position": position,
            },
        )  # fmt: skip


class Migration(migrations.Migration):
    dependencies = [("compliance", "0003_desk")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
