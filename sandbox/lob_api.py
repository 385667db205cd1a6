"""Lob stand-in: the Letters API as the official `lob-python` SDK calls it.

- `POST /v1/letters`: HTTP Basic with the API key as the user name; a JSON body validated
  against `letter_editable` of Lob's OpenAPI description (`specs/lob_letters.json`), plus rules
  the description states only in prose: an HTML `file` under 10,000 characters, a US `to`
  whose two street lines together stay within 50 characters (`address_length_exceeds_limit`),
  metadata keys ≤ 40 and values ≤ 500 characters. An `Idempotency-Key` header (or
  `idempotency_key` query parameter) seen before answers with the letter it created.
- `GET /v1/letters?metadata[key]=value&limit=` (or `metadata={"key": "value"}`, as
  lob-python sends it), `GET /v1/letters/{ltr_id}`.

Errors answer as Lob does: `{"error": {"message", "status_code", "code"}}`; a 429 carries
`X-Rate-Limit-Limit`, `-Remaining` and `-Reset` (epoch seconds). A `to` whose first line starts
with `UNDELIVERABLE` answers 422 `failed_deliverability_strictness`, as an account with strict
deliverability settings would for an address that cannot be delivered."""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
import secrets
import threading
import time
from datetime import timedelta
from functools import cache
from typing import Any

import phonenumbers
from phonenumbers import geocoder

from .context import Context
from .faults import RequestFault
from .specs import BodySchema, FieldError, lob_letter_schema
from .store import StoredMessage
from .wire import Reply, Request, iso_z, json_reply, parse_json_object, utc_now

PATH = re.compile(r"^/v1/letters(?:/(?P<letter_id>[^/]+))?$")
HTML_LIMIT = 10_000
STREET_LIMIT = 50
UNDELIVERABLE = "UNDELIVERABLE"
_METADATA = re.compile(r"^metadata\[(?P<key>[^\]]+)\]$")
_lock = threading.Lock()
# Lob answers with the country's name in capitals; where its name differs from the plain one.
_LOB_NAMES = {"KR": "KOREA, REPUBLIC OF", "RU": "RUSSIAN FEDERATION", "VN": "VIET NAM",
              "BS": "THE BAHAMAS", "MD": "MOLDOVA, REPUBLIC OF", "TZ": "TANZANIA"}


def handle(ctx: Context, request: Request, match: re.Match[str]) -> Reply:
    if not _authorized(ctx, request.header("authorization")):
        ctx.store.count("letter", "unauthorized")
        return error(401, "unauthorized", "Your API key is not valid. Please sign up on lob.com "
                                          "to get a valid api key.")
    letter_id = match["letter_id"]
    if letter_id is not None:
        if request.method != "GET":
            return error(404, "unrecognized_endpoint", "The requested endpoint does not exist.")
        return _get(ctx, letter_id)
    if request.method == "GET":
        return _list(ctx, request)
    if request.method == "POST":
        return _create(ctx, request)
    return error(404, "unrecognized_endpoint", "The requested endpoint does not exist.")


def error(status: int, code: str, message: str, headers: dict[str, str] | None = None) -> Reply:
    return json_reply(status, {"error": {"message": message, "status_code": status, "code": code}},
                      headers)


def _authorized(ctx: Context, header: str) -> bool:
    scheme, _, encoded = header.partition(" ")
    try:
        user = base64.b64decode(encoded.strip(), validate=True).decode().partition(":")[0]
    except (binascii.Error, UnicodeDecodeError):
        return False
    if scheme.lower() != "basic" or not user:
        return False
    return ctx.lob_api_key is None or secrets.compare_digest(user, ctx.lob_api_key)


@cache
def _schema() -> BodySchema:
    return lob_letter_schema()


def _create(ctx: Context, request: Request) -> Reply:
    key = request.header("idempotency-key") or request.query_value("idempotency_key")
    if key:
        with _lock:
            known = ctx.lob_idempotency.get(key)
        if known is not None:
            ctx.store.count("letter", "idempotent_replay")
            found = ctx.store.select("letter", lambda m: m.id == known)
            if found:
                return json_reply(200, _letter(found[0]))
    fault = ctx.request_fault("letter")
    if fault is RequestFault.RATE_LIMIT_429:
        reset = int(time.time()) + ctx.retry_after_seconds
        headers = ctx.rate_limit_headers({"X-Rate-Limit-Limit": "150", "X-Rate-Limit-Remaining": "0",
                                          "X-Rate-Limit-Reset": str(reset)})
        return error(429, "rate_limit_exceeded",
                     "Rate limit exceeded. Please wait 5 seconds and try your request again.", headers)
    if fault is RequestFault.ERROR_5XX:
        return error(500, "internal_server_error", "An error has occured on Lob's servers.")
    body = parse_json_object(request.body)
    if body is None:
        ctx.store.count("letter", "rejected")
        return error(422, "invalid", "request body must be a JSON object")
    problem = _problem(body)
    if problem is not None:
        ctx.store.count("letter", "rejected")
        return error(422, *problem)
    record = _record(body, key)
    ctx.store.add([record])
    ctx.store.count("letter", "accepted")
    if key:
        with _lock:
            ctx.lob_idempotency[key] = record.id
    if fault is RequestFault.ACCEPT_THEN_5XX:
        return error(500, "internal_server_error", "An error has occured on Lob's servers.")
    reply = json_reply(200, _letter(record))
    if fault is RequestFault.ACCEPT_THEN_TIMEOUT:
        reply.delay_seconds = ctx.hang_seconds
    return reply


def _problem(body: dict[str, Any]) -> tuple[str, str] | None:
    """(code, message) of the first rule the letter breaks, else None. Messages name fields,
    never values (they would quote addresses)."""
    errors = _schema().errors(body)
    if errors:
        return "invalid", _describe(errors[0])
    file = body["file"]
    if "<" in file and len(file) >= HTML_LIMIT:
        return "invalid", f"file: an HTML string must be under {HTML_LIMIT:,} characters"
    metadata = body.get("metadata") or {}
    if any(len(k) > 40 or len(str(v)) > 500 for k, v in metadata.items()):
        return "invalid", "metadata: keys at most 40 and values at most 500 characters"
    to = body["to"]
    if isinstance(to, dict):
        street = (to.get("address_line1") or "") + (to.get("address_line2") or "")
        if to.get("address_country") in (None, "US") and len(street) > STREET_LIMIT:
            return ("address_length_exceeds_limit",
                    "The sum of to.address_line1 and to.address_line2 cannot surpass 50 characters.")
        if str(to.get("address_line1") or "").upper().startswith(UNDELIVERABLE):
            return ("failed_deliverability_strictness",
                    "The to address doesn't meet strictness requirements.")
    return None


def _describe(found: FieldError) -> str:
    where = found.field or "body"
    if found.keyword == "required":
        return f"{where} is required"
    return f"{where} is invalid ({found.keyword})"


def _address(value: Any) -> dict[str, Any]:
    if isinstance(value, str):  # a saved address: the sandbox has one sender for every id
        return {"id": value, "object": "address", "name": "Sandbox Sender",
                "address_line1": "210 KING ST", "address_city": "SAN FRANCISCO",
                "address_state": "CA", "address_zip": "94107", "address_country": "UNITED STATES",
                "date_created": iso_z(utc_now()), "date_modified": iso_z(utc_now())}
    found = {k: v for k, v in value.items() if isinstance(v, str)}
    found["address_country"] = _country_name(found.get("address_country") or "US")
    return {"id": f"adr_{hashlib.sha256(repr(sorted(found.items())).encode()).hexdigest()[:16]}",
            "object": "address", **found, "date_created": iso_z(utc_now()),
            "date_modified": iso_z(utc_now())}


@cache
def _country_name(code: str) -> str:
    if code in _LOB_NAMES:
        return _LOB_NAMES[code]
    example = phonenumbers.example_number(code)
    name = geocoder.country_name_for_number(example, "en") if example is not None else ""
    return name.upper()


def _record(body: dict[str, Any], key: str | None) -> StoredMessage:
    now = utc_now()
    to, sender = _address(body["to"]), _address(body["from"])
    metadata = {k: str(v) for k, v in (body.get("metadata") or {}).items()}
    file = body["file"]
    return StoredMessage(
        channel="letter",
        id="ltr_" + secrets.token_hex(10),
        recipient=" / ".join(str(to.get(k) or "") for k in ("name", "address_line1", "address_zip")),
        received_at=now,
        status="processed_for_delivery",
        delivery_id=metadata.get("delivery_id"),
        fields={
            "to": to, "from": sender, "metadata": metadata, "description": body.get("description"),
            "file": file, "file_chars": len(file), "color": body.get("color"),
            "double_sided": body.get("double_sided", True),
            "address_placement": body.get("address_placement", "top_first_page"),
            "mail_type": body.get("mail_type", "usps_first_class"), "use_type": body.get("use_type"),
            "idempotency_key": key,
        },
    )


def _letter(message: StoredMessage) -> dict[str, Any]:
    """The letter object as Lob returns it."""
    f = message.fields
    created = iso_z(message.received_at)
    return {
        "id": message.id, "object": "letter", "description": f.get("description"),
        "metadata": f.get("metadata") or {}, "to": f["to"], "from": f["from"],
        "url": f"https://lob-assets.example/letters/{message.id}.pdf?expires=0&signature=sandbox",
        "carrier": "USPS", "thumbnails": [],
        "expected_delivery_date": (message.received_at + timedelta(days=5)).date().isoformat(),
        "date_created": created, "date_modified": created, "send_date": created,
        "use_type": f.get("use_type"), "mail_type": f.get("mail_type"), "color": f.get("color"),
        "double_sided": f.get("double_sided"), "address_placement": f.get("address_placement"),
        "return_envelope": False, "perforated_page": None, "extra_service": None,
        "custom_envelope": None, "tracking_events": [],
    }


def _get(ctx: Context, letter_id: str) -> Reply:
    found = ctx.store.select("letter", lambda m: m.id == letter_id)
    if not found:
        return error(404, "not_found", "letter not found")
    return json_reply(200, _letter(found[0]))


def _list(ctx: Context, request: Request) -> Reply:
    # The description says deepObject (`metadata[key]=value`); lob-python sends the object as
    # JSON (`metadata={"key": "value"}`). Both filter.
    wanted: dict[str, str] = {}
    for name, values in request.query.items():
        match = _METADATA.match(name)
        if match is not None and values:
            wanted[match["key"]] = values[0]
        elif name == "metadata" and values:
            document = parse_json_object(values[0].encode())
            if document is None:
                return error(422, "invalid", "metadata must be an object")
            wanted.update({str(k): str(v) for k, v in document.items()})
    try:
        limit = int(request.query_value("limit") or "10")
    except ValueError:
        return error(422, "invalid", "limit must be an integer")
    if not 1 <= limit <= 100:
        return error(422, "invalid", "limit must be between 1 and 100")
    found = ctx.store.select("letter", lambda m: all(
        m.fields.get("metadata", {}).get(k) == v for k, v in wanted.items()))
    found.reverse()  # the most recently created first, as Lob lists them
    page = [_letter(m) for m in found[:limit]]
    return json_reply(200, {"data": page, "object": "list", "next_url": None,
                            "previous_url": None, "count": len(page)})
