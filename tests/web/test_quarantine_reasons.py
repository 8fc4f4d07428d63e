"""The quarantine shows every reason code as a translated label, the new too_long and stale_row too (issue 8)."""

import datetime as dt

import pytest

from bankcrm.ingest.models import ImportedFile, ImportRun, RejectedRow

pytestmark = pytest.mark.django_db

# written by hand: the label a head-office user reads for each code
LABELS = {
    "zh-hans": {"too_long": "超出字段长度", "stale_row": "旧文件数据（未应用）", "bad_row": "行格式错误"},
    "en": {
        "too_long": "Value too long",
        "stale_row": "Stale row (older file, not applied)",
        "bad_row": "Malformed row",
    },
}


@pytest.fixture
def quarantine(small_bank):
    run = ImportRun.objects.create(directory="/data/in", status="finished")
    f = ImportedFile.objects.create(
        run=run,
        file_name="customers_20261030.csv",
        table="customers",
        business_date=dt.date(2026, 10, 30),
        sha256="c" * 64,
        status="imported",
        rows_read=3,
        rows_rejected=3,
    )
    for line, reason in enumerate(("too_long", "stale_row", "bad_row"), start=2):
        RejectedRow.objects.create(imported_file=f, line=line, column="name", reason=reason, raw=f"C{line},x")
    return run


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_reason_labels_in_both_languages(client, quarantine, make_login, language):
    client.force_login(make_login("ho", "head_office"))
    html = client.get("/ingest/quarantine/", headers={"accept-language": language}).content.decode()
    for code, label in LABELS[language].items():
        assert f'data-reason="{code}">{label}</td>' in html
        assert f'<option value="{code}" >{label}</option>' in html
