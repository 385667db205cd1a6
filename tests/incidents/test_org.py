import pytest

from incidents import org
from incidents.exceptions import InputError

COMPLETE = {
    "name": "Acme", "contact_email": "privacy@acme.example", "contact_phone": "+1 555 0100",
    "postal_address": "1 Road", "website": "https://acme.example", "remedy": "monitoring",
    "dpo_name": "DPO", "dpo_email": "dpo@acme.example",
}


def test_a_real_profile_is_never_filled_with_the_example_organisation():
    profile = org.validate(COMPLETE)
    assert profile["name"] == "Acme"
    assert profile["toll_free_number"] is None  # not the example's number
    assert profile["hipaa_covered_entity"] is False
    assert profile["unit_prices"]["email"] > 0  # list prices stand in for estimates


@pytest.mark.parametrize("missing", org.REQUIRED_KEYS)
def test_missing_required_key_is_named(missing):
    with pytest.raises(InputError) as error:
        org.validate({k: v for k, v in COMPLETE.items() if k != missing})
    assert error.value.field == missing


@pytest.mark.parametrize(("change", "field"), [
    ({"colour": "red"}, "colour"),
    ({"hipaa_covered_entity": "yes"}, "hipaa_covered_entity"),
    ({"establishment": "Ireland"}, "establishment"),
    ({"unit_prices": {"email": -1}}, "unit_prices.email"),
])
def test_bad_values_are_named(change, field):
    with pytest.raises(InputError) as error:
        org.validate({**COMPLETE, **change})
    assert error.value.field == field


def test_without_a_profile_the_documented_example_is_used():
    assert org.load(None)["name"] == org.EXAMPLE_ORG["name"]


def test_the_signatory_title_is_text_or_a_table_of_languages() -> None:
    from incidents import org as org_profile
    from incidents.exceptions import InputError

    table = {"en": "Chief Privacy Officer", "ja": "最高プライバシー責任者"}
    assert org_profile.validate({"signatory_title": table}, example=True)["signatory_title"] == table
    for bad in (3, {"en": 3}, {}):
        with pytest.raises(InputError, match="signatory_title"):
            org_profile.validate({"signatory_title": bad}, example=True)
