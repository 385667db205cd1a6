"""Push for real: one notice through a real push service with Apprise (marked `live`).

Runs only where BREACHFLOW_LIVE_PUSH_TARGET is set to an Apprise URL of a real service
(`fcm://…`, `gorush://…`, `ntfy://…`); BREACHFLOW_PUSH_SCHEMES widens the schemes allowed.
CI has none.
"""

from __future__ import annotations

import os

import pytest

from incidents.channels.apprise_push import ApprisePush
from incidents.channels.base import Outcome, Outgoing
from tests.incidents.channels.contract import UNLIMITED, notice

# Read at import: the `home` fixture of other tests clears provider settings.
TARGET = os.environ.get("BREACHFLOW_LIVE_PUSH_TARGET", "")

pytestmark = [
    pytest.mark.live,
    pytest.mark.skipif(not TARGET, reason="set BREACHFLOW_LIVE_PUSH_TARGET to an Apprise URL"),
]


def test_a_push_is_accepted_by_the_service() -> None:
    schemes = os.environ.get("BREACHFLOW_PUSH_SCHEMES")
    channel = ApprisePush(pacer=UNLIMITED, schemes=frozenset(
        s.strip() for s in schemes.split(",")) if schemes else None)
    [result] = channel.send(notice=notice("push"), claim_token="live-claim",
                            messages=[Outgoing("live-push-1", TARGET, "en", 1)], incident_ref="live")
    assert result.outcome is Outcome.ACCEPTED, result.error
