"""Contacts: the fast E.164 path agrees with the phonenumbers library; e-mail, locale, age."""

import random
from datetime import date

import phonenumbers
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from incidents.identification import contacts


def _library(value):
    """The library's own answer, written out here from its public API."""
    try:
        parsed = phonenumbers.parse(value, None)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(parsed):
        return None
    kind = {phonenumbers.PhoneNumberType.MOBILE: "mobile",
            phonenumbers.PhoneNumberType.FIXED_LINE: "landline",
            phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE: "mobile_or_landline",
            phonenumbers.PhoneNumberType.VOIP: "voip"}.get(phonenumbers.number_type(parsed), "other")
    return (phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164), kind,
            phonenumbers.region_code_for_number(parsed) or "")


def _examples_and_mutations():
    rng = random.Random(4)
    numbers = set()
    for region in sorted(phonenumbers.SUPPORTED_REGIONS):
        for kind in range(12):
            example = phonenumbers.example_number_for_type(region, kind)
            if example is None:
                continue
            e164 = phonenumbers.format_number(example, phonenumbers.PhoneNumberFormat.E164)
            numbers.add(e164)
            for _ in range(4):
                digits = list(e164[1:])
                digits[rng.randrange(len(digits))] = rng.choice("0123456789")
                numbers.add("+" + "".join(digits))
                numbers.add(e164[:-1])
                numbers.add(e164 + rng.choice("0123456789"))
    return sorted(numbers)


def test_fast_path_agrees_with_the_library_on_every_region():
    numbers = _examples_and_mutations()
    assert len(numbers) > 10_000
    decided = 0
    for number in numbers:
        found = contacts.phone_info(number)
        assert (tuple(found) if found else None) == _library(number), number
        decided += contacts._fast_phone_info(number) is not contacts._UNDECIDED
    # The point of the fast path: it decides nearly every plain E.164 number by itself.
    assert decided / len(numbers) > 0.9


@settings(max_examples=1000, deadline=None)
@given(code=st.sampled_from(sorted(phonenumbers.COUNTRY_CODE_TO_REGION_CODE)),
       rest=st.text("0123456789", min_size=1, max_size=14))
def test_fast_path_agrees_with_the_library_on_random_digits(code, rest):
    number = f"+{code}{rest}"
    found = contacts.phone_info(number)
    assert (tuple(found) if found else None) == _library(number)


@pytest.mark.parametrize(("raw", "expected"), [
    ("+4915112345678", ("+4915112345678", "mobile", "DE")),
    ("+49 30 1234567", ("+49301234567", "landline", "DE")),  # formatted: normalised to E.164
    ("+1 (202) 555-0143", ("+12025550143", "mobile_or_landline", "US")),
    ("+8613800138000", ("+8613800138000", "mobile", "CN")),
    ("+4930", None),  # too short
    ("015112345678", None),  # national format: not E.164
    ("+999123456", None),  # no such country code
    ("", None), (None, None),
])
def test_phone_info(raw, expected):
    found = contacts.phone_info(raw)
    assert (tuple(found) if found else None) == expected


def test_sms_needs_a_handset():
    assert contacts.sms_capable("mobile") and contacts.sms_capable("mobile_or_landline")
    assert not contacts.sms_capable("landline") and not contacts.sms_capable(None)


@pytest.mark.parametrize(("value", "valid"), [
    ("alex@mail.example", True), ("a.b+tag@sub.example.org", True),
    ("alex@@broken", False), ("alex@example", False), ("no spaces@example.org", False),
    ("a" * 250 + "@x.org", False), ("", False), (None, False),
])
def test_valid_email(value, valid):
    assert contacts.valid_email(value) is valid


def test_locale_and_country():
    assert contacts.country_from_locale("de-DE") == "DE"
    assert contacts.country_from_locale("zh_CN") == "CN"
    assert contacts.country_from_locale("zh-Hans-CN") == "CN"
    assert contacts.country_from_locale("en") is None  # a language says nothing about residence
    assert contacts.valid_locale("pt-BR") and contacts.valid_locale("zh-Hans-CN")
    assert not contacts.valid_locale("not a locale") and not contacts.valid_locale("x" * 40)


def test_birth_date_and_age():
    today = date(2026, 6, 15)
    assert contacts.birth_date("2012-06-16", today) == date(2012, 6, 16)
    assert contacts.birth_date("2012-06-16T00:00:00", today) == date(2012, 6, 16)
    assert contacts.birth_date("2030-01-01", today) is None  # in the future
    assert contacts.birth_date("16/06/2012", today) is None
    assert contacts.age_on(date(2012, 6, 16), today) == 13  # birthday tomorrow
    assert contacts.age_on(date(2012, 6, 15), today) == 14
