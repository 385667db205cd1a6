"""The provider callbacks mounted on the intake API (handlers in incidents/delivery/provider_events.py),
against a real uvicorn: Twilio's X-Twilio-Signature over the public URL (behind a proxy), and
SendGrid's ECDSA-signed Event Webhook; a verified callback moves the ledger row."""

from __future__ import annotations

import base64
import json
import time

import pytest
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from sendgrid.helpers.eventwebhook import EventWebhookHeader
from sqlmodel import select
from twilio.request_validator import RequestValidator

from incidents import db
from incidents.models import AffectedSubject, Delivery
from tests.incidents.intake.conftest import incident_body

PUBLIC = "https://breachflow.example.org"
TWILIO_TOKEN = "twilio-test-token"
TWILIO_PATH = "/v1/providers/twilio/status"


@pytest.fixture
def signing_key():
    return ec.generate_private_key(ec.SECP256R1())


@pytest.fixture
def api(make_intake, signing_key, monkeypatch):
    public = signing_key.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    running = make_intake(extra_env={
        "BREACHFLOW_PUBLIC_URL": PUBLIC, "TWILIO_AUTH_TOKEN": TWILIO_TOKEN,
        "BREACHFLOW_SENDGRID_WEBHOOK_PUBLIC_KEY": base64.b64encode(public).decode()})
    monkeypatch.setenv("BREACHFLOW_HOME", str(running.home))
    monkeypatch.delenv("BREACHFLOW_DATABASE_URL", raising=False)
    db.reset()
    yield running
    db.reset()


def _delivery(api, channel: str) -> str:
    """One ledger row of a real incident opened through the API."""
    reply = api.post(incident_body(f"CB-{channel}"))
    assert reply.status_code == 202, (reply.status_code, reply.text, api.output())
    incident_id = reply.json()["incident_id"]
    with db.session() as s:
        subject = AffectedSubject(incident_id=incident_id, subject_id=f"u-{channel}")
        s.add(subject)
        s.flush()
        assert subject.id is not None
        delivery = Delivery(incident_id=incident_id, subject_pk=subject.id, channel=channel,
                            state="accepted", provider_id="SM" + "0" * 32)
        s.add(delivery)
        return delivery.id


def _state(delivery_id: str) -> str:
    with db.session() as s:
        return s.exec(select(Delivery.state).where(Delivery.id == delivery_id)).one()


def _twilio(api, delivery_id: str, form: dict[str, str], *, sign_form: dict[str, str] | None = None):
    query = f"delivery_id={delivery_id}"
    signature = RequestValidator(TWILIO_TOKEN).compute_signature(
        f"{PUBLIC}{TWILIO_PATH}?{query}", sign_form or form)
    return api.client.post(f"{TWILIO_PATH}?{query}", data=form,
                           headers={"X-Twilio-Signature": signature})


def test_a_signed_twilio_status_callback_moves_the_row(api):
    delivery_id = _delivery(api, "sms")
    form = {"MessageSid": "SM" + "0" * 32, "MessageStatus": "delivered", "To": "+15550100"}
    reply = _twilio(api, delivery_id, form)
    assert reply.status_code == 200, reply.text
    assert reply.json() == {"moved": 1}
    assert _state(delivery_id) == "delivered"
    assert _twilio(api, delivery_id, form).json() == {"moved": 0}  # a retry changes nothing


def test_a_forged_or_unsigned_twilio_callback_is_refused(api):
    delivery_id = _delivery(api, "sms")
    form = {"MessageSid": "SM" + "0" * 32, "MessageStatus": "undelivered"}
    forged = _twilio(api, delivery_id, form, sign_form={**form, "MessageStatus": "delivered"})
    assert forged.status_code == 401
    unsigned = api.client.post(f"{TWILIO_PATH}?delivery_id={delivery_id}", data=form)
    assert unsigned.status_code == 401
    assert _state(delivery_id) == "accepted"


def _sendgrid(api, signing_key, events, *, timestamp: str | None = None, body: bytes | None = None):
    raw = body if body is not None else json.dumps(events).encode()
    moment = timestamp or str(int(time.time()))
    signature = signing_key.sign(moment.encode() + raw, ec.ECDSA(hashes.SHA256()))
    return api.client.post("/v1/providers/sendgrid/events", content=json.dumps(events).encode(),
                           headers={EventWebhookHeader.SIGNATURE: base64.b64encode(signature).decode(),
                                    EventWebhookHeader.TIMESTAMP: moment,
                                    "Content-Type": "application/json"})


def test_a_signed_sendgrid_event_batch_moves_the_row(api, signing_key):
    delivery_id = _delivery(api, "email")
    events = [{"event": "delivered", "delivery_id": delivery_id, "sg_message_id": "m1",
               "timestamp": int(time.time()), "email": "someone@example.com"}]
    reply = _sendgrid(api, signing_key, events)
    assert reply.status_code == 200, reply.text
    assert reply.json() == {"moved": 1}
    assert _state(delivery_id) == "delivered"


def test_a_bad_or_stale_sendgrid_signature_is_refused(api, signing_key):
    delivery_id = _delivery(api, "email")
    events = [{"event": "bounce", "delivery_id": delivery_id, "timestamp": int(time.time())}]
    tampered = _sendgrid(api, signing_key, events, body=b"[]")
    assert tampered.status_code == 401
    stale = _sendgrid(api, signing_key, events, timestamp=str(int(time.time()) - 3600))
    assert stale.status_code == 401
    assert _state(delivery_id) == "accepted"
    assert "someone" not in api.output()


def test_without_a_verification_key_the_callbacks_say_what_is_missing(make_intake):
    bare = make_intake(extra_env={"TWILIO_AUTH_TOKEN": ""})
    reply = bare.client.post("/v1/providers/sendgrid/events", content=b"[]")
    assert reply.status_code == 503
    assert "BREACHFLOW_SENDGRID_WEBHOOK_PUBLIC_KEY" in reply.json()["error"]
