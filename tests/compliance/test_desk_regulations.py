"""The regulation library from spec/compliance.md alone: versions by reg_id, Chinese search, in force first."""

import pytest
from django.core.management import CommandError, call_command

from bankcrm.compliance.models import Regulation
from bankcrm.compliance.services import search_regulations

pytestmark = pytest.mark.django_db
HEADER = "reg_id,kind,title,issuer,doc_no,issued_date,effective_date,status,text\n"


def load(tmp_path, body):
    path = tmp_path / "regs.csv"
    path.write_text(HEADER + body, encoding="utf-8")
    call_command("compliance", "regulations", "import", str(path))


ROWS = (
    "EXT-1,external,商业银行理财业务监督管理办法,银保监会,银保监会令2018年第6号,2018-09-26,2018-09-26,in_force,"
    "商业银行应当对理财产品进行风险评级并开展投资者适当性管理\n"
    "EXT-0,external,商业银行个人理财业务管理暂行办法,银监会,银监会令2005年第2号,2005-09-24,2005-11-01,repealed,"
    "销售理财产品应当进行客户适当性评估\n"
    "INT-7,internal,员工行为管理办法,本行,行发〔2024〕7号,2024-01-02,2024-02-01,in_force,严禁未经授权查询客户账户信息\n"
)


def ids(query):
    return [r.reg_id for r in search_regulations(query)]


def test_chinese_word_inside_a_sentence_in_force_first(tmp_path):
    load(tmp_path, ROWS)
    assert ids("适当性") == ["EXT-1", "EXT-0"]  # the word sits inside 投资者适当性管理 with no spaces
    assert ids("账户信息") == ["INT-7"]
    assert ids("适当账户") == []  # both bigrams must be there, not any character
    assert ids("2018") == ["EXT-1"]  # document number
    assert ids("行发〔2024〕7号") == ["INT-7"]


def test_a_row_replaces_the_stored_one_and_keeps_the_version(tmp_path):
    load(tmp_path, ROWS)
    load(
        tmp_path,
        "INT-7,internal,员工行为管理办法（修订）,本行,行发〔2025〕3号,2025-01-02,2025-02-01,in_force,员工不得代客操作\n",
    )
    reg = Regulation.objects.get(pk="INT-7")
    assert (reg.version, reg.doc_no) == (2, "行发〔2025〕3号")
    assert reg.versions.get().doc_no == "行发〔2024〕7号"
    assert ids("账户信息") == [] and ids("代客") == ["INT-7"]


def test_a_row_without_an_id_is_named_and_nothing_is_loaded(tmp_path, capsys):
    with pytest.raises(CommandError, match="line 3: reg_id is missing"):
        load(tmp_path, ROWS.splitlines()[0] + "\n,external,无编号,,,,,in_force,x\n")
    assert not Regulation.objects.exists()


def test_xlsx_import_with_date_cells(tmp_path):
    import datetime as dt

    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(HEADER.strip().split(","))
    sheet.append(
        ["EXT-9", "external", "银行保险机构消费者权益保护管理办法", "金融监管总局", "令2022年第9号",
         dt.datetime(2022, 12, 26), dt.datetime(2023, 3, 1), "in_force", "保护消费者的知情权和自主选择权"]
    )  # fmt: skip
    path = tmp_path / "regs.xlsx"
    book.save(path)
    call_command("compliance", "regulations", "import", str(path))
    reg = Regulation.objects.get(pk="EXT-9")
    assert (reg.issued_date, reg.effective_date) == (dt.date(2022, 12, 26), dt.date(2023, 3, 1))
    assert ids("知情权") == ["EXT-9"]
