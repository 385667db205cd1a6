"""Twilio voice against the sandbox with the real `twilio` client."""

from __future__ import annotations

from typing import Any
from xml.etree import ElementTree

from incidents.channels.base import Outgoing
from incidents.channels.twilio_channel import SANDBOX_ACCOUNT
from incidents.channels.twilio_voice import SANDBOX_CALLER, TwilioVoice, say_language
from sandbox import Sandbox
from tests.incidents.channels.contract import UNLIMITED, ChannelContract, notice


def voice(url: str, **options: Any) -> TwilioVoice:
    return TwilioVoice(account_sid=SANDBOX_ACCOUNT, auth_token="token", sender=SANDBOX_CALLER,
                       base_url=url, callback_url="https://hooks.example.com/s",
                       pacer=UNLIMITED, **options)


class TestVoiceContract(ChannelContract):
    channel = "voice"

    def make(self, url: str, **options: Any) -> TwilioVoice:
        return voice(url, **options)

    def good(self, n: int) -> str:
        return f"+1415888{n:04d}"

    def permanent(self) -> tuple[str, str]:
        return "+15005550002", "twilio-21214"  # Twilio's "cannot be reached" test number

    def halting_sandbox(self) -> dict[str, Any]:
        return {"twilio_auth_token": "the-right-token"}


def test_the_notice_is_said_in_the_language_it_is_written_in():
    assert say_language("de-DE", "de-AT") == "de-DE"
    assert say_language("en", "en-GB") == "en-GB"
    assert say_language("en", "de-DE") == "en-US"  # the text is English whatever the person speaks
    assert say_language("zh-CN", None) == "zh-CN"
    assert say_language("fr", "fr-CA") == "fr-CA"
    with Sandbox() as sandbox:
        text = "Dies ist ein wichtiger Sicherheitshinweis von Lumen & Co. <Bitte> zuhören."
        voice(sandbox.url).send(notice=notice("voice", text=text, locale="de-DE"),
                                messages=[Outgoing("d1", "+14158880001", "de-DE", 1)],
                                claim_token="c", incident_ref="i")
        [call] = sandbox.messages("voice")
        say = ElementTree.fromstring(call["twiml"]).find("Say")  # noqa: S314 - our own TwiML
        assert say is not None and say.get("language") == "de-DE" and say.get("loop") == "2"
        assert say.text == text  # escaped on the wire, intact once parsed
        assert call["machine_detection"] == "DetectMessageEnd"
        assert call["status_callback_event"] == ["completed"]
