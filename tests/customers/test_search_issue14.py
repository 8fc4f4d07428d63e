"""Issue 14 bug 7 (spec/api.md): search by the last 4 digits of a mobile, a customer-number prefix of
at least 4 characters, and the pinyin of a name (full or initials), on the API and the search page."""

import pytest

from bankcrm.customers.models import Customer
from webapi_data import token_client


@pytest.fixture
def head_office(bank360, make_login):
    return token_client(make_login("ho", "head_office"))


@pytest.fixture
def ouyang(bank360):
    return Customer.objects.create(
        customer_no="C7001234",
        name="欧阳娜娜",
        id_type="ID_CARD",
        id_number="110101199001011234",
        phone="13700008765",
        branch=bank360["branches"]["B002"],
        onboard_date="2020-01-01",
    )


def numbers(response):
    assert response.status_code == 200
    return sorted(row["customer_no"] for row in response.json()["results"])


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ("oyn", ["C7001234"]),  # spec/api.md's example: initials, by prefix
        ("OYNN", ["C7001234"]),  # capitals as typed
        ("ouyang", ["C7001234"]),  # full pinyin, by prefix
        ("ouyangnana", ["C7001234"]),
        ("8765", ["C7001234"]),  # last 4 digits of 137 0000 8765
        ("C700", ["C7001234"]),  # a customer-number prefix of 4 characters
        ("c7001", ["C7001234"]),  # in lower case
        ("C70", []),  # 3 characters: too short to be a prefix search
        ("876", []),  # 3 digits are not "the last 4"
        ("0000876", []),  # nor is a middle part of the mobile
        ("yang", []),  # pinyin by prefix only, like names
        ("o", []),  # one letter is no search (the initial of a sixth of the bank)
    ],
)
def test_search_by_last4_customer_no_prefix_and_pinyin(head_office, ouyang, q, expected):
    assert numbers(head_office.get("/api/customers/", {"q": q})) == expected


def test_search_keys_follow_a_changed_name_and_mobile(ouyang):
    ouyang.name, ouyang.phone = "吕丹", "13911112222"
    ouyang.save(update_fields=["name", "phone"])
    stored = Customer.objects.get(pk=ouyang.pk)
    assert (stored.name_pinyin, stored.name_initials, stored.phone_last4) == ("lvdan", "ld", "2222")


def test_search_page_finds_pinyin_initials(client, ouyang, make_login):
    client.force_login(make_login("ho2", "head_office"))
    page = client.post("/customers/", {"q": "oyn"}, follow=True)
    assert [c.customer_no for c in page.context["object_list"]] == ["C7001234"]


def test_last4_finds_every_customer_with_those_digits(head_office, ouyang):
    # C002 (李四) has 139 8765 4321: the last 4 are a narrowing, not an identification
    assert numbers(head_office.get("/api/customers/", {"q": "4321"})) == ["C002"]
