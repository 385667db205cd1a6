"""Letters through Lob with the official lob-python SDK, against the sandbox's Lob stand-in
(it validates each request against Lob's OpenAPI description)."""

from __future__ import annotations

from typing import Any, ClassVar

from incidents.channels.base import Channel, Outcome, Outgoing, Result
from incidents.channels.lob_letter import LobLetters, lob_html
from sandbox import Sandbox
from tests.incidents.channels import letters
from tests.incidents.channels.contract import UNLIMITED, ChannelContract


def lob(url: str, **options: Any) -> LobLetters:
    return LobLetters(api_key="test_wrongorright", sender="adr_returnaddress1",
                      base_url=f"{url}/v1", pacer=UNLIMITED, **options)


class TestLetterContract(ChannelContract):
    channel = "letter"
    retry_after_known: ClassVar[bool] = True  # from X-Rate-Limit-Reset

    def make(self, url: str, **options: Any) -> LobLetters:
        return lob(url, **options)

    def good(self, n: int) -> str:
        return letters.message("x", "US", n).address

    def permanent(self) -> tuple[str, str]:
        return (letters.message("x", "US", first="UNDELIVERABLE 9 Nowhere Road").address,
                "lob-422-failed_deliverability_strictness")

    def halting_sandbox(self) -> dict[str, Any]:
        return {"lob_api_key": "test_theonlykey"}

    def outgoing(self, count: int, start: int = 0) -> list[Outgoing]:
        return [letters.message(f"d{self.channel}{n:04d}", "US", n)
                for n in range(start, start + count)]

    def send(self, channel: Channel, messages: list[Outgoing], token: str = "claim1") -> list[Result]:  # noqa: S107
        return channel.send(notice=letters.letter_notice(), messages=messages, claim_token=token,
                            incident_ref="inc1")


def test_lob_gets_the_address_and_the_letter_but_only_the_delivery_id_as_metadata():
    with Sandbox() as sandbox:
        messages = [letters.message("d-us", "US", 12, name="Jane Public"),
                    letters.message("d-de", "DE", 5, name=None),
                    letters.message("d-ca", "CA", 7, name="Jean Tremblay")]
        results = lob(sandbox.url).send(notice=letters.letter_notice(), messages=messages,
                                        claim_token="c", incident_ref="inc1")
        assert {r.outcome for r in results} == {Outcome.ACCEPTED}
        stored = {m["delivery_id"]: m for m in sandbox.messages("letter")}
    us, de, ca = stored["d-us"], stored["d-de"], stored["d-ca"]
    expected = {"name": "Jane Public", "address_line1": "12 Market Street",
                "address_line2": "Apt 4B", "address_city": "San Francisco", "address_state": "CA",
                "address_zip": "94103", "address_country": "UNITED STATES"}
    assert {key: us["to"].get(key) for key in expected} == expected
    assert ca["to"]["address_state"] == "QC" and ca["to"]["address_zip"] == "H3B 1A7"
    assert ca["to"]["address_country"] == "CANADA"
    # No name in the directory: addressed to the resident, in the notice's language.
    assert de["to"]["name"] == "Resident" and de["to"]["address_country"] == "GERMANY"
    assert de["to"]["address_line1"] == "Hauptstraße 5"
    assert (de["to"]["address_city"], de["to"]["address_zip"]) == ("Berlin", "10115")
    for letter in (us, de, ca):
        assert letter["metadata"] == {"delivery_id": letter["delivery_id"]}
        assert letter["description"] is None
        assert letter["from"]["id"] == "adr_returnaddress1"
        assert letter["use_type"] == "operational" and letter["address_placement"] == "top_first_page"
        assert letter["idempotency_key"] == letter["delivery_id"]
    # The letter itself: the reference and the person's page link, but no address (Lob prints it).
    file = us["file"]
    assert "Reference: d-us" in file and "LetterReferencePlaceholder" not in file
    assert "NoticeTokenPlaceholder" not in file
    assert "Market Street" not in file and 'class="window"' not in file
    assert "Notice of Data Breach" in file and "Alex Morgan" in file


def test_a_resend_with_the_same_delivery_id_makes_no_second_letter():
    with Sandbox() as sandbox:
        channel = lob(sandbox.url)
        message = letters.message("d-once", "US", 3)
        first = channel.send(notice=letters.letter_notice(), messages=[message], claim_token="a",
                             incident_ref="inc1")
        again = channel.send(notice=letters.letter_notice(), messages=[message], claim_token="b",
                             incident_ref="inc1")
        assert first[0].provider_id == again[0].provider_id
        assert len(sandbox.messages("letter")) == 1
        assert sandbox.stats()["requests"]["letter"].get("idempotent_replay") == 1


def test_a_letter_too_long_for_lob_fails_for_that_person_without_a_request():
    with Sandbox() as sandbox:
        notice = letters.letter_notice().model_copy()
        notice.body_html = (notice.body_html or "").replace("</main>", "<p>" + "x" * 10_000 + "</p></main>")
        results = lob(sandbox.url).send(notice=notice, messages=[letters.message("d-long")],
                                        claim_token="c", incident_ref="inc1")
        assert [(r.outcome, r.error) for r in results] == [(Outcome.FAILED, "lob-file-too-long")]
        assert sandbox.messages("letter") == []


def test_the_html_lob_receives_is_the_notice_without_the_windows():
    html = lob_html(letters.letter_notice(), letters.message("d-1"))
    assert len(html) < 10_000
    assert 'class="sender"' not in html and 'class="window"' not in html
    assert "padding-top:3.4in" in html
