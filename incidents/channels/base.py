"""The contract every channel adapter follows (template method, as anymail's backends).

The ledger hands an adapter a batch of `Outgoing` messages that share one notice; the adapter
makes the provider calls and returns one `Result` per message, mapping the provider's answers
onto our outcomes. Adapters never retry a send themselves: a retry is the ledger's decision."""

from __future__ import annotations

import os
import threading
from abc import ABC, abstractmethod
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, ThreadPoolExecutor, wait
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import ClassVar

from incidents.channels.classify import Disposition
from incidents.exceptions import ChannelHalted
from incidents.models import Notice


def provider_timeout(default: float) -> float:
    """Seconds to wait for a provider's answer: BREACHFLOW_PROVIDER_TIMEOUT, else `default`.
    A timeout is an ambiguous outcome, so this is also how soon reconciliation can start."""
    raw = os.environ.get("BREACHFLOW_PROVIDER_TIMEOUT")
    return float(raw) if raw else default


class Outcome(StrEnum):
    ACCEPTED = "accepted"      # the provider took it; provider_id set
    FAILED = "failed"          # permanent for this address: move the person down the ladder
    RETRY = "retry"            # never processed by the provider (429, 20429): safe to resend
    UNKNOWN = "unknown"        # may or may not have been sent (timeout, 5xx): reconcile first


OUTCOME = {Disposition.PERMANENT: Outcome.FAILED, Disposition.TRANSIENT: Outcome.RETRY,
           Disposition.AMBIGUOUS: Outcome.UNKNOWN}


@dataclass(frozen=True)
class Outgoing:
    delivery_id: str
    address: str
    locale: str
    notice_id: int = 0
    # The person's notice-page token: their URL replaces the placeholder in the notice text.
    link_token: str | None = None
    # (placeholder, value) pairs of this person's notice: their reference, their activation
    # code. Values are plain text without markup (references and codes are [A-Za-z0-9-]).
    fills: tuple[tuple[str, str], ...] = ()

    def text(self, notice_text: str) -> str:
        """The notice text for this person (their own page link, reference and code in it)."""
        for placeholder, value in self.fills:
            notice_text = notice_text.replace(placeholder, value)
        if not self.link_token:
            return notice_text
        from incidents.notices import page as notice_page

        return notice_page.personalize(notice_text, token=self.link_token)


@dataclass(frozen=True)
class Result:
    delivery_id: str
    outcome: Outcome
    provider_id: str | None = None
    error: str | None = None           # a provider code or class, never an address
    retry_after: float | None = None   # seconds, from Retry-After / X-RateLimit-Reset


# Writes outcomes to the ledger as they come (the caller's function).
Recorder = Callable[[list[Result]], None]


class Channel(ABC):
    name: ClassVar[str]
    # How many messages one batch task claims; e-mail matches SendGrid's 1,000 personalizations.
    batch_size: int = 100
    sandboxed: bool = False
    # Whether `reconcile` can ask the provider what happened. Push gateways cannot: an ambiguous
    # push is resent after the window and counted as a possible duplicate.
    reconcilable: ClassVar[bool] = True
    # Why this channel stopped in this process (bad credentials, a refused sender), else None.
    halted: str | None = None

    @abstractmethod
    def send(self, *, notice: Notice, messages: list[Outgoing], claim_token: str,
             incident_ref: str, record: Recorder | None = None) -> list[Result]:
        """Send one notice to every message's address. With `record`, an adapter that makes
        a request per message hands over outcomes as they complete and returns the rest."""

    @abstractmethod
    def reconcile(self, *, messages: list[Outgoing], notices: dict[int, Notice],
                  claim_token: str, since: datetime) -> dict[str, str | None]:
        """For messages whose outcome is unknown: delivery_id -> provider id if the provider
        has it (it was sent), None if it certainly does not."""

    def close(self) -> None:  # noqa: B027 - most adapters hold nothing to release
        """Release connections and threads (the registry calls it on reset)."""


class PerMessageChannel(Channel):
    """A channel that makes one provider request per message (Twilio, push), `workers` at a
    time from the adapter's own pool. A halt (bad credentials) stops the rest of the batch:
    those messages come back as `halted` retries, never sent."""

    workers: int = 8
    _pool: ThreadPoolExecutor

    def _start_pool(self, workers: int, name: str) -> None:
        self.workers = workers
        self._pool = ThreadPoolExecutor(workers, thread_name_prefix=name)

    def close(self) -> None:
        self._pool.shutdown(wait=True)

    def send(self, *, notice: Notice, messages: list[Outgoing], claim_token: str,  # noqa: ARG002
             incident_ref: str, record: Recorder | None = None) -> list[Result]:  # noqa: ARG002
        stop = threading.Event()

        def one(message: Outgoing) -> Result:
            if stop.is_set():
                return Result(message.delivery_id, Outcome.RETRY, error="halted")
            try:
                return self._send_one(notice, message)
            except ChannelHalted as error:
                stop.set()
                self.halted = str(error)
                return Result(message.delivery_id, Outcome.RETRY, error="halted")

        if record is None:
            return list(self._pool.map(one, messages))
        # Each outcome is written as soon as it is known, with whatever else finished during
        # the previous write: a kill then leaves only the requests in flight without a record
        # (push cannot be asked afterwards, so each of those may be resent).
        futures = {self._pool.submit(one, message) for message in messages}
        while futures:
            done, futures = wait(futures, return_when=FIRST_COMPLETED)
            record([future.result() for future in done])
        return []

    @abstractmethod
    def _send_one(self, notice: Notice, message: Outgoing) -> Result:
        """One request for one message; raises ChannelHalted when the channel must stop."""
