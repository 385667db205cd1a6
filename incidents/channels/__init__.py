"""The channel registry: which adapter serves each channel in this process.

A channel whose credentials are in the environment or in Prefect Secret blocks
(incidents/credentials.py) uses its configured endpoint; with none
set, the embedded sandbox (BREACHFLOW_SANDBOX_URL, started by `run`/`demo`) stands in:
SendGrid e-mail, Twilio SMS and voice, Apprise push (`json://` to the sandbox) and Lob letters.
Letters go to Lob with LOB_API_KEY, else to a mail house's folder with BREACHFLOW_MAIL_DIR."""

from __future__ import annotations

import os
import threading

from incidents.channels import pacing
from incidents.channels.base import Channel

_lock = threading.Lock()
_active: dict[str, Channel] | None = None


def _build() -> dict[str, Channel]:
    from incidents.channels.apprise_push import ApprisePush
    from incidents.channels.lob_letter import LobLetters
    from incidents.channels.mail_house import MailHouseLetters
    from incidents.channels.sendgrid_email import SendGridEmail
    from incidents.channels.twilio_sms import TwilioSms
    from incidents.channels.twilio_voice import TwilioVoice

    found: dict[str, Channel] = {}
    sandbox = os.environ.get("BREACHFLOW_SANDBOX_URL") or None
    email = SendGridEmail.from_env()
    if email is None and sandbox:
        email = SendGridEmail(api_key="SG.sandbox", host=sandbox, sender="security@example.com")
        email.sandboxed = True
    letter: Channel | None = None
    if os.environ.get("LOB_API_KEY") or not os.environ.get("BREACHFLOW_MAIL_DIR"):
        letter = LobLetters.from_env(sandbox)
    if letter is None:
        letter = MailHouseLetters.from_env()
    candidates: list[Channel | None] = [email, TwilioSms.from_env(sandbox),
                                        TwilioVoice.from_env(sandbox), ApprisePush.from_env(sandbox),
                                        letter]
    # The sandbox has no sender limits to respect: unless a rate is configured, it is unpaced.
    sandbox_pacer = pacing.Pacer({c: pacing.rate_from_env(c) if os.environ.get(
        f"BREACHFLOW_RATE_{c.upper()}") else 0.0 for c in (*pacing.DEFAULT_RATES, "letter")})
    for channel in candidates:
        if channel is not None:
            if channel.sandboxed and hasattr(channel, "pacer"):
                channel.pacer = sandbox_pacer
            found[channel.name] = channel
    return found


def active() -> dict[str, Channel]:
    global _active
    with _lock:
        if _active is None:
            _active = _build()
        return _active


def reset() -> None:
    global _active
    with _lock:
        previous, _active = _active, None
    for channel in (previous or {}).values():
        channel.close()
    pacing.reset()
