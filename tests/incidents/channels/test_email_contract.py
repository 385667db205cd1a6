"""SendGrid e-mail against the sandbox with the real `sendgrid` client."""

from __future__ import annotations

from typing import Any

from incidents.channels.base import Outcome, Outgoing
from incidents.channels.sendgrid_email import SendGridEmail
from tests.incidents.channels.contract import UNLIMITED, ChannelContract, notice


def email(url: str, **options: Any) -> SendGridEmail:
    return SendGridEmail(api_key="SG.test", host=url, sender="security@example.com",
                         pacer=UNLIMITED, **options)


class TestEmailContract(ChannelContract):
    channel = "email"

    def make(self, url: str, **options: Any) -> SendGridEmail:
        return email(url, **options)

    def good(self, n: int) -> str:
        return f"person.{n}@mail.example"

    def permanent(self) -> tuple[str, str]:
        return "two words@mail.example", "sendgrid-400:address"

    def halting_sandbox(self) -> dict[str, Any]:
        return {"sendgrid_api_key": "SG.the-right-key"}


def test_one_request_per_batch_with_only_opaque_ids_in_provider_metadata(tmp_path):
    from sandbox import Sandbox

    with Sandbox() as sandbox:
        channel = email(sandbox.url)
        messages = [Outgoing(f"d{n}", f"p{n}@mail.example", "en", 1) for n in range(1000)]
        results = channel.send(notice=notice("email"), messages=messages, claim_token="c1",
                               incident_ref="inc42")
        assert {r.outcome for r in results} == {Outcome.ACCEPTED}
        assert sandbox.stats()["requests"]["email"] == {"accepted": 1}
        stored = sandbox.messages("email")
        assert {m["x_message_id"] for m in stored} == {results[0].provider_id}
        assert stored[0]["custom_args"] == {"delivery_id": stored[0]["delivery_id"], "claim": "c1"}
        assert sorted(stored[0]["categories"]) == ["breach-notice", "inc42"]


def test_people_sharing_an_address_get_separate_requests():
    from sandbox import Sandbox

    with Sandbox() as sandbox:
        channel = email(sandbox.url)
        messages = [Outgoing("d1", "family@mail.example", "en", 1),
                    Outgoing("d2", "Family@mail.example", "en", 1),
                    Outgoing("d3", "other@mail.example", "en", 1)]
        results = channel.send(notice=notice("email"), messages=messages, claim_token="c1",
                               incident_ref="inc1")
        assert {r.outcome for r in results} == {Outcome.ACCEPTED}
        assert sandbox.stats()["requests"]["email"] == {"accepted": 2}
        assert sorted(m["delivery_id"] for m in sandbox.messages("email")) == ["d1", "d2", "d3"]


def test_a_refused_notice_halts_instead_of_failing_everyone():
    from incidents.exceptions import ChannelHalted
    from sandbox import Sandbox

    with Sandbox() as sandbox:
        channel = email(sandbox.url)
        empty = notice("email")
        empty.subject = ""
        try:
            channel.send(notice=empty, messages=[Outgoing("d1", "a@mail.example", "en", 1)],
                         claim_token="c", incident_ref="i")
        except ChannelHalted as error:
            assert "subject" in str(error)
        else:
            raise AssertionError("a notice SendGrid refuses must halt the channel")
        assert channel.halted


def test_an_address_the_helper_cannot_read_fails_alone_without_a_request():
    from sandbox import Sandbox

    with Sandbox() as sandbox:
        channel = email(sandbox.url)
        messages = [Outgoing("d1", "not-an-address@", "en", 1),
                    Outgoing("d2", "fine@mail.example", "en", 1)]
        results = channel.send(notice=notice("email"), messages=messages, claim_token="c",
                               incident_ref="i")
        assert [(r.outcome, r.error) for r in results] == [
            (Outcome.FAILED, "sendgrid-invalid-address"), (Outcome.ACCEPTED, None)]
        assert [m["delivery_id"] for m in sandbox.messages("email")] == ["d2"]


def test_one_request_carries_each_persons_page_link_as_a_substitution():
    from incidents.notices import page as notice_page
    from sandbox import Sandbox

    tokens = [notice_page.new_token() for _ in range(3)]
    text = f"Read your notice: {notice_page.placeholder_url()}"
    with Sandbox() as sandbox:
        email(sandbox.url).send(notice=notice("email", text=text), claim_token="c",
                                incident_ref="i",
                                messages=[Outgoing(f"d{n}", f"p{n}@mail.example", "en", 1, t)
                                          for n, t in enumerate(tokens)])
        stored = {m["delivery_id"]: m for m in sandbox.messages("email")}
        assert sandbox.stats()["requests"]["email"] == {"accepted": 1}
    for n, token in enumerate(tokens):
        assert stored[f"d{n}"]["substitutions"] == {
            notice_page.placeholder_url(): notice_page.url_for(token)}
