"""State shared by the provider handlers of one running sandbox."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

from .callbacks import CallbackSender
from .faults import FaultDice, RequestFault
from .store import MessageStore


@dataclass
class Context:
    store: MessageStore
    dice: FaultDice
    sendgrid_api_key: str | None = None  # None: any non-empty bearer token is accepted
    twilio_auth_token: str | None = None  # None: any Basic credentials are accepted
    callbacks: CallbackSender | None = None  # None: Twilio status callbacks are off
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
