"""A voice call states only what is true for everyone it reaches (nobody who is called is also
sent the notice in writing) and reads out no sensitive category: it may reach an answering
machine. The detail is left to a channel that checks who is listening."""

from __future__ import annotations

import pytest
from freezegun import freeze_time

from incidents.notices import generation
from incidents.rendering import render
from tests.incidents.notices import helpers

LOCALES = ("en", "de", "fr", "es", "ja", "zh-CN")
SENSITIVE = ("health", "health_insurance", "financial_account", "ssn")


def _voice(locale: str, categories: tuple[str, ...], codes: tuple[str, ...] = ("US-TX",)) -> str:
    with freeze_time(helpers.NOW):
        out = generation.render_group(
            helpers.incident(), generation.Group(codes, locale, categories),
            selection=helpers.selection(codes, categories),
            citations=[law.citation for law in helpers.laws(codes, categories)],
            authorities=True, channels=("voice",))
    return out[0].text


@pytest.mark.parametrize("locale", LOCALES)
def test_a_call_names_no_sensitive_category_and_claims_no_letter(locale: str) -> None:
    catalog = render.messages(locale, ("US-TX",))
    script = _voice(locale, ("name", "email", *SENSITIVE))
    for category in SENSITIVE:
        assert catalog["category"][category] not in script, category
        assert catalog["advice"][category] not in script, category  # advice names it too
    assert catalog["category"]["email"] in script
    assert catalog["voice"]["withheld"] in script
    # Before: "We have sent you the full notice in writing" to people with no e-mail or address.
    for claim in ("in writing", "schriftlich", "par écrit", "por escrito", "書面", "书面"):
        assert claim not in script


def test_a_call_about_sensitive_data_only_still_says_what_happened() -> None:
    script = _voice("en", ("health",))
    assert "involved some of your personal information." in script
    assert "health" not in script.lower()
