from bankcrm.customers.masking import mask_id_number, mask_phone


def test_id_number_masked_as_spec():
    assert mask_id_number("110101199003071234") == "110101********1234"


def test_mobile_masked_as_spec():
    assert mask_phone("13912345678") == "139****5678"


def test_empty_values_stay_empty():
    assert mask_id_number("") == "" and mask_phone(None) == ""
