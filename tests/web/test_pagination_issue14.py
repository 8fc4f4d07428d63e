"""Issue 14 bug 5: every list page is paginated, and its page links keep the filters.

The imports page listed a delivery's 1,149 files in one table; now each run shows its first files
(problems first) with a link to the run, whose files come 50 to a page.
"""

import datetime as dt
import re

import pytest

from bankcrm.core.models import AccessLog
from bankcrm.ingest.models import ImportedFile, ImportRun

pytestmark = pytest.mark.django_db


@pytest.fixture
def head_office(client, small_bank, make_login):
    client.force_login(make_login("ho", "head_office"))
    return client


@pytest.fixture
def big_delivery(small_bank):
    run = ImportRun.objects.create(directory="/data/in/20260228", status="finished", user_name="ops")
    ImportedFile.objects.bulk_create(
        ImportedFile(
            run=run, file_name=f"balances_{n:04d}.csv", table="balances", business_date=dt.date(2026, 2, 28),
            sha256=f"{n:064d}", status="imported", rows_read=10, rows_loaded=10,
        )
        for n in range(120)
    )  # fmt: skip
    ImportedFile.objects.create(
        run=run, file_name="customers_bad.csv", table="customers", business_date=dt.date(2026, 2, 28),
        sha256="f" * 64, status="refused", reason="header does not match",
    )  # fmt: skip
    return run


def rows_in(html: str, table_id: str | None = None) -> int:
    return html.count("<tr><td>")


def test_imports_page_shows_a_few_files_per_run_problems_first(head_office, big_delivery):
    html = head_office.get("/ingest/imports/").content.decode()
    assert "customers_bad.csv" in html  # the refused file, although it came last
    assert html.count("balances_") == 9  # 10 files shown of 121
    assert f'href="/ingest/imports/{big_delivery.pk}/"' in html and "121" in html


def test_import_run_files_are_paginated(head_office, big_delivery):
    first = head_office.get(f"/ingest/imports/{big_delivery.pk}/").content.decode()
    assert first.count("balances_") == 50 and "?page=2" in first
    last = head_office.get(f"/ingest/imports/{big_delivery.pk}/?page=3").content.decode()
    assert last.count(".csv</td>") == 21


def test_imports_list_paginates_runs(head_office, small_bank):
    ImportRun.objects.bulk_create(ImportRun(directory=f"/data/in/{n}", status="finished") for n in range(25))
    page = head_office.get("/ingest/imports/")
    assert len(page.context["object_list"]) == 20 and "?page=2" in page.content.decode()


def test_access_log_page_links_keep_the_filters(client, small_bank, make_login):
    client.force_login(make_login("cp", "compliance"))
    AccessLog.objects.bulk_create(
        AccessLog(user_name="rm1", action="view", customer_no="C001", path="/customers/C001/") for _ in range(130)
    )
    html = client.get("/compliance/access-log/?customer_no=C001&action=view").content.decode()
    links = re.findall(r'href="(\?[^"]*page=2[^"]*)"', html)
    assert links, "no link to page 2"
    assert all("customer_no=C001" in link and "action=view" in link for link in links)
