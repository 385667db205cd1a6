"""SendGrid's signed Event Webhook: after a mail is accepted, POST its `processed` and
`delivered` / `bounce` events to the configured URL, signed as SendGrid signs them (ECDSA P-256
over timestamp + raw body, base64 DER, headers `X-Twilio-Email-Event-Webhook-Signature` and
`-Timestamp`). `repeat` posts every batch twice and the second time in reverse order, as the
real webhook may (retries, late events)."""

from __future__ import annotations

import base64
import json
import queue
import secrets
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec

from .store import StoredMessage

SIGNATURE_HEADER = "X-Twilio-Email-Event-Webhook-Signature"
TIMESTAMP_HEADER = "X-Twilio-Email-Event-Webhook-Timestamp"


def public_key_b64(key: ec.EllipticCurvePrivateKey) -> str:
    """The verification key as SendGrid shows it: base64 DER SubjectPublicKeyInfo, no PEM."""
    der = key.public_key().public_bytes(serialization.Encoding.DER,
                                        serialization.PublicFormat.SubjectPublicKeyInfo)
    return base64.b64encode(der).decode("ascii")


def sign(key: ec.EllipticCurvePrivateKey, body: bytes, timestamp: str) -> str:
    signature = key.sign(timestamp.encode("utf-8") + body, ec.ECDSA(hashes.SHA256()))
    return base64.b64encode(signature).decode("ascii")


def events_for(message: StoredMessage) -> list[dict[str, Any]]:
    """The events SendGrid would post for one recipient: processed, then its outcome."""
    f = message.fields
    base: dict[str, Any] = {
        "email": message.recipient,
        "timestamp": int(message.received_at.timestamp()),
        "sg_message_id": message.id,
        "smtp-id": f"<{f.get('x_message_id')}@sandbox>",
        "category": list(f.get("categories") or []),
        **{k: v for k, v in (f.get("custom_args") or {}).items() if isinstance(v, str)},
    }
    outcome: dict[str, Any] = {"event": "delivered", "response": "250 OK"}
    if message.status == "bounced":
        outcome = {"event": "bounce", "type": "bounce", "status": "5.1.1",
                   "reason": "550 5.1.1 mailbox does not exist"}
    return [{**base, "event": "processed", "sg_event_id": secrets.token_urlsafe(16)},
            {**base, **outcome, "sg_event_id": secrets.token_urlsafe(16)}]


class EventSender:
    """Posts event batches from one worker thread; outcomes are counted, never logged."""

    def __init__(self, url: str, key: ec.EllipticCurvePrivateKey | None,
                 on_result: Callable[[bool], None], *, repeat: bool = False,
                 timeout: float = 5.0) -> None:
        if urlsplit(url).scheme not in ("http", "https"):
            raise ValueError("the SendGrid event URL must be http(s)")
        self.url = url
        self.key = key or ec.generate_private_key(ec.SECP256R1())
        self.repeat = repeat
        self._on_result = on_result
        self._timeout = timeout
        self._queue: queue.Queue[list[StoredMessage] | None] = queue.Queue()
        self._thread: threading.Thread | None = None

    @property
    def public_key(self) -> str:
        return public_key_b64(self.key)

    def start(self) -> None:
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="sandbox-sendgrid-events",
                                            daemon=True)
            self._thread.start()

    def stop(self) -> None:
        if self._thread is not None:
            self._queue.put(None)
            self._thread.join(timeout=2.0)
            self._thread = None

    def submit(self, messages: list[StoredMessage]) -> None:
        self._queue.put(messages)

    def _run(self) -> None:
        while (batch := self._queue.get()) is not None:
            events = [e for m in batch for e in events_for(m)]
            self._on_result(self._post(events))
            if self.repeat:
                self._on_result(self._post(list(reversed(events))))

    def _post(self, events: list[dict[str, Any]]) -> bool:
        body = json.dumps(events).encode("utf-8")
        timestamp = str(int(time.time()))
        request = urllib.request.Request(  # noqa: S310 - http(s) checked in __init__
            self.url, data=body, method="POST",
            headers={"Content-Type": "application/json", TIMESTAMP_HEADER: timestamp,
                     SIGNATURE_HEADER: sign(self.key, body, timestamp),
                     "User-Agent": "SendGrid Event API (breachflow sandbox)"})
        try:
            with urllib.request.urlopen(request, timeout=self._timeout) as response:  # noqa: S310
                return 200 <= int(response.status) < 300
        except (urllib.error.URLError, OSError, ValueError):
            return False
