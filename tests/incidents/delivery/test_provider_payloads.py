"""Provider callbacks as the providers send them (tests/fixtures/providers/): a SendGrid Event
Webhook POST and Twilio status callbacks go through the same signature check and parser as the
live routes and move the ledger rows they name, and only those."""

from __future__ import annotations

import json
import time
from pathlib import Path
from urllib.parse import parse_qsl

from cryptography.hazmat.primitives.asymmetric import ec
from sqlmodel import select
from twilio.request_validator import RequestValidator

from incidents import db
from incidents.channels.base import Outcome, Result
from incidents.delivery import ledger, provider_events
from incidents.models import Delivery
from sandbox.events import public_key_b64, sign
from tests.incidents.channels import people

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "providers"
KEY = ec.generate_private_key(ec.SECP256R1())
TOKEN = "twilio-auth-token"
STATUS_URL = "https://hooks.example.com/v1/providers/twilio/status"


def accepted(incident_id: str, channel: str, count: int) -> list[str]:
    ledger.plan(incident_id, served={channel})
    token, claimed = ledger.claim(incident_id, channel, count)
    ledger.record([Result(d.id, Outcome.ACCEPTED, provider_id=f"{channel}-{n}")
                   for n, d in enumerate(claimed)], token=token)
    return [d.id for d in claimed]


def states(incident_id: str) -> dict[str, tuple[str, str | None, str | None]]:
    with db.session() as s:
        return {d.id: (d.state, d.last_error, d.provider_id) for d in s.exec(
            select(Delivery).where(Delivery.incident_id == incident_id))}


def sendgrid_post(ids: list[str]) -> tuple[bytes, dict[str, str]]:
    text = (FIXTURES / "sendgrid" / "event_webhook.json").read_text()
    for n, delivery_id in enumerate(ids, 1):
        text = text.replace(f'"DELIVERY_{n}"', json.dumps(delivery_id))
    body = text.replace('"CLAIM"', '"claim-1"').encode()
    timestamp = str(int(time.time()))
    return body, {"X-Twilio-Email-Event-Webhook-Signature": sign(KEY, body, timestamp),
                  "X-Twilio-Email-Event-Webhook-Timestamp": timestamp,
                  "Content-Type": "application/json", "User-Agent": "SendGrid Event API"}


def test_a_sendgrid_event_webhook_post(home):
    incident_id = people.incident([people.person(n) for n in range(4)])
    ids = accepted(incident_id, "email", 4)
    body, headers = sendgrid_post(ids)
    assert len(json.loads(body)) == 10
    moved = provider_events.handle_sendgrid_events(raw_body=body, headers=headers,
                                                   public_key=public_key_b64(KEY))
    # processed, deferred, open, click and spamreport move nothing; another mail is not ours
    assert moved == 4
    assert states(incident_id) == {
        ids[0]: ("delivered", None, "email-0"),
        ids[1]: ("bounced", "sendgrid-bounce", "email-1"),
        ids[2]: ("bounced", "sendgrid-blocked", "email-2"),
        ids[3]: ("bounced", "sendgrid-dropped", "email-3"),
    }
    # SendGrid retries a POST it thinks failed: the same events again change nothing
    again = provider_events.handle_sendgrid_events(raw_body=body, headers=headers,
                                                   public_key=public_key_b64(KEY))
    assert again == 0


def twilio_post(name: str, delivery_id: str) -> int:
    form = dict(parse_qsl((FIXTURES / "twilio" / f"{name}.form").read_text(),
                          keep_blank_values=True, strict_parsing=True))
    url = f"{STATUS_URL}?delivery_id={delivery_id}"
    signature = RequestValidator(TOKEN).compute_signature(url, form)
    return provider_events.handle_twilio_status(
        url=url, form=form, auth_token=TOKEN,
        headers={"X-Twilio-Signature": signature, "I-Twilio-Idempotency-Token": "6f1e2d3c",
                 "Content-Type": "application/x-www-form-urlencoded"})


def test_twilio_message_status_callbacks(home):
    incident_id = people.incident([people.person(n, email=False, phone=True) for n in range(3)])
    delivered, undelivered, sent = accepted(incident_id, "sms", 3)
    assert twilio_post("message_delivered", delivered) == 1
    assert twilio_post("message_undelivered", undelivered) == 1
    assert twilio_post("message_sent", sent) == 0, "sent is what the ledger already knows"
    assert {d: s[:2] for d, s in states(incident_id).items()} == {
        delivered: ("delivered", None), undelivered: ("bounced", "twilio-30003"),
        sent: ("accepted", None)}


def test_twilio_call_status_callbacks(home):
    incident_id = people.incident([people.person(n, email=False, phone=True) for n in range(2)])
    answered, missed = accepted(incident_id, "voice", 2)
    assert twilio_post("call_completed", answered) == 1
    assert twilio_post("call_no_answer", missed) == 1
    assert {d: s[:2] for d, s in states(incident_id).items()} == {
        answered: ("delivered", None), missed: ("bounced", "twilio-no-answer")}
    assert twilio_post("message_delivered", answered) == 0, "an SMS callback never moves a call"
