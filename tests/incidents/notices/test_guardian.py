"""A notice about a minor speaks to the parent or guardian about the child: the child's risks
and what to do for the child (a US child's credit file freeze, the child's safety where their
whereabouts leaked), not the parent's own accounts."""

from __future__ import annotations

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
