"""What a lawyer signs: US English for US readers, the person's name in the greeting, their
reference, a statement of regret and a named signatory."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any, cast

import pytest
from freezegun import freeze_time

from incidents.delivery.send import greeting_fill
from incidents.notices import generation
from incidents.notices import page as notice_page
from incidents.org import EXAMPLE_ORG
from tests.incidents.notices import helpers

CATEGORIES = ("name", "email", "drivers_license")


def _texts(codes: tuple[str, ...], locale: str = "en") -> dict[str, str]:
    with freeze_time(helpers.NOW):
        out = generation.render_group(
            helpers.incident(), generation.Group(codes, locale, CATEGORIES),
            selection=helpers.selection(codes, CATEGORIES),
            citations=[law.citation for law in helpers.laws(codes, CATEGORIES)],
            authorities=True, channels=("email", "letter"))
    return {r.channel: r.text for r in out}


def test_us_readers_get_us_english_and_others_keep_british() -> None:
    us = _texts(("US-NY",))["email"]
    assert "Driver's license number" in us and "Email:" in us and "unauthorized" in us
    assert "licence" not in us and "E-mail" not in us and "recognise" not in us
    gb = _texts(("GB",))["email"]
    assert "Driver's licence number" in gb and "unauthorised" in gb


@pytest.mark.parametrize("locale", ["en", "de", "fr", "es", "ja", "zh-CN"])
def test_every_notice_regrets_gives_a_reference_and_is_signed(locale: str) -> None:
    for text in _texts(("EU",), locale).values():
        assert notice_page.REFERENCE_PLACEHOLDER in text
        title = EXAMPLE_ORG["signatory_title"][locale]  # in the reader's language
        assert "Alex Morgan" in text and title in text
    m = __import__("incidents.rendering.render", fromlist=["messages"]).messages(locale)
    assert m["intro"]["regret"] in _texts(("EU",), locale)["email"]


def test_the_greeting_names_the_person_on_their_own_written_notices() -> None:
    def notice(channel: str, locale: str = "en") -> Any:
        return cast(Any, SimpleNamespace(channel=channel, locale=locale, jurisdictions=["US-NY"]))

    assert greeting_fill(notice("email"), "Ana <b>Pereira</b>") == ("Dear customer,",
                                                                    "Dear Ana bPereira/b,")
    assert greeting_fill(notice("letter", "ja"), "山田 太郎")[1] == "山田 太郎 様"  # type: ignore[index]
    assert greeting_fill(notice("sms"), "Ana") is None  # a text or a call names nobody
    assert greeting_fill(notice("email"), "  ") is None  # no name: "Dear customer," stays
    assert "Dear customer," in _texts(("US-NY",))["email"]
