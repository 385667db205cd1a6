"""Voice through Twilio Calls: the notice read out by TwiML `<Say>` in the person's language.

This is the "telephone" of the privacy policy. The call waits for an answering machine's beep
(`MachineDetection=DetectMessageEnd`) so a voicemail gets the whole notice, which is said twice.
The status callback (only the delivery id in its URL) reports `completed` (delivered) or
`busy` / `no-answer` / `failed` (the person moves to the next channel). The caller ID is
`BREACHFLOW_VOICE_FROM`; the pacer counts calls (Twilio's default is one call per second)."""

from __future__ import annotations

import os
from collections.abc import Set as AbstractSet
from datetime import datetime, timedelta
from typing import ClassVar

from twilio.rest import Client
from twilio.twiml.voice_response import VoiceResponse

from incidents.channels.base import Outgoing
from incidents.channels.twilio_channel import TwilioChannel, from_env
from incidents.models import Notice

SANDBOX_CALLER = "+15005550006"  # Twilio's "valid caller ID" test number
MAX_TWIML = 4000
RING_SECONDS = 30
# Languages of Twilio's <Say> (voice "alice" and its Polly successors); the first one of each
# language is its default when the person's own variant is not offered.
SAY_LANGUAGES = (
    "en-US", "en-GB", "en-AU", "en-CA", "en-IN", "da-DK", "de-DE", "ca-ES", "es-ES", "es-MX",
    "fi-FI", "fr-FR", "fr-CA", "it-IT", "ja-JP", "ko-KR", "nb-NO", "nl-NL", "pl-PL", "pt-BR",
    "pt-PT", "ru-RU", "sv-SE", "zh-CN", "zh-HK", "zh-TW",
)


def say_language(text_locale: str, person_locale: str | None) -> str:
    """The <Say> language for a notice written in `text_locale`, preferring the person's
    regional variant of that language (a notice in `en` for someone in `en-GB` -> en-GB)."""
    language = text_locale.replace("_", "-").split("-")[0].lower()
    for candidate in (person_locale or "", text_locale):
        parts = candidate.replace("_", "-").split("-")
        if len(parts) >= 2 and parts[0].lower() == language:
            wanted = f"{language}-{parts[1].upper()}"
            if wanted in SAY_LANGUAGES:
                return wanted
    return next((c for c in SAY_LANGUAGES if c.startswith(language + "-")), "en-US")


def twiml(text: str, language: str, voice: str = "alice") -> str:
    response = VoiceResponse()
    response.say(text, voice=voice, language=language, loop=2)
    return str(response)


class TwilioVoice(TwilioChannel):
    name: ClassVar[str] = "voice"
    batch_size = 100

    def __init__(self, *, voice: str | None = None, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.voice = voice or os.environ.get("BREACHFLOW_VOICE_NAME", "alice")

    @classmethod
    def from_env(cls, sandbox: str | None = None) -> TwilioVoice | None:
        channel: TwilioVoice | None = from_env(cls, sender_env="BREACHFLOW_VOICE_FROM",
                                               sandbox=sandbox, sandbox_sender=SANDBOX_CALLER)
        return channel

    def _twiml(self, notice: Notice, message: Outgoing) -> str:
        return twiml(message.text(notice.body_text.strip()),
                     say_language(notice.locale, message.locale), self.voice)

    def _refuse(self, notice: Notice, message: Outgoing) -> str | None:
        return "voice-too-long" if len(self._twiml(notice, message)) > MAX_TWIML else None

    def _create(self, client: Client, notice: Notice, message: Outgoing) -> str:
        created = client.calls.create(
            to=message.address, from_=self.sender, twiml=self._twiml(notice, message),
            machine_detection="DetectMessageEnd", timeout=RING_SECONDS,
            status_callback=self.status_callback(message.delivery_id),
            status_callback_event=["completed"], status_callback_method="POST")
        return str(created.sid)

    def _find(self, client: Client, message: Outgoing, notice: Notice | None,  # noqa: ARG002
              since: datetime, *, taken: AbstractSet[str]) -> str | None:
        after = since - timedelta(seconds=1)
        for call in client.calls.list(to=message.address, start_time_after=after, limit=50):
            created = call.date_created
            if call._from == self.sender and created is not None and created >= after \
                    and str(call.sid) not in taken:
                return str(call.sid)
        return None
