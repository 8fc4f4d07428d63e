"""Fixed reference data of the synthetic bank: cities, product shelf, vocabularies.

Kept as plain tuples so the generator is independent of the database and of Django.
"""

from dataclasses import dataclass

# (city, [(district, 6-digit area code of GB/T 2260), ...]) — real district codes, so ID numbers of
# customers born locally carry the region of the branch that serves them.
CITIES: tuple[tuple[str, tuple[tuple[str, str], ...]], ...] = (
    (
        "上海",
        (
            ("黄浦区", "310101"),
            ("徐汇区", "310104"),
            ("长宁区", "310105"),
            ("静安区", "310106"),
            ("普陀区", "310107"),
            ("虹口区", "310109"),
            ("杨浦区", "310110"),
            ("闵行区", "310112"),
            ("宝山区", "310113"),
            ("浦东新区", "310115"),
        ),
    ),
    (
        "北京",
        (
            ("东城区", "110101"),
            ("西城区", "110102"),
            ("朝阳区", "110105"),
            ("丰台区", "110106"),
            ("石景山区", "110107"),
            ("海淀区", "110108"),
            ("通州区", "110112"),
            ("昌平区", "110114"),
        ),
    ),
    (
        "杭州",
        (
            ("上城区", "330102"),
            ("拱墅区", "330105"),
            ("西湖区", "330106"),
            ("滨江区", "330108"),
            ("萧山区", "330109"),
            ("余杭区", "330110"),
        ),
    ),
    (
        "深圳",
        (
            ("罗湖区", "440303"),
            ("福田区", "440304"),
            ("南山区", "440305"),
            ("宝安区", "440306"),
            ("龙岗区", "440307"),
        ),
    ),
    (
        "广州",
        (
            ("荔湾区", "440103"),
            ("越秀区", "440104"),
            ("海珠区", "440105"),
            ("天河区", "440106"),
            ("白云区", "440111"),
        ),
    ),
    (
        "成都",
        (
            ("锦江区", "510104"),
            ("青羊区", "510105"),
            ("金牛区", "510106"),
            ("武侯区", "510107"),
            ("成华区", "510108"),
        ),
    ),
    (
        "南京",
        (
            ("玄武区", "320102"),
            ("秦淮区", "320104"),
            ("建邺区", "320105"),
            ("鼓楼区", "320106"),
        ),
    ),
    (
        "武汉",
        (
            ("江岸区", "420102"),
            ("江汉区", "420103"),
            ("武昌区", "420106"),
            ("洪山区", "420111"),
        ),
    ),
    (
        "苏州",
        (
            ("虎丘区", "320505"),
            ("吴中区", "320506"),
            ("姑苏区", "320508"),
        ),
    ),
    (
        "西安",
        (
            ("新城区", "610102"),
            ("碑林区", "610103"),
            ("莲湖区", "610104"),
            ("雁塔区", "610113"),
        ),
    ),
)

BANK_NAME = "江南商业银行"

CATEGORIES = (
    "deposit_demand",
    "deposit_time",
    "wealth",
    "fund",
    "insurance",
    "precious_metal",
    "trust",
    "loan",
    "credit_card",
    "mobile_banking",
    "payroll",
)
CAT = {name: i for i, name in enumerate(CATEGORIES)}
# categories with a daily balance row (spec: AUM categories plus loan and credit card)
BALANCE_CATEGORIES = tuple(CAT[c] for c in CATEGORIES[:9])
# account number prefix per category (card-like 16-digit numbers: 4-digit prefix + 12-digit sequence)
ACCOUNT_PREFIX = ("6217", "1101", "2101", "2201", "2301", "2401", "2501", "3101", "6259", "8101", "8201")


@dataclass(frozen=True)
class Product:
    code: str
    name: str
    category: str
    risk: str  # "" when unrated
    term_days: int  # 0 when open-ended
    fee_rate_e4: int  # fee rate in 1/10000 (0.0150 -> 150); -1 when no fee applies
    annual_yield_bp: int  # expected annual return in basis points (for the value drift / interest)
    daily_vol_bp: int  # daily volatility of the market value in basis points


P = Product
PRODUCTS: tuple[Product, ...] = (
    P("D001", "个人活期储蓄", "deposit_demand", "", 0, -1, 15, 0),
    P("T03M", "整存整取三个月", "deposit_time", "", 91, -1, 105, 0),
    P("T06M", "整存整取六个月", "deposit_time", "", 182, -1, 125, 0),
    P("T01Y", "整存整取一年", "deposit_time", "", 365, -1, 135, 0),
    P("T02Y", "整存整取二年", "deposit_time", "", 730, -1, 145, 0),
    P("T03Y", "整存整取三年", "deposit_time", "", 1095, -1, 175, 0),
    P("T05Y", "整存整取五年", "deposit_time", "", 1825, -1, 180, 0),
    P("CD1Y", "大额存单一年期", "deposit_time", "", 365, -1, 155, 0),
    P("CD3Y", "大额存单三年期", "deposit_time", "", 1095, -1, 190, 0),
    P("W101", "天天利现金管理", "wealth", "R1", 0, 20, 180, 0),
    P("W203", "稳享固收三个月", "wealth", "R2", 91, 40, 260, 1),
    P("W206", "稳享固收六个月", "wealth", "R2", 182, 50, 290, 1),
    P("W212", "稳享固收一年", "wealth", "R2", 365, 60, 320, 1),
    P("W306", "固收增强六个月", "wealth", "R3", 182, 80, 360, 3),
    P("W312", "固收增强一年", "wealth", "R3", 365, 100, 400, 3),
    P("W412", "多元配置一年", "wealth", "R4", 365, 120, 500, 8),
    P("W524", "权益精选两年", "wealth", "R5", 730, 150, 650, 15),
    P("F101", "货币市场基金", "fund", "R1", 0, 0, 170, 0),
    P("F201", "纯债债券基金", "fund", "R2", 0, 80, 300, 3),
    P("F301", "偏债混合基金", "fund", "R3", 0, 120, 450, 6),
    P("F401", "沪深300指数基金", "fund", "R4", 0, 100, 600, 120),
    P("F402", "偏股混合基金", "fund", "R4", 0, 150, 650, 130),
    P("F501", "海外科技QDII基金", "fund", "R5", 0, 150, 700, 160),
    P("I101", "终身寿险(分红型)", "insurance", "R2", 0, 300, 300, 0),
    P("I201", "养老年金保险", "insurance", "R1", 0, 500, 280, 0),
    P("G101", "积存金", "precious_metal", "R3", 0, 50, 600, 90),
    P("G201", "实物金条", "precious_metal", "R3", 0, 100, 600, 90),
    P("TR12", "集合资金信托一年", "trust", "R3", 365, 100, 550, 0),
    P("TR24", "集合资金信托两年", "trust", "R4", 730, 150, 650, 0),
    P("L101", "个人住房贷款", "loan", "", 10950, -1, 0, 0),
    P("L201", "个人消费贷款", "loan", "", 1095, -1, 0, 0),
    P("L301", "个人经营贷款", "loan", "", 1095, -1, 0, 0),
    P("C101", "标准信用卡", "credit_card", "", 0, -1, 0, 0),
    P("C201", "白金信用卡", "credit_card", "", 0, -1, 0, 0),
    P("M101", "个人手机银行", "mobile_banking", "", 0, -1, 0, 0),
    P("Y101", "代发工资", "payroll", "", 0, -1, 0, 0),
)
del P

OCCUPATIONS = (
    "企业职员",
    "公务员",
    "教师",
    "医生",
    "护士",
    "工程师",
    "企业管理人员",
    "个体工商户",
    "私营企业主",
    "工人",
    "农民",
    "学生",
    "退休人员",
    "自由职业者",
    "金融从业人员",
    "律师",
    "销售人员",
    "军人",
    "程序员",
    "设计师",
)
# real mainland mobile number segments
MOBILE_PREFIXES = tuple(
    str(p) for p in (*range(130, 140), *range(150, 154), *range(155, 160), 166, *range(170, 174), *range(175, 179))
) + tuple(str(p) for p in (*range(180, 190), 191, 193, 195, 197, 198, 199))
# common first characters of two-character given names (the second comes from Faker's gendered lists)
GIVEN_FIRST_CHARS = tuple("志建国晓子浩雨思嘉文海春德俊宏晨欣佳家明立永一新天梓宇雅诗紫可")
STAFF_ROLES = ("rm", "advisor", "manager", "teller", "other")
