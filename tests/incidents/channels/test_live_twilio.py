"""Twilio for real: one SMS and one call through the real API (marked `live`).

Runs only where these are set; CI has none of them. Twilio's test credentials work too (the
test account SID and token, sender +15005550006): Twilio then accepts without delivering.
    TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN
    BREACHFLOW_SMS_FROM, BREACHFLOW_LIVE_SMS_TO          (the SMS test)
    BREACHFLOW_VOICE_FROM, BREACHFLOW_LIVE_VOICE_TO      (the call test)
Status callbacks go to BREACHFLOW_PUBLIC_URL when it is set.
"""

from __future__ import annotations

import os

import pytest

from incidents.channels.base import Outcome, Outgoing
from incidents.channels.twilio_sms import TwilioSms
from incidents.channels.twilio_voice import TwilioVoice
from tests.incidents.channels.contract import UNLIMITED, notice

# Read at import: the `home` fixture of other tests clears provider credentials.
SID = os.environ.get("TWILIO_ACCOUNT_SID", "")
TOKEN = os.environ.get("TWILIO_AUTH_TOKEN", "")
SMS_FROM, SMS_TO = os.environ.get("BREACHFLOW_SMS_FROM", ""), os.environ.get("BREACHFLOW_LIVE_SMS_TO", "")
VOICE_FROM = os.environ.get("BREACHFLOW_VOICE_FROM", "")
VOICE_TO = os.environ.get("BREACHFLOW_LIVE_VOICE_TO", "")

pytestmark = [
    pytest.mark.live,
    pytest.mark.skipif(not (SID and TOKEN) or TOKEN == "sandbox-token",
                       reason="set TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN to call Twilio"),
]


@pytest.mark.skipif(not (SMS_FROM and SMS_TO), reason="set BREACHFLOW_SMS_FROM and BREACHFLOW_LIVE_SMS_TO")
def test_an_sms_is_accepted_by_twilio() -> None:
    channel = TwilioSms(account_sid=SID, auth_token=TOKEN, sender=SMS_FROM, pacer=UNLIMITED)
    [result] = channel.send(notice=notice("sms"), claim_token="live-claim",
                            messages=[Outgoing("live-sms-1", SMS_TO, "en", 1)], incident_ref="live")
    assert result.outcome is Outcome.ACCEPTED, result.error
    assert (result.provider_id or "").startswith(("SM", "MM"))


@pytest.mark.skipif(not (VOICE_FROM and VOICE_TO),
                    reason="set BREACHFLOW_VOICE_FROM and BREACHFLOW_LIVE_VOICE_TO")
def test_a_call_is_accepted_by_twilio() -> None:
    channel = TwilioVoice(account_sid=SID, auth_token=TOKEN, sender=VOICE_FROM, pacer=UNLIMITED)
    [result] = channel.send(notice=notice("voice"), claim_token="live-claim",
                            messages=[Outgoing("live-voice-1", VOICE_TO, "en", 1)], incident_ref="live")
    assert result.outcome is Outcome.ACCEPTED, result.error
    assert (result.provider_id or "").startswith("CA")
