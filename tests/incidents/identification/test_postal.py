"""Postal addresses: parsed, checked, and stored normalised; only a usable one gives `letter`."""

from __future__ import annotations

import pytest

from incidents.identification import postal


@pytest.mark.parametrize(("raw", "country", "problem"), [
    ("1 Main Street|Springfield, IL 62701", None, postal.MISSING_COUNTRY),
    ("1 Main Street||Springfield, IL 62701", "US", postal.EMPTY_LINE),
    ("1 Main Street\n\nSpringfield, IL 62701\nUS", None, postal.EMPTY_LINE),
    ("Hauptstr. 1, Berlin", "DE", postal.TOO_FEW_LINES),
    ("a|b|c|d|e|f", "DE", postal.TOO_MANY_LINES),
    ("x" * 61 + "|10115 Berlin", "DE", postal.LINE_TOO_LONG),
    ("1 Main Street|Springfield", "US", postal.NO_CITY_LINE),
    ("1 Rue X|Montreal QC", "CA", postal.NO_CITY_LINE),
])
def test_unusable_addresses_name_their_problem(raw, country, problem):
    assert postal.parse(raw, country) == problem


def test_a_usable_address_is_stored_with_its_country_last():
    found = postal.parse(" 1200 Market Street | Apt 4B |San Francisco, CA 94103| us ", None)
    assert isinstance(found, postal.PostalAddress)
    assert found.stored() == "1200 Market Street\nApt 4B\nSan Francisco, CA 94103\nUS"
    assert postal.stored(found.stored()) == found
    assert found.city_line() == {"city": "San Francisco", "state": "CA", "zip": "94103"}
    german = postal.parse("Hauptstraße 5\r\n10115 Berlin", "de")
    assert isinstance(german, postal.PostalAddress) and german.country == "DE"
    assert german.city_line() is None  # read by people, not by machine: no format imposed
