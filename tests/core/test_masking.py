"""Masks that cannot be pieced together (docs/security.md): counted, not eyeballed."""

import datetime as dt

import pytest

from bankcrm.customers.masking import age_on, mask_id_number, mask_phone
from privacy_oracle import id_candidates, phone_candidates

ID = "11010519491231002X"  # born 1949-12-31, sequence 002 (a woman), check digit X
BIRTH = dt.date(1949, 12, 31)
TODAY = dt.date(2026, 12, 1)


def test_id_card_shows_region_and_check_digit_only():
    assert mask_id_number(ID) == "110105***********X"
    assert mask_id_number("110101199003071234") == "110101***********4"


def test_mobile_hides_four_digits():
    assert mask_phone("13912345678") == "139****5678"


@pytest.mark.parametrize(
    ("value", "masked"),
    [
        ("E12345678", "E1*****78"),  # passport: 5 hidden
        ("H1234567", "H******7"),  # 8 characters: 6 hidden
        ("1234567", "1*****7"),
        ("123456", "*****6"),
        ("12345", "*****"),
        ("110105491231002", "110105********2"),  # first-generation 15-digit card
    ],
)
def test_other_documents_keep_five_characters_hidden(value, masked):
    assert mask_id_number(value) == masked


def test_empty_values_stay_empty():
    assert mask_id_number("") == "" and mask_phone(None) == ""


def test_mask_beside_an_age_leaves_ten_thousand_candidates():
    page = f"{mask_id_number(ID)} 年龄 {age_on(BIRTH, TODAY)} 女"
    assert id_candidates(page, ID, BIRTH, "F", TODAY) >= 10_000


def test_the_old_mask_beside_an_age_left_a_few_dozen():
    # why the mask changed: 110105********002X hid the birth date alone; an age narrows it to a year
    # and the shown check digit rules out ten of every eleven dates
    assert id_candidates("110105********002X", ID, BIRTH, "F", TODAY) < 100


def test_a_printed_birth_date_undoes_any_mask():
    assert id_candidates(f"{mask_id_number(ID)} 1949-12-31", ID, BIRTH, "F", TODAY) < 10_000


def test_mobile_mask_leaves_ten_thousand():
    assert phone_candidates(mask_phone("13812345678"), "13812345678") == 10_000
    # two different masks of one number on a page add up
    assert phone_candidates("138****5678 1381234****", "13812345678") == 1
