"""A notice about a minor speaks to the parent or guardian about the child: the child's risks
and what to do for the child (a US child's credit file freeze, the child's safety where their
whereabouts leaked), not the parent's own accounts."""

from __future__ import annotations

import re
import tomllib

import pytest
from freezegun import freeze_time

from incidents.notices import generation
from incidents.rendering import render
from tests.incidents.notices import helpers

CATEGORIES = ("name", "password", "ssn", "precise_location")


def _texts(codes: tuple[str, ...], locale: str) -> dict[str, str]:
    with freeze_time(helpers.NOW):
        out = generation.render_group(
            helpers.incident(), generation.Group(codes, locale, CATEGORIES, guardian=True),
            selection=helpers.selection(codes, CATEGORIES),
            citations=[law.citation for law in helpers.laws(codes, CATEGORIES)],
            authorities=True, channels=("letter", "voice"))
    return {r.channel: r.text for r in out}


@pytest.mark.parametrize("locale", ["en", "de", "fr", "es", "ja", "zh-CN"])
def test_a_guardian_is_told_about_the_child_and_what_to_do_for_the_child(locale: str) -> None:
    m = tomllib.loads((render.root() / locale / "messages.toml").read_text(encoding="utf-8"))
    letter = _texts(("US-NY",), locale)["letter"]
    for text in (m["consequence_child"]["accounts"], m["consequence_child"]["identity"],
                 m["advice_child"]["password"], m["advice_child"]["credit_freeze_us"],
                 m["advice_child"]["precise_location"]):
        assert text in letter
    # Before: the parent was told to look after their own accounts and credit file.
    for text in (m["consequence"]["accounts"], m["advice"]["password"], m["advice"]["ssn"]):
        assert text not in letter


def test_the_us_credit_freeze_for_a_child_is_not_offered_outside_the_us() -> None:
    m = tomllib.loads((render.root() / "en" / "messages.toml").read_text(encoding="utf-8"))
    texts = _texts(("GB",), "en")
    assert m["advice_child"]["credit_freeze_us"] not in texts["letter"]
    assert m["advice_child"]["password"] in texts["voice"]


# Messages written for an adult about their own data, and what a guardian notice says instead.
ADULT_TO_CHILD = {
    **{f"advice.{key}": f"advice_child.{key}" for key in (
        "always", "vigilant", "password", "security_qa", "username", "email", "phone", "ssn",
        "national_id", "drivers_license", "passport", "tax_id", "financial_account",
        "payment_card", "account_access_code", "health", "health_insurance", "biometric",
        "precise_location", "date_of_birth", "postal_address")},
    **{f"consequence.{key}": f"consequence_child.{key}" for key in (
        "intro", "accounts", "identity", "financial", "sensitive", "phishing")},
    "measures.neutral": "measures.neutral_guardian",
    "credential_reset.text": "credential_reset.guardian",
    "security_freeze.intro": "security_freeze.intro_guardian",
    "security_freeze.how": "security_freeze.how_guardian",
    "security_freeze.needs": "security_freeze.needs_guardian",
    "police_report.text": "police_report.guardian",
    "cra.intro": "cra.intro_guardian",
    "cra.fcra_rights": "cra.fcra_rights_guardian",
    "remedy.offer": "remedy.offer_guardian",
    "remedy.offer_text": "remedy.offer_text_guardian",
    "remedy.enrol": "remedy.enrol_guardian",
    "remedy.enrol_without_code": "remedy.enrol_without_code_guardian",
    "remedy.enrol_call": "remedy.enrol_call_guardian",
    "remedy.credit_monitoring": "remedy.credit_monitoring_guardian",
    "voice.remedy": "voice.remedy_guardian",
    "voice.remedy_text": "voice.remedy_text_guardian",
}
# Laws whose notices carry the most adult-directed elements (credit freeze, police report,
# FCRA rights, credential reset, vigilance, monitoring), and the others' own forms.
EVERY_FORM = (("US-MA",), ("US-CA",), ("US-NY",), ("US-CT", "US-DC"), ("US-HIPAA",), ("EU",),
              ("GB",), ("CN",), ("JP",), ("CA",))
EVERYTHING = ("name", "email", "phone", "postal_address", "date_of_birth", "username", "password",
              "security_qa", "ssn", "national_id", "drivers_license", "passport", "tax_id",
              "financial_account", "payment_card", "account_access_code", "health",
              "health_insurance", "biometric", "precise_location")


def _message(m: dict, dotted: str) -> str:
    section, key = dotted.split(".")
    return str(m[section][key])


def _telltales(adult: str, child: str) -> list[str]:
    """The adult message's fixed words (between placeholders) that the child's version lacks."""
    parts = [p.strip(" .,:;。，、：") for p in re.split(r"\{\w+\}", adult)]
    return [p for p in parts if len(p) >= 8 and p not in child]


@pytest.mark.parametrize("locale", ["en", "de", "fr", "es", "ja", "zh-CN"])
def test_no_guardian_notice_gives_adult_advice(locale: str) -> None:
    """Every channel of a guardian notice, under every form: none of the adult wording."""
    m = tomllib.loads((render.root() / locale / "messages.toml").read_text(encoding="utf-8"))
    telltales = {}
    for adult, child in ADULT_TO_CHILD.items():
        telltales[adult] = _telltales(_message(m, adult), _message(m, child))
    for codes in EVERY_FORM:
        with freeze_time(helpers.NOW):
            out = generation.render_group(
                helpers.incident(data_categories=list(EVERYTHING)),
                generation.Group(codes, locale, EVERYTHING, guardian=True),
                selection=helpers.selection(codes, EVERYTHING),
                citations=[law.citation for law in helpers.laws(codes, EVERYTHING)],
                authorities=True)
        for rendered in out:
            for adult, words in telltales.items():
                for said in words:
                    assert said not in rendered.text, (codes, rendered.channel, adult, said)
            if locale == "en":  # the parent's own accounts, credit file or data
                found = re.search(r"\byour (credit|accounts?|password|bank|card|identity|"
                                  r"information|personal activation|name|addresses)\b",
                                  rendered.text, re.IGNORECASE)
                assert not found, (codes, rendered.channel, found)
