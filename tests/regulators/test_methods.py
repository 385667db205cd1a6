"""The individual-notice methods each law accepts, cited: US law takes written notice, and
e-mail only with E-SIGN consent (Florida without it; New York also by telephone)."""

from __future__ import annotations

import pytest

from regulators import all_regulators, lawful_channels


@pytest.mark.parametrize("regulator", all_regulators(), ids=lambda r: r.code)
def test_every_law_declares_its_methods_with_a_citation_and_mark(regulator):
    methods = regulator.methods
    assert methods.channels and methods.citation and methods.verification in ("V", "S", "U")
    assert methods.consent_needed <= methods.channels
    if regulator.country == "US":
        assert "letter" in methods.channels  # written notice is always lawful in US law
        assert "sms" not in methods.channels and "push" not in methods.channels


@pytest.mark.parametrize(("codes", "consent", "expected"), [
    (("US-CA",), False, {"letter"}),
    (("US-CA",), True, {"letter", "email"}),
    (("US-FL",), False, {"letter", "email"}),
    (("US-NY",), False, {"letter", "voice"}),
    (("US-MA",), True, {"letter", "email"}),
    (("US-HIPAA",), False, {"letter"}),
    (("US-OH",), True, {"letter", "email"}),
    (("EU",), False, {"letter", "email", "sms", "voice", "push"}),
    (("US-NY", "EU"), True, {"letter", "email", "voice"}),  # every law of theirs must accept it
    (("MX",), False, {"letter", "email", "sms", "voice", "push"}),  # no rule: nothing prescribed
])
def test_the_lawful_channels_are_the_intersection_of_every_law(codes, consent, expected):
    assert lawful_channels(codes, consent=consent) == frozenset(expected)
