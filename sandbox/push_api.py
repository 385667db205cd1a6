"""Push stand-in: `POST /push/{token}` takes what Apprise's `json://` plugin sends.

Apprise's NotifyJSON (apprise/plugins/custom_json.py) POSTs
`{"version": "1.0", "title": ..., "message": ..., "attachments": [...], "type": ...}` plus any
`:key=value` payload extras; `:message=body` renames a key, so `body` is accepted for the text.
"""

from __future__ import annotations

import base64
import binascii
import re
import secrets
from typing import Any
from urllib.parse import unquote

from .context import Context
from .faults import RequestFault
from .store import StoredMessage
from .wire import Reply, Request, json_reply, parse_json_object, utc_now

PATH = re.compile(r"^/push/(?P<token>[^?#]+)$")
UNREGISTERED = "unregistered"  # tokens starting with this answer 404, like a removed app
_KNOWN_KEYS = frozenset({"version", "title", "message", "body", "attachments", "type", "delivery_id"})


def push(ctx: Context, request: Request, match: re.Match[str]) -> Reply:
    if request.method != "POST":
        return json_reply(405, {"error": "method not allowed"}, {"Allow": "POST"})
    if ctx.push_auth is not None and not _authorized(ctx.push_auth, request.header("authorization")):
        ctx.store.count("push", "unauthorized")
        return json_reply(401, {"error": "unauthorized"}, {"WWW-Authenticate": "Basic"})
    token = unquote(match["token"])
    if token.startswith(UNREGISTERED):
        # As FCM's UNREGISTERED / APNs' 410: the app was removed from that device.
        ctx.store.count("push", "unregistered")
        return json_reply(404, {"error": "the device token is not registered"})
    fault = ctx.request_fault("push")
    if fault is RequestFault.RATE_LIMIT_429:
        headers = ctx.rate_limit_headers({"Retry-After": str(ctx.retry_after_seconds)})
        return json_reply(429, {"error": "too many requests"}, headers)
    if fault is RequestFault.ERROR_5XX:
        return json_reply(500, {"error": "internal server error"})
    payload = parse_json_object(request.body)
    text = None if payload is None else payload.get("message", payload.get("body"))
    if payload is None or not isinstance(text, str):
        ctx.store.count("push", "rejected")
        return json_reply(400, {"error": "expected a JSON object with a string 'message'"})
    record = _record(request, token, payload, text)
    ctx.store.add([record])
    ctx.store.count("push", "accepted")
    if fault is RequestFault.ACCEPT_THEN_5XX:
        return json_reply(500, {"error": "internal server error"})
    reply = json_reply(200, {"id": record.id, "status": "accepted"})
    if fault is RequestFault.ACCEPT_THEN_TIMEOUT:
        reply.delay_seconds = ctx.hang_seconds
    return reply


def _authorized(expected: str, header: str) -> bool:
    scheme, _, encoded = header.partition(" ")
    try:
        presented = base64.b64decode(encoded.strip(), validate=True).decode()
    except (binascii.Error, UnicodeDecodeError):
        return False
    return scheme.lower() == "basic" and secrets.compare_digest(presented, expected)


def _record(request: Request, token: str, payload: dict[str, Any], text: str) -> StoredMessage:
    delivery_id = (
        payload.get("delivery_id") or request.header("x-delivery-id") or request.query_value("delivery_id")
    )
    attachments = payload.get("attachments")
    return StoredMessage(
        channel="push",
        id="PU" + secrets.token_hex(16),
        recipient=token,
        received_at=utc_now(),
        status="delivered",
        delivery_id=str(delivery_id) if delivery_id else None,
        fields={
            "token": token,
            "title": payload.get("title"),
            "message": text,
            "type": payload.get("type"),
            "version": payload.get("version"),
            "attachments": len(attachments) if isinstance(attachments, list) else 0,
            "extras": {k: v for k, v in payload.items() if k not in _KNOWN_KEYS},
        },
    )
