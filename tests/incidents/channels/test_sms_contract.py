"""Twilio SMS against the sandbox with the real `twilio` client."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs, urlsplit

from incidents.channels.base import Outcome, Outgoing
from incidents.channels.twilio_channel import SANDBOX_ACCOUNT
from incidents.channels.twilio_sms import TwilioSms
from incidents.notices import segments
from sandbox import Sandbox
from tests.incidents.channels.contract import UNLIMITED, ChannelContract, notice

CALLBACK = "https://hooks.example.com/v1/providers/twilio/status"


def sms(url: str, sender: str = "MG" + "5b" * 16, **options: Any) -> TwilioSms:
    return TwilioSms(account_sid=SANDBOX_ACCOUNT, auth_token="token", sender=sender,
                     base_url=url, callback_url=CALLBACK, pacer=UNLIMITED, **options)


class TestSmsContract(ChannelContract):
    channel = "sms"

    def make(self, url: str, **options: Any) -> TwilioSms:
        return sms(url, **options)

    def good(self, n: int) -> str:
        return f"+1415777{n:04d}"

    def permanent(self) -> tuple[str, str]:
        return "+15005550009", "twilio-21614"  # Twilio's "not a mobile number" test number

    def halting_sandbox(self) -> dict[str, Any]:
        return {"twilio_auth_token": "the-right-token"}


def test_the_person_who_texted_stop_is_not_texted():
    with Sandbox() as sandbox:
        results = sms(sandbox.url).send(notice=notice("sms"), claim_token="c", incident_ref="i",
                                        messages=[Outgoing("d1", "+15005550004", "en", 1)])
        assert [(r.outcome, r.error) for r in results] == [(Outcome.FAILED, "twilio-21610")]


def test_callback_carries_only_the_delivery_id_and_validity_is_set():
    with Sandbox() as sandbox:
        channel = sms(sandbox.url, sender="+14155550100", validity_period=600)
        channel.send(notice=notice("sms"), claim_token="c", incident_ref="i",
                     messages=[Outgoing("d-opaque-1", "+14157770001", "en", 1)])
        [stored] = sandbox.messages("sms")
        callback = urlsplit(stored["status_callback"])
        assert parse_qs(callback.query) == {"delivery_id": ["d-opaque-1"]}
        assert f"{callback.scheme}://{callback.netloc}{callback.path}" == CALLBACK
        assert stored["validity_period"] == 600
        assert stored["from"] == "+14155550100" and stored["messaging_service_sid"] is None


def test_segments_are_counted_per_encoding_and_long_notices_are_not_texted():
    gsm = "a" * 161
    ucs2 = "数据" * 40  # 80 UTF-16 units: two UCS-2 segments
    channel = sms("http://127.0.0.1:9")
    assert channel._tokens(notice("sms", text=gsm)) == segments.segments(gsm) == 2
    assert channel._tokens(notice("sms", text=ucs2)) == segments.segments(ucs2) == 2
    with Sandbox() as sandbox:
        short = sms(sandbox.url, max_segments=1)
        results = short.send(notice=notice("sms", text=gsm), claim_token="c", incident_ref="i",
                             messages=[Outgoing("d1", "+14157770001", "en", 1)])
        assert [(r.outcome, r.error) for r in results] == [(Outcome.FAILED, "sms-too-long")]
        assert sandbox.messages("sms") == []


def test_many_messages_are_sent_concurrently_each_once():
    with Sandbox() as sandbox:
        channel = sms(sandbox.url, workers=8)
        messages = [Outgoing(f"d{n}", f"+1415777{n:04d}", "en", 1) for n in range(120)]
        results = channel.send(notice=notice("sms"), messages=messages, claim_token="c",
                               incident_ref="i")
        assert [r.delivery_id for r in results] == [m.delivery_id for m in messages]
        assert {r.outcome for r in results} == {Outcome.ACCEPTED}
        assert sandbox.stats()["duplicates_total"] == 0
        assert len(sandbox.messages("sms")) == 120


def test_each_person_gets_their_own_notice_page_link():
    from incidents.notices import page as notice_page

    token = notice_page.new_token()
    text = f"Lumen: a security incident involved your data. Details: {notice_page.placeholder_url()}"
    with Sandbox() as sandbox:
        sms(sandbox.url).send(notice=notice("sms", text=text), claim_token="c", incident_ref="i",
                              messages=[Outgoing("d1", "+14157770001", "en", 1, token),
                                        Outgoing("d2", "+14157770002", "en", 1)])
        bodies = {m["delivery_id"]: m["body"] for m in sandbox.messages("sms")}
    assert bodies["d1"].endswith(notice_page.url_for(token))
    assert bodies["d2"] == text
    assert len(bodies["d1"]) == len(text), "the placeholder keeps the segment count exact"
