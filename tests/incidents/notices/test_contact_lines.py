"""Each notice gives the telephone line for its readers' country or region, with hours and time
zone; "international" where that is all there is; never "toll-free" to a reader abroad."""

from __future__ import annotations

import pytest
from freezegun import freeze_time

from incidents import org
from incidents.exceptions import InputError
from incidents.notices import contact, generation
from tests.incidents.notices import helpers

TOLL_FREE = {"en": "Toll-free", "de": "Gebührenfrei", "fr": "Numéro gratuit", "es": "gratuito",
             "ja": "フリーダイヤル", "zh-CN": "免费电话"}


def _letter(codes: tuple[str, ...], locale: str, profile: dict[str, object] | None = None) -> str:
    incident = helpers.incident(org=org.validate(profile or {}, example=True))
    with freeze_time(helpers.NOW):
        out = generation.render_group(
            incident, generation.Group(codes, locale, ("name", "email")),
            selection=helpers.selection(codes, ("name", "email")),
            citations=[law.citation for law in helpers.laws(codes, ("name", "email"))],
            authorities=True, channels=("letter", "voice"))
    return "\n".join(r.text for r in out)


@pytest.mark.parametrize(("codes", "locale", "line", "label"), [
    (("JP",), "ja", "+1 555 0100", "国際電話"),
    (("CN",), "zh-CN", "+1 555 0100", "国际长途"),
    (("EU",), "de", "+353 1 555 0100", "Irische Zeit"),
    (("EU",), "fr", "+353 1 555 0100", "heure irlandaise"),
])
def test_readers_abroad_get_their_line_never_a_toll_free_one(codes, locale, line, label) -> None:
    letter = _letter(codes, locale)
    assert line in letter and label in letter
    assert "+1 800 555 0199" not in letter and TOLL_FREE[locale] not in letter


def test_us_readers_get_the_toll_free_line_with_its_hours() -> None:
    letter = _letter(("US-NY",), "en")
    assert "Toll-free: +1 800 555 0199 (Monday to Friday, 8:00 AM–8:00 PM Eastern Time)" in letter


def test_a_profile_without_lines_keeps_its_toll_free_number_at_home() -> None:
    legacy = {"toll_free_number": "+1 800 555 0199", "contact_phone": "+1 555 0100"}
    assert [line["kind"] for line in contact.lines_for(legacy, ("JP",), locale="ja_JP")] == [
        "international"]
    assert [line["kind"] for line in contact.lines_for(legacy, ("US-CA",), locale="en_US")] == [
        "toll_free"]


def test_the_org_profile_checks_its_lines() -> None:
    with pytest.raises(InputError, match="time_zone"):
        org.validate({"contact_lines": [{"regions": ["US"], "number": "+1 800", "days": "mon-fri",
                                         "opens": "08:00", "closes": "20:00",
                                         "time_zone": "Eastern"}]}, example=True)
    with pytest.raises(InputError, match="regions"):
        org.validate({"contact_lines": [{"regions": ["usa"], "number": "+1 800"}]}, example=True)
