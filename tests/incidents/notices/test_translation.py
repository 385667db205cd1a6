"""The incident's free text reaches every locale: translated where the payload gives it, else
quoted in the original with its language named, and the incident `needs_translation`."""

from __future__ import annotations

import pytest
from freezegun import freeze_time

from incidents import payload
from incidents.exceptions import InputError
from incidents.notices import generation, translation
from tests.incidents.notices import helpers

CATEGORIES = ("name", "email", "password")


def _letter(locale: str, **overrides: object) -> str:
    incident = helpers.incident(**overrides)
    with freeze_time(helpers.NOW):
        out = generation.render_group(
            incident,
            generation.Group(("EU",), locale, CATEGORIES),
            selection=helpers.selection(("EU",), CATEGORIES),
            citations=[law.citation for law in helpers.laws(("EU",), CATEGORIES)],
            authorities=True,
            channels=("letter",),
        )
    return out[0].text


def test_a_translated_fact_reaches_the_reader_in_their_language() -> None:
    letter = _letter(
        "de",
        translations={
            "de": {
                "summary": "Ein Angreifer hat sich mit entwendeten Passwörtern angemeldet.",
                "measures_taken": "Wir haben alle Passwörter zurückgesetzt.",
            }
        },
    )
    assert "Kurz gesagt: Ein Angreifer hat sich mit entwendeten Passwörtern angemeldet." in letter
    assert "Im Einzelnen: Wir haben alle Passwörter zurückgesetzt." in letter


@pytest.mark.parametrize(
    ("locale", "marker"),
    [
        ("de", "Originaltext auf Englisch"),
        ("fr", "texte original en anglais"),
        ("ja", "英語の原文"),
        ("zh-CN", "英语原文"),
    ],
)
def test_an_untranslated_fact_is_quoted_and_marked_never_dropped(locale: str, marker: str) -> None:
    letter = _letter(locale)
    # Before: non-English notices left the summary and the measures out altogether.
    assert "All sessions revoked; attacker addresses blocked." in letter
    assert "An attacker used leaked passwords to sign in to accounts." in letter
    assert marker in letter
    incident = helpers.incident(translations={"fr": {"summary": "Un attaquant ..."}})
    assert translation.missing(incident, ["en", "de", "fr"]) == {
        "de": ["summary", "measures_taken"],
        "fr": ["measures_taken"],
    }


def test_the_payload_takes_translations_and_names_a_bad_one() -> None:
    base = {
        "external_id": "X-1",
        "title": "t",
        "detected_at": "2026-11-20T08:00:00Z",
        "data_categories": ["email"],
        "summary": "s",
    }
    parsed = payload.parse(base | {"translations": {"de": {"summary": "z"}}})
    assert parsed.translations["de"].summary == "z" and parsed.language == "en"
    with pytest.raises(InputError, match="translations"):
        payload.parse(base | {"translations": {"de": {"title": "z"}}})
    with pytest.raises(InputError, match="translations"):
        payload.parse(base | {"translations": {"German": {"summary": "z"}}})
