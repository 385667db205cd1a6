"""Dates, numbers and the names of laws as a reader of each language writes them (Babel for
CLDR formats, the jurisdiction modules for the laws' own names), and CJK sentences that end."""

from __future__ import annotations

import tomllib
from datetime import UTC, datetime

import pytest
from freezegun import freeze_time

from incidents.notices import generation
from incidents.rendering import render
from tests.incidents.notices import helpers


def _letter(codes: tuple[str, ...], locale: str, categories: tuple[str, ...] = ("name", "email")) -> str:
    with freeze_time(datetime(2026, 12, 1, 9, tzinfo=UTC)):
        out = generation.render_group(
            helpers.incident(), generation.Group(codes, locale, categories),
            selection=helpers.selection(codes, categories),
            citations=[law.citation for law in helpers.laws(codes, categories)],
            authorities=True, channels=("letter",))
    return out[0].text


@pytest.mark.parametrize(("codes", "locale", "written", "raw"), [
    (("EU",), "de", "Art. 34 Abs. 1 DSGVO", "GDPR"),
    (("EU",), "fr", "article 34, paragraphe 1, du RGPD", "GDPR Art."),
    (("EU",), "es", "artículo 34, apartado 1, del RGPD", "GDPR Art."),
    (("CN",), "zh-CN", "《中华人民共和国个人信息保护法》第五十七条", "PIPL Art."),
    (("JP",), "ja", "個人情報保護法）第26条第2項", "APPI Art."),
])
def test_the_law_is_named_as_the_reader_knows_it(codes, locale, written, raw) -> None:
    letter = _letter(codes, locale)
    assert written in letter and raw not in letter


@pytest.mark.parametrize(("locale", "written"), [
    ("fr", "1er décembre 2026"), ("de", "1. Dezember 2026"), ("es", "1 de diciembre de 2026"),
    ("ja", "2026年12月1日"), ("zh-CN", "2026年12月1日"), ("en", "1 December 2026")])
def test_dates_as_each_language_writes_them(locale: str, written: str) -> None:
    assert written in _letter(("EU",), locale)


def test_us_readers_get_us_dates_and_everyone_their_numbers() -> None:
    assert "December 1, 2026" in _letter(("US-NY",), "en")
    assert render.long_date("2026-12-01", render.cldr_locale("fr")) == "1er décembre 2026"
    env = render.environment()
    for locale, written in (("de", "12.000"), ("fr", "12\u202f000"), ("en", "12,000")):
        assert env.from_string("{{ 12000|number }}").render(locale=locale) == written


SENTENCES = {"dates": ("breach", "breach_unknown", "discovery", "notice"),
             "footer": ("legal_basis", "policy_basis"),
             "what_happened": ("detected", "confidentiality", "integrity", "availability", "period",
                               "period_open"),
             "measures": ("neutral", "contained", "not_contained", "investigating", "authorities")}


@pytest.mark.parametrize("locale", ["ja", "zh-CN"])
def test_cjk_sentences_joined_without_a_space_each_end_with_a_full_stop(locale: str) -> None:
    catalog = tomllib.loads((render.root() / locale / "messages.toml").read_text(encoding="utf-8"))
    assert catalog["meta"]["sentence_separator"] == ""
    for section, keys in SENTENCES.items():
        for key in keys:
            assert catalog[section][key].endswith("。"), (section, key)
    # The footer read "2026年12月1日本お知らせは…" before.
    assert "日本お知らせ" not in _letter(("JP",), "ja")
