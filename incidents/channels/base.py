"""The contract every channel adapter follows (template method, as anymail's backends).

The ledger hands an adapter a batch of `Outgoing` messages that share one notice; the adapter
makes the provider calls and returns one `Result` per message, mapping the provider's answers
onto our outcomes. Adapters never retry a send themselves: a retry is the ledger's decision."""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import ClassVar

from incidents.models import Notice


class Outcome(StrEnum):
    ACCEPTED = "accepted"      # the provider took it; provider_id set
    FAILED = "failed"          # permanent for this address: move the person down the ladder
    RETRY = "retry"            # never processed by the provider (429, 20429): safe to resend
    UNKNOWN = "unknown"        # may or may not have been sent (timeout, 5xx): reconcile first


class ChannelHalted(Exception):
    """Credentials or account problems: stop the whole channel and alert a person."""


@dataclass(frozen=True)
class Outgoing:
    delivery_id: str
    address: str
    locale: str


@dataclass(frozen=True)
class Result:
    delivery_id: str
    outcome: Outcome
    provider_id: str | None = None
    error: str | None = None           # a provider code or class, never an address
    retry_after: float | None = None   # seconds, from Retry-After / X-RateLimit-Reset


class Channel(ABC):
    name: ClassVar[str]
    # How many messages one batch task claims; e-mail matches SendGrid's 1,000 personalizations.
    batch_size: int = 100
    sandboxed: bool = False

    @abstractmethod
    def send(self, *, notice: Notice, messages: list[Outgoing], claim_token: str,
             incident_ref: str) -> list[Result]:
        """Send one notice to every message's address."""

    @abstractmethod
    def reconcile(self, *, messages: list[Outgoing], claim_token: str,
                  since: datetime) -> dict[str, str | None]:
        """For messages whose outcome is unknown: delivery_id -> provider id if the provider
        has it (it was sent), None if it certainly does not."""
