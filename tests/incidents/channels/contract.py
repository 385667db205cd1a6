"""The contract every channel adapter meets, run with the real provider client against the
sandbox: success, each error class, 429 with and without headers, timeouts, refused
connections, and reconciliation of ambiguous outcomes.

A subclass says how to build its channel and which addresses succeed or fail permanently, and
states the few places where its provider differs (push gateways report no Retry-After and
cannot be asked what they delivered)."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from datetime import timedelta
from typing import Any, ClassVar

import pytest

from incidents.channels import pacing
from incidents.channels.base import Channel, Outcome, Outgoing, Result
from incidents.exceptions import ChannelHalted
from incidents.models import Notice
from incidents.sqltypes import utcnow
from sandbox import ChannelFaults, Faults, Sandbox
from tests.ports import free_port

UNLIMITED = pacing.Pacer({})


def notice(channel: str, *, text: str | None = None, locale: str = "en") -> Notice:
    return Notice(id=1, incident_id="inc1", group_key="g1-subject", channel=channel,
                  locale=locale, subject="Notice of Data Breach",
                  body_text=text or "Lumen Gadgets: a security incident involved some of your "
                                    "personal data. Details: https://lumen.example/n/1",
                  template=f"en/individuals.{channel}.txt.j2", content_hash="h")


class ChannelContract:
    channel: ClassVar[str]
    # Whether a 429's Retry-After reaches the result (Apprise does not pass headers on).
    retry_after_known: ClassVar[bool] = True
    # What a refused connection becomes: RETRY when the client can tell it never connected.
    refused_outcome: ClassVar[Outcome] = Outcome.RETRY

    # --- what each channel provides -----------------------------------------------------------

    def make(self, url: str, **options: Any) -> Channel:
        raise NotImplementedError

    def good(self, n: int) -> str:
        raise NotImplementedError

    def permanent(self) -> tuple[str, str]:
        """An address the provider refuses for good, and the error we record for it."""
        raise NotImplementedError

    def halting_sandbox(self) -> dict[str, Any]:
        """Sandbox options under which this channel's credentials are wrong."""
        raise NotImplementedError

    # --- helpers ------------------------------------------------------------------------------

    @pytest.fixture
    def sandbox(self) -> Iterator[Sandbox]:
        with Sandbox() as sandbox:
            yield sandbox

    def outgoing(self, count: int, start: int = 0) -> list[Outgoing]:
        return [Outgoing(f"d{self.channel}{n:04d}", self.good(n), "en", 1)
                for n in range(start, start + count)]

    def send(self, channel: Channel, messages: list[Outgoing], token: str = "claim1") -> list[Result]:  # noqa: S107
        return channel.send(notice=notice(self.channel), messages=messages, claim_token=token,
                            incident_ref="inc1")

    def stored(self, sandbox: Sandbox) -> list[dict[str, Any]]:
        return sandbox.messages(self.channel)

    # --- the contract -------------------------------------------------------------------------

    def test_success_accepts_each_message_and_carries_its_delivery_id(self, sandbox):
        messages = self.outgoing(5)
        results = self.send(self.make(sandbox.url), messages)
        assert [r.delivery_id for r in results] == [m.delivery_id for m in messages]
        assert {r.outcome for r in results} == {Outcome.ACCEPTED}
        assert all(r.provider_id for r in results)
        assert sorted(m["delivery_id"] for m in self.stored(sandbox)) == sorted(
            m.delivery_id for m in messages)

    def test_a_permanent_refusal_fails_only_that_person(self, sandbox):
        address, error = self.permanent()
        messages = self.outgoing(3)
        bad = Outgoing(f"d{self.channel}-bad", address, "en", 1)
        results = self.send(self.make(sandbox.url), [messages[0], bad, *messages[1:]])
        outcome = {r.delivery_id: (r.outcome, r.error) for r in results}
        assert outcome[bad.delivery_id] == (Outcome.FAILED, error)
        assert all(outcome[m.delivery_id][0] is Outcome.ACCEPTED for m in messages)
        assert len(self.stored(sandbox)) == 3

    def test_bad_credentials_halt_the_channel_and_send_nothing(self):
        with Sandbox(**self.halting_sandbox()) as sandbox:
            channel = self.make(sandbox.url)
            results: list[Result] = []
            with contextlib.suppress(ChannelHalted):
                results = self.send(channel, self.outgoing(4))
            assert channel.halted, "the channel must say why it stopped"
            assert all(r.outcome is Outcome.RETRY and r.error == "halted" for r in results)
            assert self.stored(sandbox) == []

    def test_429_with_retry_after_is_retried_later(self, sandbox):
        sandbox.set_faults(Faults(**{self.channel: ChannelFaults(rate_limit_429=1.0)},
                                  retry_after_seconds=2))
        results = self.send(self.make(sandbox.url), self.outgoing(2))
        assert {r.outcome for r in results} == {Outcome.RETRY}
        assert all(r.error and "429" in r.error for r in results)
        if self.retry_after_known:
            assert all(r.retry_after is not None and 0.5 <= r.retry_after <= 3 for r in results)
        assert self.stored(sandbox) == []

    def test_429_without_headers_is_retried_with_our_backoff(self, sandbox):
        sandbox.set_faults(Faults(**{self.channel: ChannelFaults(rate_limit_429=1.0)},
                                  rate_limit_headers=False))
        results = self.send(self.make(sandbox.url), self.outgoing(2))
        assert {(r.outcome, r.retry_after) for r in results} == {(Outcome.RETRY, None)}

    def test_5xx_before_processing_is_unknown_and_reconciles_to_not_sent(self, sandbox):
        sandbox.set_faults(Faults(**{self.channel: ChannelFaults(error_5xx=1.0)}))
        channel = self.make(sandbox.url)
        messages = self.outgoing(2)
        since = utcnow() - timedelta(seconds=5)
        results = self.send(channel, messages, token="claim-5xx")
        assert {r.outcome for r in results} == {Outcome.UNKNOWN}
        sandbox.set_faults(Faults())
        found = channel.reconcile(messages=messages, notices={1: notice(self.channel)},
                                  claim_token="claim-5xx", since=since)
        assert found == {m.delivery_id: None for m in messages}

    def test_accepted_then_5xx_is_unknown_and_reconciles_to_sent(self, sandbox):
        sandbox.set_faults(Faults(**{self.channel: ChannelFaults(accept_then_5xx=1.0)}))
        channel = self.make(sandbox.url)
        messages = self.outgoing(2)
        since = utcnow() - timedelta(seconds=5)
        results = self.send(channel, messages, token="claim-a5xx")
        assert {r.outcome for r in results} == {Outcome.UNKNOWN}
        assert len(self.stored(sandbox)) == 2, "the provider did send them"
        sandbox.set_faults(Faults())
        found = channel.reconcile(messages=messages, notices={1: notice(self.channel)},
                                  claim_token="claim-a5xx", since=since)
        if channel.reconcilable:
            assert all(found[m.delivery_id] for m in messages), "reconcile must find them"
        else:
            assert found == {m.delivery_id: None for m in messages}

    def test_a_timeout_after_sending_is_unknown(self, sandbox):
        sandbox.set_faults(Faults(**{self.channel: ChannelFaults(accept_then_timeout=1.0)},
                                  hang_seconds=3))
        results = self.send(self.make(sandbox.url, timeout=1.0), self.outgoing(1))
        assert [r.outcome for r in results] == [Outcome.UNKNOWN]

    def test_a_refused_connection(self):
        results = self.send(self.make(f"http://127.0.0.1:{free_port()}"), self.outgoing(1))
        assert [r.outcome for r in results] == [self.refused_outcome]
