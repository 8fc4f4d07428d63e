"""Issue 8.5 (no-store; search terms out of URLs) and 8.12 (keys that would break a URL)."""

import pytest
from rest_framework.test import APIClient

ID = "11010519491231002X"
PHONE = "13812345678"


@pytest.fixture
def rm_client(client, bank360, make_login):
    client.force_login(make_login("wf-s", "rm", staff_no="S001"))
    return client


@pytest.mark.parametrize(
    "url", ["/customers/C001/", "/customers/C001/reveal/", "/customers/?q=C001", "/api/customers/C001/"]
)
def test_pages_with_personal_data_are_not_stored(rm_client, url):
    response = rm_client.get(url)
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"] and "private" in response["Cache-Control"]


def test_reveal_and_exports_are_not_stored(rm_client):
    response = rm_client.post("/customers/C001/reveal/", {"reason": "核实身份", "fields": ["phone"]})
    assert PHONE in response.content.decode() and "no-store" in response["Cache-Control"]


def test_static_files_stay_cacheable(client):
    # whitenoise answers before the no-store middleware: the bank's proxy may cache CSS and JS
    response = client.get("/static/bankcrm/bankcrm.css")
    assert response.status_code == 200
    assert "no-store" not in response.get("Cache-Control", "")


@pytest.mark.parametrize("term", [ID, PHONE])
def test_search_by_id_or_mobile_keeps_them_out_of_the_url(rm_client, term):
    response = rm_client.post("/customers/", {"q": term})
    assert response.status_code == 302
    location = response["Location"]
    assert term not in location and "s=" in location
    page = rm_client.get(location)
    assert [c.customer_no for c in page.context["object_list"]] == ["C001"]
    # the term stays in the search box of this no-store page, never in a link (pagination, htmx)
    for link_part in ("href=", "hx-get="):
        assert all(term not in chunk.split('"')[1] for chunk in page.content.decode().split(link_part)[1:])


def test_htmx_search_pushes_a_token_url(rm_client):
    response = rm_client.post("/customers/", {"q": PHONE}, headers={"HX-Request": "true"})
    assert response.status_code == 200 and PHONE not in response["HX-Push-Url"]
    assert "C001" in response.content.decode() and b"<html" not in response.content


def test_a_token_from_another_session_finds_nothing(client, bank360, make_login, rm_client):
    location = rm_client.post("/customers/", {"q": PHONE})["Location"]
    other = client.__class__()
    other.force_login(make_login("wf-t", "rm", staff_no="S001"))
    page = other.get(location)
    assert page.status_code == 200 and page.context["filter"].form["q"].value() in ("", None)
    assert PHONE not in page.content.decode()


def test_api_search_by_post(bank360, make_login):
    api = APIClient()
    api.force_authenticate(make_login("wf-a", "rm", staff_no="S001"))
    response = api.post("/api/customers/search/", {"q": PHONE}, format="json")
    assert response.status_code == 200
    assert [c["customer_no"] for c in response.json()["results"]] == ["C001"]
    assert response.json()["results"][0]["phone"] == "138****5678"
    from bankcrm.core.models import AccessLog

    assert AccessLog.objects.get(user_name="wf-a", action="search").detail == "q=138****5678"


def test_api_search_by_post_is_scoped(bank360, make_login):
    api = APIClient()
    api.force_authenticate(make_login("lq-a", "rm", staff_no="S002"))
    assert api.post("/api/customers/search/", {"q": PHONE}, format="json").json()["results"] == []


# ---------------------------------------------------------------- 8.12: keys and URLs


def test_a_customer_number_with_a_slash_is_still_reachable(rm_client, bank360):
    from bankcrm.customers.models import Customer

    c1 = bank360["c1"]
    Customer.objects.create(
        customer_no="C/009?#%",
        name="斜杠",
        id_type="PASSPORT",
        id_number="E99999999",
        branch=c1.branch,
        rm=c1.rm,
        onboard_date=c1.onboard_date,
    )
    listing = rm_client.get("/customers/?q=斜杠")
    assert listing.status_code == 200
    html = listing.content.decode()
    assert "/customers/C/009%3F%23%25/" in html
    detail = rm_client.get("/customers/C/009%3F%23%25/")
    assert detail.status_code == 200 and "斜杠" in detail.content.decode()
    assert rm_client.get("/customers/C/009%3F%23%25/reveal/").status_code == 200


def test_api_404_is_json(bank360, make_login):
    api = APIClient()
    api.force_authenticate(make_login("wf-j", "rm", staff_no="S001"))
    response = api.get("/api/customers/NOPE/")
    assert response.status_code == 404 and response["Content-Type"].startswith("application/json")
    assert "detail" in response.json()
