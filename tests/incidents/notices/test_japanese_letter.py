"""A Japanese letter in the form a Japanese reader expects of a formal apology: the addressee
and the sender above the title, お詫び in the title, 拝啓 and its greeting first, the apology
repeated at the end and 敬具 last, the date in Japanese (2026年11月25日)."""

from __future__ import annotations

import re

from freezegun import freeze_time

from incidents.notices import generation
from tests.incidents.notices import helpers

CATEGORIES = ("name", "email", "password")


def _letter(codes: tuple[str, ...], locale: str, *, guardian: bool = False) -> str:
    with freeze_time(helpers.NOW):
        out = generation.render_group(
            helpers.incident(), generation.Group(codes, locale, CATEGORIES, guardian=guardian),
            selection=helpers.selection(codes, CATEGORIES),
            citations=[law.citation for law in helpers.laws(codes, CATEGORIES)],
            authorities=True, channels=("letter",))
    return out[0].text


def test_japanese_letter_opens_with_haikei_and_closes_with_keigu() -> None:
    for guardian in (False, True):
        text = _letter(("JP",), "ja", guardian=guardian)
        lines = [line for line in text.splitlines() if line.strip() and not set(line) <= {"="}]
        title = next(i for i, line in enumerate(lines) if "お詫びとお知らせ" in line)
        addressee = lines.index("保護者の皆様" if guardian else "お客様各位")
        sender = lines.index("Example Devices Ltd.")
        assert addressee < sender < title, lines[:title + 1]
        assert lines[title + 1].startswith("拝啓\u3000")  # 頭語, an ideographic space, 前文
        assert lines[-1] == "敬具" and "重ねて深くお詫び申し上げます" in lines[-2]
        assert re.search(r"^2026年11月25日$", text, re.M)
        assert lines.count(lines[addressee]) == 1  # addressed once, above the title


def test_other_languages_keep_their_own_letter_form() -> None:
    text = _letter(("EU",), "de")
    assert "拝啓" not in text and "敬具" not in text
    lines = [line for line in text.splitlines() if line.strip()]
    assert lines[-1] == "Example Devices Ltd." and "Mit freundlichen Grüßen" in lines


def test_the_signatory_title_is_in_the_readers_language() -> None:
    assert "最高プライバシー責任者" in _letter(("JP",), "ja")
    german = _letter(("EU",), "de")
    assert "Leiter Datenschutz" in german and "Chief Privacy Officer" not in german
    assert "Chief Privacy Officer" in _letter(("US-CA",), "en")
