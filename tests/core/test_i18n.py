"""The staff web app speaks Chinese by default and English on request; the catalogues stay complete."""

import ast
import gettext
import os
import re
import shutil
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest
from django.template import Context, Template
from django.utils import translation

import bankcrm
from bankcrm.customers.choices import Tier

LOCALE = Path(bankcrm.__file__).parent / "locale"
LETTERS = re.compile(r"[A-Za-z]")
HAN = re.compile(r"[\u4e00-\u9fff]")


def written_in_chinese(msgid: str) -> bool:
    return len(HAN.findall(msgid)) >= len(LETTERS.findall(msgid))


def read_po(path: Path) -> list[dict]:
    """Entries of a .po file as {msgctxt, msgid, msgid_plural, msgstr: [..], flags}; header and obsolete skipped.

    A tiny reader so the test needs no dev-only package (polib) on the CI machine.
    """
    entries, entry, key = [], None, None
    for line in [*path.read_text(encoding="utf-8").splitlines(), ""]:
        if not line.strip():
            if entry and entry["msgid"]:
                entries.append(entry)
            entry, key = None, None
            continue
        if line.startswith("#~"):
            continue
        entry = entry or {"msgctxt": None, "msgid": "", "msgid_plural": None, "msgstr": {}, "flags": set()}
        if line.startswith("#,"):
            entry["flags"] |= {f.strip() for f in line[2:].split(",")}
        elif line.startswith("#"):
            continue
        elif line.startswith('"'):
            text = ast.literal_eval(line)
            if isinstance(key, int):
                entry["msgstr"][key] += text
            else:
                entry[key] += text
        else:
            word, _, rest = line.partition(" ")
            text = ast.literal_eval(rest)
            if word.startswith("msgstr"):
                key = int(word[7:-1]) if "[" in word else 0
                entry["msgstr"][key] = text
            else:
                key = word
                entry[key] = text
    return entries


def english(client):
    client.cookies["django_language"] = "en"
    return client


@pytest.fixture
def head_office(client, small_bank, make_login):
    client.force_login(make_login("ho", "head_office"))
    return client


@pytest.mark.django_db
def test_login_page_is_chinese_by_default_and_english_on_request(client):
    html = client.get("/login/").content.decode()
    assert '<html lang="zh-hans">' in html
    assert "登录" in html and "用户名" in html and "密码" in html
    assert "Sign in" not in html and "Password" not in html
    html = client.get("/login/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert '<html lang="en">' in html and "Sign in" in html and "登录" not in html


def test_dashboard_is_chinese_by_default(head_office):
    html = head_office.get("/analytics/").content.decode()
    assert "经营看板" in html and "我的工作台" in html and "数据质量" in html and "退出登录" in html
    assert "Dashboard" not in html and "Sign out" not in html


def test_language_switch_turns_the_pages_english(head_office):
    response = head_office.post("/i18n/setlang/", {"language": "en", "next": "/analytics/"})
    assert response.status_code == 302 and response["Location"] == "/analytics/"
    html = head_office.get("/analytics/").content.decode()
    assert '<html lang="en">' in html
    assert "Dashboard" in html and "My work queue" in html and "Sign out" in html
    assert "经营看板" not in html
    head_office.post("/i18n/setlang/", {"language": "zh-hans", "next": "/analytics/"})
    assert "经营看板" in head_office.get("/analytics/").content.decode()


def test_choice_labels_follow_the_language(head_office):
    assert str(Tier.MASS.label) == "大众"
    with translation.override("en"):
        assert [str(label) for label in Tier.labels] == ["Mass", "VIP", "Wealth", "Private banking"]
    # the work-queue filter lists the tiers
    mass_option = re.compile(r'<option value="mass"\s*>(.*?)</option>')
    assert mass_option.findall(head_office.get("/campaigns/queue/").content.decode()) == ["大众"]
    html = english(head_office).get("/campaigns/queue/").content.decode()
    assert mass_option.findall(html) == ["Mass"] and "大众" not in html


def test_same_chinese_word_different_meaning_has_its_own_english():
    from bankcrm.analytics.choices import Migration
    from bankcrm.complaints.choices import Action, Satisfaction, Severity

    with translation.override("en"):
        assert (str(Migration.UP.label), str(Action.ESCALATE.label)) == ("Upgraded", "Escalate")
        assert (str(Satisfaction.NEUTRAL.label), str(Severity.LOW.label)) == ("Neutral", "Minor")


def test_money_is_grouped_by_thousands_in_chinese():
    template = Template('{{ v|floatformat:"2g" }}')
    assert template.render(Context({"v": Decimal("1234567.8")})) == "1,234,567.80"


@pytest.mark.parametrize("lang", ["zh_Hans", "en"])
def test_catalogue_is_complete_and_compiled(lang):
    po = LOCALE / lang / "LC_MESSAGES" / "django.po"
    entries = read_po(po)
    assert len(entries) > 400
    assert not [e["msgid"] for e in entries if "fuzzy" in e["flags"]], "fuzzy entries are not used: review them"
    if lang == "zh_Hans":
        # every English msgid needs Chinese; Chinese msgids may stay empty (they fall back to themselves)
        untranslated = [e["msgid"] for e in entries if LETTERS.search(e["msgid"]) and not all(e["msgstr"].values())]
    else:
        # every msgid written in Chinese needs English; English msgids fall back to themselves
        untranslated = [e["msgid"] for e in entries if written_in_chinese(e["msgid"]) and not all(e["msgstr"].values())]
    assert not untranslated, f"translate these in {po}: {untranslated}"
    # the committed .mo is the one compiled from this .po (CI machines may lack gettext)
    with (po.parent / "django.mo").open("rb") as fh:
        mo = gettext.GNUTranslations(fh)
    for e in entries:
        if e["msgid_plural"] is None and e["msgstr"][0]:
            msgid = f"{e['msgctxt']}\x04{e['msgid']}" if e["msgctxt"] else e["msgid"]
            assert mo.gettext(msgid) == e["msgstr"][0], f"django.mo is stale: run compilemessages ({e['msgid']!r})"


@pytest.mark.skipif(shutil.which("xgettext") is None, reason="needs GNU gettext (apt-get install gettext)")
def test_catalogue_holds_every_string_of_the_code(tmp_path):
    """A page string added without running makemessages would show in English to Chinese users."""
    src = Path(bankcrm.__file__).parent
    copy = tmp_path / "bankcrm"
    shutil.copytree(src, copy, ignore=shutil.ignore_patterns("static", "locale", "__pycache__"))
    (copy / "locale").mkdir()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "bankcrm.settings_test",
        "PYTHONPATH": str(src.parent),
        "BANKCRM_TEST_HOME": str(tmp_path / "home"),
    }
    subprocess.run(
        [sys.executable, "-m", "django", "makemessages", "-l", "zh_Hans"],
        cwd=copy,
        env=env,
        check=True,
        capture_output=True,
    )
    in_code = {(e["msgctxt"], e["msgid"]) for e in read_po(copy / "locale/zh_Hans/LC_MESSAGES/django.po")}
    in_catalogue = {(e["msgctxt"], e["msgid"]) for e in read_po(LOCALE / "zh_Hans/LC_MESSAGES/django.po")}
    missing = sorted(msgid for _ctx, msgid in in_code - in_catalogue)
    assert not missing, (
        "strings not in the catalogue; from src/bankcrm run makemessages -l zh_Hans -l en, "
        f"translate, compilemessages: {missing}"
    )


def test_complaint_clocks_show_a_label_not_a_code(client, small_bank, make_login):
    client.force_login(make_login("desk", "complaint_handler"))
    preview = "/complaints/new/?policy=cn&received_at=2026-09-23T10:30"
    body = client.get(preview, HTTP_HX_REQUEST="true").content.decode()
    assert '<strong data-clock="decision">处理决定</strong>' in body
    body = client.get(preview, HTTP_HX_REQUEST="true", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert '<strong data-clock="decision">Decision</strong>' in body


def test_customer_pages_show_tier_and_flags_by_label(head_office, small_bank):
    import datetime as dt

    from bankcrm.customers.models import CustomerMonth

    customer = small_bank["customers"]["C001"]
    fields = dict(month="2026-02", as_of=dt.date(2026, 2, 28), branch_code="B001", rm_staff_no="S001", days=28)
    money = dict(aum_avg=Decimal("60000"), aum_end=Decimal("60000"), deposit_avg=Decimal("60000"), loan_end=0)
    flags = dict.fromkeys(
        ("cross_sell_qualified", "dormant_potential", "edge", "downgraded", "maturing", "kyc_expiring"), False
    )
    CustomerMonth.objects.create(
        customer=customer, tier="vip", migration="same", categories_held=1, dormant=True, **fields, **money, **flags
    )
    tier_cell = re.compile(r'<td data-tier="vip">(.*?)</td>')
    assert tier_cell.findall(head_office.get("/customers/?q=C001").content.decode()) == ["贵宾"]
    assert '<span class="badge text-bg-light border" data-flag="dormant">睡眠户</span>' in (
        head_office.get("/customers/C001/").content.decode()
    )
    english(head_office)
    assert tier_cell.findall(head_office.get("/customers/?q=C001").content.decode()) == ["VIP"]
    assert 'data-flag="dormant">Dormant</span>' in head_office.get("/customers/C001/").content.decode()
