"""SendGrid for real: one notice to a test inbox through the real API (marked `live`).

Runs only where these are set, as anymail's integration tests do; CI has none of them:
    SENDGRID_API_KEY            an API key with Mail Send permission
    BREACHFLOW_EMAIL_FROM       a verified sender of that account
    BREACHFLOW_LIVE_EMAIL_TO    the inbox that receives the test notice
"""

from __future__ import annotations

import os

import pytest

from incidents.channels.base import Outcome, Outgoing
from incidents.channels.sendgrid_email import SendGridEmail
from tests.incidents.channels.contract import UNLIMITED, notice

# Read at import: the `home` fixture of other tests clears provider credentials.
API_KEY = os.environ.get("SENDGRID_API_KEY", "")
SENDER = os.environ.get("BREACHFLOW_EMAIL_FROM", "")
TO = os.environ.get("BREACHFLOW_LIVE_EMAIL_TO", "")

pytestmark = [
    pytest.mark.live,
    pytest.mark.skipif(not (API_KEY and SENDER and TO) or API_KEY.startswith("SG.sandbox"),
                       reason="set SENDGRID_API_KEY, BREACHFLOW_EMAIL_FROM and "
                              "BREACHFLOW_LIVE_EMAIL_TO to send a real test notice"),
]


def test_a_notice_is_accepted_by_sendgrid() -> None:
    channel = SendGridEmail(api_key=API_KEY, sender=SENDER, pacer=UNLIMITED)
    [result] = channel.send(notice=notice("email"), claim_token="live-claim",
                            messages=[Outgoing("live-email-1", TO, "en", 1)], incident_ref="live")
    assert result.outcome is Outcome.ACCEPTED, result.error
    assert result.provider_id, "SendGrid answers 202 with an X-Message-Id"
