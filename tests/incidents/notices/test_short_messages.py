"""SMS and push follow what regulators tell consumers: no link to tap in an unexpected message;
the company's name, a help line, the person's reference and the company's own domain to type.
A link is kept only when the org asks for it, and only on the org's own domain."""

from __future__ import annotations

import pytest
from freezegun import freeze_time

from incidents import org
from incidents.channels.base import Outgoing
from incidents.exceptions import BreachflowError
from incidents.notices import generation
from incidents.notices import page as notice_page
from tests.incidents.notices import helpers


def _short(locale: str, profile: dict[str, object] | None = None) -> dict[str, str]:
    incident = helpers.incident(org=org.validate(profile or {}, example=True))
    with freeze_time(helpers.NOW):
        out = generation.render_group(
            incident, generation.Group(("EU",), locale, ("name", "email")),
            selection=helpers.selection(("EU",), ("name", "email")),
            citations=[], authorities=True, channels=("sms", "push"))
    return {r.channel: r.text for r in out}


@pytest.mark.parametrize("locale", ["en", "de", "fr", "es", "ja", "zh-CN"])
def test_short_messages_carry_no_link_but_a_reference_a_line_and_the_domain(locale: str) -> None:
    texts = _short(locale)
    for channel, text in texts.items():
        assert "http" not in text and notice_page.PLACEHOLDER not in text, channel
        assert notice_page.REFERENCE_PLACEHOLDER in text, channel
        assert "www.example-devices.test" in text and "+353 1 555 0100" in text, channel
    assert texts["sms"].startswith("Example Devices")


def test_a_kept_link_must_be_on_the_orgs_own_domain(monkeypatch: pytest.MonkeyPatch) -> None:
    profile = {"notice": {"sms_link": True}}
    monkeypatch.setenv(notice_page.BASE_URL_ENV, "https://notices.lookalike.example/n")
    with pytest.raises(BreachflowError, match="own domain"):
        _short("en", profile)
    monkeypatch.setenv(notice_page.BASE_URL_ENV, "https://notice.example-devices.test/n")
    assert notice_page.placeholder_url() in _short("en", profile)["sms"]


def test_each_person_gets_their_own_reference() -> None:
    text = _short("en")["sms"]
    mine = Outgoing("d1", "+15550100", "en", fills=((notice_page.REFERENCE_PLACEHOLDER, "7K3QM-2XW9P"),))
    assert "reference 7K3QM-2XW9P" in mine.text(text)
    assert notice_page.REFERENCE_PLACEHOLDER not in mine.text(text)
    assert all(c in notice_page.REFERENCE_ALPHABET + "-" for c in notice_page.new_reference())
