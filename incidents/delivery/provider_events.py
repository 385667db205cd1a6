"""Provider webhooks, independent of any web framework: verify, parse, move the ledger.

    moved = handle_sendgrid_events(raw_body=await request.body(), headers=request.headers)
    moved = handle_twilio_status(url=public_url, form=dict(form), headers=request.headers)

Both return how many ledger rows moved and raise `WebhookUnauthorized` (answer 401),
`WebhookRejected` (400) or `WebhookNotConfigured` (503); each carries `.status`. They are
idempotent and order-tolerant: an event only ever raises a row's rank in the state machine
(`ledger.apply_event`), so a duplicate, a retry or a `processed` arriving after `delivered`
changes nothing. Answer 2xx for anything that verified, even if no row moved: a provider
retries non-2xx for up to a day.

SendGrid's Event Webhook is ECDSA-signed over timestamp + raw body (verified with the
`sendgrid` helper on the raw bytes, never on re-serialised JSON) with a freshness window;
the verification key is `BREACHFLOW_SENDGRID_WEBHOOK_PUBLIC_KEY` (base64 DER, as SendGrid shows
it). Twilio's status callbacks are HMAC-signed (`X-Twilio-Signature`, checked with the `twilio`
RequestValidator against the public URL Twilio called) with `TWILIO_AUTH_TOKEN`.

Events name people (addresses, numbers): nothing here logs them or puts them in an error."""

from __future__ import annotations

import binascii
import json
import os
import re
import time
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qs, urlsplit

from cryptography.exceptions import InvalidSignature
from sendgrid.helpers.eventwebhook import EventWebhook, EventWebhookHeader
from twilio.request_validator import RequestValidator, get_signature_algorithm

from incidents import credentials
from incidents.delivery import ledger
from incidents.exceptions import (
    WebhookNotConfigured,
    WebhookRejected,
    WebhookUnauthorized,
)

SENDGRID_KEY_ENV = "BREACHFLOW_SENDGRID_WEBHOOK_PUBLIC_KEY"
SENDGRID_MAX_AGE_ENV = "BREACHFLOW_SENDGRID_WEBHOOK_MAX_AGE"
SENDGRID_MAX_AGE = 300.0  # seconds a signed timestamp may differ from our clock
SANDBOX_TWILIO_TOKEN = "sandbox-token"  # noqa: S105 - the embedded sandbox's, not a secret
MAX_EVENTS = 10_000
# Body limits per route: SendGrid posts up to thousands of events at once; a Twilio status
# callback is one form of a few dozen fields.
SENDGRID_MAX_BYTES = 16 * 1024 * 1024
TWILIO_MAX_BYTES = 64 * 1024
_UNIX_SECONDS = re.compile(r"[0-9]{1,12}", re.ASCII)

# SendGrid event -> (ledger state, error recorded). Engagement proves delivery.
SENDGRID_EVENTS: dict[str, tuple[str, str | None]] = {
    "processed": ("accepted", None),
    "delivered": ("delivered", None),
    "open": ("delivered", None),
    "click": ("delivered", None),
    "bounce": ("bounced", "sendgrid-bounce"),
    "blocked": ("bounced", "sendgrid-blocked"),
    "dropped": ("bounced", "sendgrid-dropped"),
}
# Twilio MessageStatus / CallStatus -> ledger state ("bounced": the channel did not reach them).
TWILIO_MESSAGE_STATUS = {
    "queued": "accepted", "accepted": "accepted", "scheduled": "accepted", "sending": "accepted",
    "sent": "accepted", "delivered": "delivered", "read": "delivered",
    "undelivered": "bounced", "failed": "bounced", "canceled": "bounced",
}
TWILIO_CALL_STATUS = {
    "queued": "accepted", "initiated": "accepted", "ringing": "accepted", "in-progress": "accepted",
    "completed": "delivered", "busy": "bounced", "no-answer": "bounced", "failed": "bounced",
    "canceled": "bounced",
}


def _header(headers: Mapping[str, str], name: str) -> str | None:
    wanted = name.lower()
    return next((v for k, v in headers.items() if k.lower() == wanted), None)


# --- SendGrid ----------------------------------------------------------------------------------


def sendgrid_precheck(headers: Mapping[str, str], *, public_key: str | None = None,
                      now: float | None = None) -> tuple[str, str, str]:
    """(key, signature, timestamp) when the key is configured and the signature headers are
    present and fresh: checked before the body is read."""
    key = public_key or credentials.get(SENDGRID_KEY_ENV)
    if not key:
        raise WebhookNotConfigured(f"{SENDGRID_KEY_ENV} is not set")
    signature = _header(headers, EventWebhookHeader.SIGNATURE)
    timestamp = _header(headers, EventWebhookHeader.TIMESTAMP)
    if not signature or not timestamp or len(signature) > 512:
        raise WebhookUnauthorized("the SendGrid signature headers are missing")
    if not _UNIX_SECONDS.fullmatch(timestamp):
        raise WebhookUnauthorized("the SendGrid signature timestamp is not unix seconds")
    max_age = float(os.environ.get(SENDGRID_MAX_AGE_ENV, SENDGRID_MAX_AGE))
    if abs((now if now is not None else time.time()) - int(timestamp)) > max_age:
        raise WebhookUnauthorized("the SendGrid signature timestamp is outside the window")
    return key, signature, timestamp


def handle_sendgrid_events(*, raw_body: bytes, headers: Mapping[str, str],
                           public_key: str | None = None, now: float | None = None) -> int:
    """Verify and apply one POST of SendGrid's signed Event Webhook; returns rows moved."""
    key, signature, timestamp = sendgrid_precheck(headers, public_key=public_key, now=now)
    try:
        text = raw_body.decode("utf-8")
    except UnicodeDecodeError:
        raise WebhookRejected("the body is not UTF-8") from None
    if not _sendgrid_signature_ok(key, text, signature, timestamp):
        raise WebhookUnauthorized("the SendGrid signature does not match the body")
    try:
        events = json.loads(text)
    except ValueError:
        raise WebhookRejected("the body is not JSON") from None
    if not isinstance(events, list) or not all(isinstance(e, dict) for e in events):
        raise WebhookRejected("the body must be a JSON array of event objects")
    if len(events) > MAX_EVENTS:
        raise WebhookRejected(f"at most {MAX_EVENTS} events per request")
    return sum(_apply_sendgrid(event) for event in events)


def _sendgrid_signature_ok(key: str, text: str, signature: str, timestamp: str) -> bool:
    try:
        verifier = EventWebhook(public_key=key)
    except (ValueError, TypeError):
        raise WebhookNotConfigured(f"{SENDGRID_KEY_ENV} is not a valid public key") from None
    try:
        return bool(verifier.verify_signature(text, signature, timestamp))
    except (binascii.Error, ValueError, InvalidSignature):
        return False


def _apply_sendgrid(event: dict[str, Any]) -> int:
    delivery_id = event.get("delivery_id")
    kind = event.get("event")
    if not isinstance(delivery_id, str) or not isinstance(kind, str):
        return 0  # not one of ours (other mail of the account) or not a delivery event
    if kind == "bounce" and event.get("type") == "blocked":
        kind = "blocked"
    mapped = SENDGRID_EVENTS.get(kind)
    if mapped is None:
        return 0  # deferred (SendGrid keeps trying), unsubscribe, spamreport, ...
    state, error = mapped
    message_id = event.get("sg_message_id")
    provider_id = str(message_id).split(".")[0] if isinstance(message_id, str) else None
    return int(ledger.apply_event(delivery_id, state, provider_id=provider_id, error=error,
                                  at=_moment(event.get("timestamp")), channel="email"))


def _moment(value: object) -> datetime | None:
    if isinstance(value, int | float) and not isinstance(value, bool) and value > 0:
        return datetime.fromtimestamp(float(value), UTC)
    return None


# --- Twilio ------------------------------------------------------------------------------------


def twilio_auth_token() -> str | None:
    """The token Twilio signs with: the account's; the embedded sandbox's when it stands in."""
    token = credentials.get("TWILIO_AUTH_TOKEN")
    if token:
        return token
    if os.environ.get("BREACHFLOW_SANDBOX_URL") and not credentials.get("TWILIO_ACCOUNT_SID"):
        return SANDBOX_TWILIO_TOKEN
    return None


def twilio_precheck(headers: Mapping[str, str], *,
                    auth_token: str | None = None) -> tuple[str, str]:
    """(token, signature) when the token is configured and the signature header is present:
    checked before the body is read."""
    token = auth_token or twilio_auth_token()
    if not token:
        raise WebhookNotConfigured("TWILIO_AUTH_TOKEN is not set")
    signature = _header(headers, "X-Twilio-Signature")
    if not signature or len(signature) > 512:
        raise WebhookUnauthorized("the X-Twilio-Signature header is missing")
    return token, signature


def handle_twilio_status(*, url: str, form: Mapping[str, str], headers: Mapping[str, str],
                         auth_token: str | None = None) -> int:
    """Verify and apply one Twilio status callback (message or call); returns rows moved.
    `url` is the full public URL Twilio requested, query string included."""
    token, signature = twilio_precheck(headers, auth_token=auth_token)
    params = dict(form)
    try:
        algorithm = get_signature_algorithm(
            _header(headers, "X-Twilio-Webhooks-Signature-Settings") or "")
    except ValueError:
        raise WebhookUnauthorized("unknown Twilio signature algorithm") from None
    if not RequestValidator(token).validate(url, params, signature, algorithm=algorithm):
        raise WebhookUnauthorized("the X-Twilio-Signature does not match")
    found = parse_qs(urlsplit(url).query).get("delivery_id")
    if not found:
        raise WebhookRejected("the callback URL carries no delivery_id")
    delivery_id = found[0]
    if "MessageStatus" in params or "SmsStatus" in params:
        status = params.get("MessageStatus") or params.get("SmsStatus") or ""
        state = TWILIO_MESSAGE_STATUS.get(status)
        sid, channel = params.get("MessageSid") or params.get("SmsSid"), "sms"
    elif "CallStatus" in params:
        status = params["CallStatus"]
        state = TWILIO_CALL_STATUS.get(status)
        sid, channel = params.get("CallSid"), "voice"
    else:
        raise WebhookRejected("neither MessageStatus nor CallStatus is present")
    if state is None:
        return 0  # a status we do not act on (receiving, partially_delivered, ...)
    error = None
    if state == "bounced":
        code = params.get("ErrorCode")
        error = f"twilio-{code}" if code and code.isdigit() else f"twilio-{status}"
    return int(ledger.apply_event(delivery_id, state, provider_id=sid, error=error,
                                  channel=channel))
