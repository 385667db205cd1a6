"""State shared by the provider handlers of one running sandbox."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

from .callbacks import CallbackSender
from .events import EventSender
from .faults import FaultDice, RequestFault
from .store import MessageStore


@dataclass
class Context:
    store: MessageStore
    dice: FaultDice
    sendgrid_api_key: str | None = None  # None: any non-empty bearer token is accepted
    twilio_auth_token: str | None = None  # None: any Basic credentials are accepted
    callbacks: CallbackSender | None = None  # None: Twilio status callbacks are off
    events: EventSender | None = None  # None: SendGrid Event Webhook posts are off
    push_auth: str | None = None  # "user:password" the push endpoint demands (Basic), else none
    lob_api_key: str | None = None  # None: any non-empty Lob API key is accepted
    # Lob Idempotency-Key -> the letter it created.
    lob_idempotency: dict[str, str] = field(default_factory=dict)
    stopping: threading.Event = field(default_factory=threading.Event)

    def request_fault(self, channel: str) -> RequestFault | None:
        fault = self.dice.request_fault(channel)
        if fault is not None:
            self.store.count(channel, fault.value)
        return fault

    @property
    def hang_seconds(self) -> float:
        return self.dice.faults.hang_seconds

    @property
    def retry_after_seconds(self) -> int:
        return self.dice.faults.retry_after_seconds

    def rate_limit_headers(self, headers: dict[str, str]) -> dict[str, str]:
        """The 429 headers, or none when the faults ask for a bare 429."""
        return headers if self.dice.faults.rate_limit_headers else {}
