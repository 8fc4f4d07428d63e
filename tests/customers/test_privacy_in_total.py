"""Issue 8.1/8.2: nothing a user sees without a logged reveal, taken together, gives back the full ID
number or mobile. Every page and API answer that shows the customer is fetched and read as one text;
``privacy_oracle`` counts what is left (≥ 10,000 candidates, docs/security.md)."""

import datetime as dt

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from privacy_oracle import birth_date_formats, id_candidates, phone_candidates

ID = "11010519491231002X"
PHONE = "13812345678"
BIRTH = dt.date(1949, 12, 31)
CUSTOMER_LINE = (
    f"C001,张三,ID_CARD,{ID},F,{BIRTH.isoformat()},{PHONE},北京市朝阳区建国路88号,教师,B001,S001,2020-01-01,active,Y"
)
HEADER = [
    "customer_no",
    "name",
    "id_type",
    "id_number",
    "gender",
    "birth_date",
    "phone",
    "address",
    "occupation",
    "branch_code",
    "rm_staff_no",
    "onboard_date",
    "status",
    "marketing_consent",
]


@pytest.fixture
def exposed(bank360):
    """C001 with a birth date, a quality finding about that date, and a quarantined raw line of theirs."""
    from bankcrm.ingest.models import ImportedFile, ImportRun, QualityFinding, RejectedRow
    from bankcrm.ingest.quality import id_card_findings

    customer = bank360["c1"]
    customer.birth_date = BIRTH
    customer.address = "北京市朝阳区建国路88号"
    customer.save()
    code, detail = id_card_findings(ID, dt.date(1950, 1, 1), "F")[0]
    QualityFinding.objects.create(
        customer=customer, finding=code, detail=detail, branch_code="B001", rm_staff_no="S001"
    )
    run = ImportRun.objects.create(
        directory="/data/in/20261031",
        status="finished",
        report={
            "files": [
                {
                    "file": "customers_20261031.csv",
                    "table": "customers",
                    "rejects": [
                        {
                            "line": 2,
                            "column": "branch_code",
                            "reason": "unknown_reference",
                            "detail": "B999",
                            "raw": CUSTOMER_LINE,
                        }
                    ],
                }
            ]
        },
    )
    imported = ImportedFile.objects.create(
        run=run,
        file_name="customers_20261031.csv",
        table="customers",
        business_date=dt.date(2026, 10, 31),
        sha256="a" * 64,
        status="imported",
        rows_read=1,
        rows_rejected=1,
        header=HEADER,
    )
    reject = RejectedRow.objects.create(
        imported_file=imported,
        line=2,
        column="branch_code",
        reason="unknown_reference",
        detail="B999",
        raw=CUSTOMER_LINE,
    )
    # a legacy row from before headers were kept, and a bad_row that does not split into the header
    RejectedRow.objects.create(
        imported_file=imported, line=3, column="", reason="bad_row", detail="", raw=CUSTOMER_LINE[:-2]
    )
    return {"run": run, "reject": reject}


PAGES = [
    "/customers/?q=C001",
    "/customers/C001/",
    "/customers/C001/reveal/",
    "/campaigns/queue/",
    "/ingest/quality/?finding=id_birthdate_mismatch",
    "/ingest/quarantine/",
    "/ingest/quarantine.csv",
    "/compliance/access-log/",
]
API = ["/api/customers/?q=C001", "/api/customers/C001/", "/api/access-log/"]


def everything_seen(client, api, urls_pages, urls_api, run) -> str:
    seen = []
    for url in [*urls_pages, f"/ingest/imports/{run.pk}/"]:
        response = client.get(url)
        if response.status_code == 200:
            body = b"".join(response.streaming_content) if response.streaming else response.content
            seen.append(body.decode("utf-8"))
    for url in urls_api:
        response = api.get(url)
        if response.status_code == 200:
            seen.append(response.content.decode("utf-8"))
    return "\n".join(seen)


@pytest.mark.parametrize(
    ("role", "scope"),
    [
        ("rm", {"staff_no": "S001"}),
        ("head_office", {}),
        ("compliance", {}),
        ("branch_manager", {"branch_code": "B001"}),
    ],
)
def test_no_role_can_piece_the_numbers_together(client, exposed, make_login, role, scope):
    user = make_login(f"{role}-p", role, **scope)
    client.force_login(user)
    api = APIClient()
    api.force_authenticate(user)
    text = everything_seen(client, api, PAGES, API, exposed["run"])
    assert "C001" in text  # the pages did show the customer
    assert ID not in text and PHONE not in text
    assert not [f for f in birth_date_formats(BIRTH) if f in text], "birth date shown without a reveal"
    today = timezone.localdate()
    assert id_candidates(text, ID, BIRTH, "F", today) >= 10_000
    assert phone_candidates(text, PHONE) >= 10_000


def test_admin_pages_too(client, exposed, django_user_model):
    admin = django_user_model.objects.create_superuser("root", password="x-admin-pass-2026")
    client.force_login(admin)
    text = "".join(
        client.get(url).content.decode()
        for url in ("/admin/customers/customer/", "/admin/customers/customer/C001/change/")
    )
    assert "C001" in text and ID not in text and PHONE not in text
    assert not [f for f in birth_date_formats(BIRTH) if f in text]
    assert id_candidates(text, ID, BIRTH, "F", timezone.localdate()) >= 10_000


def test_unmasked_raw_line_is_a_logged_reveal(client, exposed, make_login):
    from bankcrm.core.models import AccessLog

    user = make_login("comp-r", "compliance")
    client.force_login(user)
    page = client.get("/ingest/quarantine/")
    assert page.status_code == 200 and ID not in page.content.decode()
    assert AccessLog.objects.filter(user_name="comp-r", action="view", path__startswith="/ingest/quarantine/").exists()
    url = f"/ingest/quarantine/{exposed['reject'].pk}/reveal/"
    assert client.post(url, {"reason": ""}).status_code == 400
    response = client.post(url, {"reason": "核对退回行"}, headers={"HX-Request": "true"})
    assert response.status_code == 200 and ID in response.content.decode()
    entry = AccessLog.objects.get(user_name="comp-r", action="reveal")
    assert (entry.customer_no, entry.fields, entry.reason) == ("C001", "raw", "核对退回行")


def test_head_office_may_not_unmask_raw_lines(client, exposed, make_login):
    client.force_login(make_login("ho-r", "head_office"))
    response = client.post(f"/ingest/quarantine/{exposed['reject'].pk}/reveal/", {"reason": "看看"})
    assert response.status_code == 403


def test_downloads_and_reports_are_logged(client, exposed, make_login):
    from bankcrm.core.models import AccessLog

    client.force_login(make_login("ho-d", "head_office"))
    client.get(f"/ingest/imports/{exposed['run'].pk}/")
    b"".join(client.get("/ingest/quarantine.csv").streaming_content)
    actions = set(AccessLog.objects.filter(user_name="ho-d").values_list("action", flat=True))
    assert actions == {"view", "export"}


def test_birth_date_is_a_logged_reveal(client, exposed, make_login):
    from bankcrm.core.models import AccessLog

    client.force_login(make_login("rm-b", "rm", staff_no="S001"))
    response = client.post("/customers/C001/reveal/", {"reason": "办理业务核对", "fields": ["birth_date"]})
    assert response.status_code == 200 and "1949-12-31" in response.content.decode()
    assert AccessLog.objects.get(user_name="rm-b", action="reveal").fields == "birth_date"
