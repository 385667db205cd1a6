"""Push through Apprise against the sandbox's push endpoint."""

from __future__ import annotations

from typing import Any, ClassVar

from incidents.channels.apprise_push import ApprisePush
from incidents.channels.base import Outcome, Outgoing
from sandbox import Sandbox
from tests.incidents.channels.contract import UNLIMITED, ChannelContract, notice


def push(url: str, **options: Any) -> ApprisePush:
    host = url.split("://", 1)[1]
    return ApprisePush(url_template=f"json://{host}/push/{{token}}", pacer=UNLIMITED, **options)


class TestPushContract(ChannelContract):
    channel = "push"
    retry_after_known: ClassVar[bool] = False  # Apprise does not pass response headers on
    refused_outcome: ClassVar[Outcome] = Outcome.UNKNOWN  # nor tell a refusal from a timeout

    def make(self, url: str, **options: Any) -> ApprisePush:
        return push(url, **options)

    def good(self, n: int) -> str:
        return f"device-token-{n:04d}"

    def permanent(self) -> tuple[str, str]:
        return "unregistered-token-1", "push-404"

    def halting_sandbox(self) -> dict[str, Any]:
        return {"push_auth": "gateway:secret"}


def test_whole_url_targets_need_an_allowed_vendor_scheme_and_a_public_host():
    with Sandbox() as sandbox:
        host = sandbox.url.split("://", 1)[1]
        channel = ApprisePush(url_template=None, pacer=UNLIMITED,
                              schemes=frozenset({"json", "gorush"}))
        messages = [Outgoing("d1", f"json://{host}/push/own-url", "en", 1),
                    Outgoing("d2", "mailto://someone@example.com", "en", 1),
                    Outgoing("d3", "bare-token-without-template", "en", 1),
                    Outgoing("d4", f"gorush://{host}/push/own-url", "en", 1)]
        results = channel.send(notice=notice("push"), messages=messages, claim_token="c",
                               incident_ref="i")
        assert [(r.outcome, r.error) for r in results] == [
            (Outcome.FAILED, "push-target-refused")] * 4
        assert sandbox.messages("push") == []
    # A public vendor host passes; the URL gets our timeout and nothing else.
    assert channel.target_url("gorush://93.184.216.34/device", "d5") == (
        f"gorush://93.184.216.34/device?rto={channel.timeout:g}")


def test_each_person_gets_their_own_notice_once():
    with Sandbox() as sandbox:
        messages = [Outgoing(f"d{n}", f"tok{n}", "en", 1) for n in range(60)]
        results = push(sandbox.url, workers=8).send(notice=notice("push"), messages=messages,
                                                    claim_token="c", incident_ref="i")
        assert {r.outcome for r in results} == {Outcome.ACCEPTED}
        stored = sandbox.messages("push")
        assert sorted((m["recipient"], m["delivery_id"]) for m in stored) == sorted(
            (f"tok{n}", f"d{n}") for n in range(60))


def test_apprise_lines_about_a_persons_target_reach_no_log_handler(caplog):
    import logging

    with Sandbox() as sandbox, caplog.at_level(logging.DEBUG):
        results = push(sandbox.url).send(
            notice=notice("push"), claim_token="c", incident_ref="i",
            messages=[Outgoing("d1", "unregistered-secret-device", "en", 1)])
    assert [r.error for r in results] == ["push-404"]  # read from Apprise's own warning
    assert "unregistered-secret-device" not in caplog.text
    assert not [r for r in caplog.records if r.name.startswith("apprise")]


def test_outcomes_are_handed_over_as_they_complete_so_a_kill_repeats_only_what_is_in_flight():
    """Push cannot be asked what it delivered: every accepted push without a record when the
    process dies would be resent. At each hand-over, what the gateway has received but the
    caller has not been told is bounded by the requests in flight, not by the batch."""
    workers = 4
    with Sandbox() as sandbox:
        channel = push(sandbox.url, workers=workers)
        messages = [Outgoing(f"d{n}", f"tok{n}", "en", 1) for n in range(200)]
        told: list[str] = []
        gaps: list[int] = []

        def record(results):
            received = len(sandbox.messages("push"))
            told.extend(r.delivery_id for r in results)
            gaps.append(received - len(told))

        left = channel.send(notice=notice("push"), messages=messages, claim_token="c",
                            incident_ref="i", record=record)
        channel.close()
    assert left == [] and sorted(told) == sorted(m.delivery_id for m in messages)
    assert len(gaps) > 10  # handed over in many small groups, not once at the end
    # Received but not yet told: at most the requests in flight (and those that finished while
    # the previous hand-over ran).
    assert max(gaps) <= 2 * workers, gaps
