"""Provider webhooks: signatures accepted and refused, idempotent and order-tolerant events,
and the whole loop with the sandbox posting signed events to a real HTTP receiver."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric import ec
from sqlmodel import select
from twilio.request_validator import RequestValidator

from incidents import channels, db, exceptions
from incidents.channels.base import Outcome, Result
from incidents.delivery import ledger, provider_events, send
from incidents.models import Delivery
from sandbox import ChannelFaults, Faults, Sandbox
from sandbox.events import public_key_b64, sign
from tests.incidents.channels import people
from tests.incidents.channels.receiver import Receiver

KEY = ec.generate_private_key(ec.SECP256R1())
PUBLIC = public_key_b64(KEY)
TOKEN = "twilio-auth-token"
STATUS_URL = "https://hooks.example.com/v1/providers/twilio/status"


def signed(events: list[dict[str, Any]], *, at: float | None = None,
           key: ec.EllipticCurvePrivateKey = KEY) -> tuple[bytes, dict[str, str]]:
    body = json.dumps(events).encode()
    timestamp = str(int(at if at is not None else time.time()))
    return body, {"X-Twilio-Email-Event-Webhook-Signature": sign(key, body, timestamp),
                  "X-Twilio-Email-Event-Webhook-Timestamp": timestamp}


def sendgrid(body: bytes, headers: dict[str, str]) -> int:
    return provider_events.handle_sendgrid_events(raw_body=body, headers=headers, public_key=PUBLIC)


def event(delivery_id: str, kind: str, **extra: Any) -> dict[str, Any]:
    return {"email": "p1@mail.example", "timestamp": int(time.time()), "event": kind,
            "sg_message_id": "abc123.filterdrecv-1", "sg_event_id": f"e-{kind}",
            "delivery_id": delivery_id, "claim": "c1", **extra}


@pytest.fixture
def sent(home) -> tuple[str, list[str]]:
    """Three e-mail rows and one SMS row, accepted by their providers."""
    incident_id = people.incident([people.person(n) for n in range(3)]
                                  + [people.person(9, email=False, phone=True)])
    ledger.plan(incident_id)
    ids = []
    for channel in ("email", "sms"):
        token, claimed = ledger.claim(incident_id, channel, 10)
        ledger.record([Result(d.id, Outcome.ACCEPTED, provider_id="abc123")
                       for d in claimed], token=token)
        ids += [d.id for d in claimed]
    return incident_id, ids


def states(incident_id: str) -> dict[str, tuple[str, str | None]]:
    with db.session() as s:
        return {d.id: (d.state, d.last_error) for d in s.exec(
            select(Delivery).where(Delivery.incident_id == incident_id))}


# --- SendGrid signatures -------------------------------------------------------------------------


def test_a_signed_batch_moves_the_ledger(sent):
    incident_id, (a, b, c, _sms) = sent
    body, headers = signed([event(a, "delivered"), event(b, "bounce", type="bounce"),
                            event(c, "dropped", reason="Bounced Address"),
                            event("not-ours", "delivered"), {"event": "delivered"}])
    assert sendgrid(body, headers) == 3
    found = states(incident_id)
    assert found[a] == ("delivered", None)
    assert found[b] == ("bounced", "sendgrid-bounce")
    assert found[c] == ("bounced", "sendgrid-dropped")


def test_a_tampered_body_is_refused(sent):
    _, (a, *_) = sent
    body, headers = signed([event(a, "delivered")])
    with pytest.raises(exceptions.WebhookUnauthorized) as refused:
        sendgrid(body.replace(b"delivered", b"bounce"), headers)
    assert refused.value.status == 401


def test_the_same_json_serialised_again_is_refused(sent):
    """The signature covers the raw bytes: a framework that parses and re-dumps breaks it."""
    _, (a, *_) = sent
    body, headers = signed([event(a, "delivered")])
    again = json.dumps(json.loads(body), separators=(",", ":")).encode()
    assert again != body and json.loads(again) == json.loads(body)
    with pytest.raises(exceptions.WebhookUnauthorized):
        sendgrid(again, headers)


def test_a_stale_or_future_timestamp_is_refused_even_when_signed(sent):
    _, (a, *_) = sent
    for offset in (-provider_events.SENDGRID_MAX_AGE - 60, provider_events.SENDGRID_MAX_AGE + 60):
        body, headers = signed([event(a, "delivered")], at=time.time() + offset)
        with pytest.raises(exceptions.WebhookUnauthorized, match="window"):
            sendgrid(body, headers)


def test_missing_headers_another_key_or_garbage_are_refused(sent):
    _, (a, *_) = sent
    body, headers = signed([event(a, "delivered")])
    with pytest.raises(exceptions.WebhookUnauthorized):
        sendgrid(body, {})
    with pytest.raises(exceptions.WebhookUnauthorized):
        sendgrid(body, {**headers, "X-Twilio-Email-Event-Webhook-Signature": "!!not-base64"})
    other = ec.generate_private_key(ec.SECP256R1())
    body2, headers2 = signed([event(a, "delivered")], key=other)
    with pytest.raises(exceptions.WebhookUnauthorized):
        sendgrid(body2, headers2)


def test_a_signed_body_that_is_not_an_event_array_is_a_bad_request(sent):
    body, headers = signed({"event": "delivered"})  # type: ignore[arg-type]
    with pytest.raises(exceptions.WebhookRejected) as rejected:
        sendgrid(body, headers)
    assert rejected.value.status == 400


def test_without_a_key_the_endpoint_says_which_setting_is_missing(sent, monkeypatch):
    monkeypatch.delenv(provider_events.SENDGRID_KEY_ENV, raising=False)
    body, headers = signed([])
    with pytest.raises(exceptions.WebhookNotConfigured, match=provider_events.SENDGRID_KEY_ENV):
        provider_events.handle_sendgrid_events(raw_body=body, headers=headers)
    monkeypatch.setenv(provider_events.SENDGRID_KEY_ENV, PUBLIC)
    assert provider_events.handle_sendgrid_events(raw_body=body, headers=headers) == 0


def test_events_twice_and_out_of_order_change_nothing_more(sent):
    incident_id, (a, b, *_) = sent
    late_first = [event(a, "delivered"), event(a, "processed"),
                  event(b, "processed"), event(b, "deferred")]
    body, headers = signed(late_first)
    assert sendgrid(body, headers) == 1  # only "delivered" raises a; b is already accepted
    before = states(incident_id)
    body, headers = signed([*late_first, event(a, "bounce", type="bounce")])
    assert sendgrid(body, headers) == 0
    assert states(incident_id) == before
    with db.session() as s:
        row = s.get(Delivery, a)
        assert row is not None and row.settled_at is not None


def test_a_bounce_moves_the_person_to_the_next_channel(home):
    incident_id = people.incident([people.person(1, email=True, phone=True)])
    ledger.plan(incident_id)
    token, [row] = ledger.claim(incident_id, "email", 1)
    ledger.record([Result(row.id, Outcome.ACCEPTED, "m")], token=token)
    sendgrid(*signed([event(row.id, "bounce", type="blocked")]))
    assert states(incident_id)[row.id] == ("bounced", "sendgrid-blocked")
    assert ledger.fall_back(incident_id) == 1
    assert sorted(ledger.open_counts(incident_id).items()) == [("sms", 1)]


# --- Twilio signatures ---------------------------------------------------------------------------


def twilio(delivery_id: str, form: dict[str, str], *, token: str = TOKEN,
           url: str | None = None) -> int:
    url = url or f"{STATUS_URL}?delivery_id={delivery_id}"
    signature = RequestValidator(token).compute_signature(url, form)
    return provider_events.handle_twilio_status(url=url, form=form, auth_token=TOKEN,
                                                headers={"X-Twilio-Signature": signature})


def message(status: str, **extra: str) -> dict[str, str]:
    return {"MessageSid": "SM1", "SmsSid": "SM1", "MessageStatus": status, "SmsStatus": status,
            "AccountSid": "AC1", "To": "+14157770009", **extra}


def test_twilio_callbacks_are_verified_and_applied_once_in_any_order(sent):
    incident_id, ids = sent
    sms = ids[-1]
    assert twilio(sms, message("delivered")) == 1
    assert twilio(sms, message("sent")) == 0          # late
    assert twilio(sms, message("delivered")) == 0     # repeated
    assert twilio(sms, message("undelivered", ErrorCode="30003")) == 0  # final stays final
    assert states(incident_id)[sms] == ("delivered", None)


def test_an_undelivered_message_records_the_carrier_code(sent):
    incident_id, ids = sent
    assert twilio(ids[-1], message("undelivered", ErrorCode="30003")) == 1
    assert states(incident_id)[ids[-1]] == ("bounced", "twilio-30003")


def test_an_sms_callback_cannot_move_an_email_row(sent):
    incident_id, (a, *_) = sent
    assert twilio(a, message("delivered")) == 0
    assert states(incident_id)[a] == ("accepted", None)


def test_twilio_signature_failures(sent):
    _, ids = sent
    url = f"{STATUS_URL}?delivery_id={ids[-1]}"
    form = message("delivered")
    good = RequestValidator(TOKEN).compute_signature(url, form)
    with pytest.raises(exceptions.WebhookUnauthorized):
        provider_events.handle_twilio_status(url=url, form={**form, "MessageStatus": "failed"},
                                             headers={"X-Twilio-Signature": good}, auth_token=TOKEN)
    with pytest.raises(exceptions.WebhookUnauthorized):
        provider_events.handle_twilio_status(url=url.replace("delivery_id=", "delivery_id=x"), form=form,
                                             headers={"X-Twilio-Signature": good}, auth_token=TOKEN)
    with pytest.raises(exceptions.WebhookUnauthorized):
        provider_events.handle_twilio_status(url=url, form=form, headers={}, auth_token=TOKEN)
    with pytest.raises(exceptions.WebhookUnauthorized):
        twilio(ids[-1], form, token="another-token")
    bare = STATUS_URL
    signature = RequestValidator(TOKEN).compute_signature(bare, form)
    with pytest.raises(exceptions.WebhookRejected):
        provider_events.handle_twilio_status(url=bare, form=form, auth_token=TOKEN,
                                             headers={"X-Twilio-Signature": signature})


def test_call_outcomes(home):
    incident_id = people.incident([people.person(n, email=False, phone=True) for n in range(2)])
    ledger.plan(incident_id, served={"voice"})
    token, claimed = ledger.claim(incident_id, "voice", 2)
    ledger.record([Result(d.id, Outcome.ACCEPTED, "CA1")
                   for d in claimed], token=token)
    answered, missed = (d.id for d in claimed)
    call = {"CallSid": "CA1", "AccountSid": "AC1", "Direction": "outbound-api"}
    assert twilio(answered, {**call, "CallStatus": "completed", "CallDuration": "31"}) == 1
    assert twilio(missed, {**call, "CallStatus": "no-answer"}) == 1
    assert states(incident_id) == {answered: ("delivered", None),
                                   missed: ("bounced", "twilio-no-answer")}


# --- the whole loop ------------------------------------------------------------------------------


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    found = Receiver()
    yield found
    found.close()


def test_sandbox_events_and_callbacks_settle_the_ledger(home, monkeypatch, receiver):
    incident_id = people.incident([people.person(n) for n in range(40)]
                                  + [people.person(100 + n, email=False, phone=True)
                                     for n in range(20)])
    faults = Faults(email=ChannelFaults(bounce=0.25), sms=ChannelFaults(undelivered=0.25), seed=3)
    with Sandbox(faults=faults, status_callbacks=True, repeat_events=True,
                 sendgrid_events_url=f"{receiver.url}/v1/providers/sendgrid/events") as sandbox:
        monkeypatch.setenv("BREACHFLOW_SANDBOX_URL", sandbox.url)
        monkeypatch.setenv("BREACHFLOW_PUBLIC_URL", receiver.url)
        monkeypatch.setenv(provider_events.SENDGRID_KEY_ENV, sandbox.sendgrid_public_key or "")
        monkeypatch.setenv("BREACHFLOW_RATE_SMS", "0")
        channels.reset()
        ledger.plan(incident_id, served=channels.active())
        for channel in ("email", "sms"):
            while send.send_batch(incident_id, channel):
                pass
        expected = {m["delivery_id"]: ("bounced" if m["status"] in ("bounced", "undelivered")
                                       else "delivered")
                    for m in sandbox.messages("email") + sandbox.messages("sms")}
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            found = {d: s for d, (s, _) in states(incident_id).items()}
            if found == expected:
                break
            time.sleep(0.2)
        channels.reset()
    assert found == expected
    assert {"bounced", "delivered"} <= set(expected.values())
    assert set(receiver.answers) == {200}, "every signed post verified"
    assert len(receiver.answers) > 60  # repeated SendGrid posts and several callbacks per SMS
