"""SendGrid v3 stand-in: `POST /v3/mail/send` and the Email Activity read `GET /v3/messages`.

Error bodies follow SendGrid's `{"errors": [{"field", "message", "help"}]}`. Messages name the
field, never echo an address: adapters may log provider errors, and the logs must stay clean.
"""

from __future__ import annotations

import gzip
import json
import re
import secrets
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from .context import Context
from .faults import RequestFault
from .specs import FieldError, sendgrid_mail_send_schema
from .store import StoredMessage
from .wire import Reply, Request, iso_z, json_reply, parse_json_object, utc_now

MAX_RECIPIENTS = 1000
MAX_CUSTOM_ARGS_BYTES = 10_000
MAX_SCHEDULE_AHEAD = timedelta(hours=72)
ROLES = ("to", "cc", "bcc")
# Headers SendGrid refuses to let a sender override (mail send docs, `headers`).
RESERVED_HEADERS = frozenset(
    h.lower()
    for h in (
        "x-sg-id",
        "x-sg-eid",
        "received",
        "dkim-signature",
        "Content-Type",
        "Content-Transfer-Encoding",
        "To",
        "From",
        "Subject",
        "Reply-To",
        "CC",
        "BCC",
    )
)


@dataclass(frozen=True)
class SendGridError:
    field: str | None
    message: str

    def to_json(self) -> dict[str, Any]:
        return {"field": self.field, "message": self.message, "help": None}


def error_reply(status: int, errors: list[SendGridError], headers: Mapping[str, str] | None = None) -> Reply:
    return json_reply(status, {"errors": [e.to_json() for e in errors]}, headers)


# --- POST /v3/mail/send ------------------------------------------------------------------------


def mail_send(ctx: Context, request: Request) -> Reply:
    denied = _check_auth(ctx, request)
    if denied is not None:
        ctx.store.count("email", "unauthorized")
        return denied
    fault = ctx.request_fault("email")
    if fault is RequestFault.RATE_LIMIT_429:
        return _rate_limited(ctx)
    if fault is RequestFault.ERROR_5XX:
        return _server_error()
    body, problem = _decode_body(request)
    if problem is not None or body is None:
        ctx.store.count("email", "rejected")
        return problem or _server_error()
    errors = validate_mail(body)
    if errors:
        ctx.store.count("email", "rejected")
        return error_reply(400, errors)
    if _sandbox_mode(body):
        # SendGrid's own sandbox mode: validated, not sent, answered 200 instead of 202.
        return Reply(200)
    message_id = _new_message_id()
    stored = _recipients(ctx, body, message_id)
    ctx.store.add(stored)
    ctx.store.count("email", "accepted")
    if ctx.events is not None:
        ctx.events.submit(stored)
    return _accepted_reply(ctx, fault, message_id)


def _accepted_reply(ctx: Context, fault: RequestFault | None, message_id: str) -> Reply:
    if fault is RequestFault.ACCEPT_THEN_5XX:
        return _server_error()
    reply = Reply(202, b"", {"X-Message-Id": message_id})
    if fault is RequestFault.ACCEPT_THEN_TIMEOUT:
        reply.delay_seconds = ctx.hang_seconds
    return reply


def _check_auth(ctx: Context, request: Request) -> Reply | None:
    scheme, _, token = request.header("authorization").partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token:
        return error_reply(401, [SendGridError(None, "authorization required")])
    if ctx.sendgrid_api_key is not None and not secrets.compare_digest(token, ctx.sendgrid_api_key):
        message = "The provided authorization grant is invalid, expired, or revoked"
        return error_reply(401, [SendGridError(None, message)])
    return None


def _rate_limited(ctx: Context) -> Reply:
    wait = ctx.retry_after_seconds
    headers = ctx.rate_limit_headers({
        "X-RateLimit-Limit": "600",
        "X-RateLimit-Remaining": "0",
        "X-RateLimit-Reset": str(int(time.time()) + wait),
        "Retry-After": str(wait),
    })
    return error_reply(429, [SendGridError(None, "too many requests")], headers)


def _server_error() -> Reply:
    return error_reply(500, [SendGridError(None, "internal server error")])


def _decode_body(request: Request) -> tuple[dict[str, Any] | None, Reply | None]:
    if "application/json" not in request.header("content-type").lower():
        message = "Content-Type should be application/json."
        return None, error_reply(400, [SendGridError(None, message)])
    raw = request.body
    if request.header("content-encoding").lower() == "gzip":
        try:
            raw = gzip.decompress(raw)
        except (OSError, EOFError):
            return None, error_reply(400, [SendGridError(None, "The request body is not valid gzip.")])
    body = parse_json_object(raw)
    if body is None:
        return None, error_reply(400, [SendGridError(None, "Bad Request: the body must be a JSON object.")])
    return body, None


def _sandbox_mode(body: Mapping[str, Any]) -> bool:
    settings = body.get("mail_settings") or {}
    sandbox = settings.get("sandbox_mode") or {} if isinstance(settings, dict) else {}
    return isinstance(sandbox, dict) and sandbox.get("enable") is True


def _new_message_id() -> str:
    # Real X-Message-Id values are 22 URL-safe characters.
    return secrets.token_urlsafe(16)[:22]


# --- validation --------------------------------------------------------------------------------


def validate_mail(body: Mapping[str, Any]) -> list[SendGridError]:
    """The official schema first; the documented prose rules only once the shape is right."""
    schema_errors = sendgrid_mail_send_schema().errors(body)
    if schema_errors:
        return [SendGridError(e.field or None, _schema_message(e)) for e in schema_errors]
    errors: list[SendGridError] = []
    for rule in _RULES:
        errors.extend(rule(body))
    return errors


def _schema_message(error: FieldError) -> str:
    name, limit = error.field or "request body", error.limit
    match error.keyword:
        case "required":
            return f"The {name} field is required."
        case "format" if limit == "email":
            return "Does not contain a valid address."
        case "maxItems":
            return f"The {name} field can have no more than {limit} items."
        case "type":
            return f"The {name} field must be of type {limit}."
        case "uniqueItems":
            return f"The {name} field must not contain duplicate values."
        case "minLength":
            return f"The {name} field must not be empty."
        case "maxLength":
            return f"The {name} field can be at most {limit} characters long."
        case "enum" if isinstance(limit, list):
            return f"The {name} field must be one of: {', '.join(map(str, limit))}."
        case _:
            return f"The {name} field is invalid ({error.keyword})."


def _personalizations(body: Mapping[str, Any]) -> list[dict[str, Any]]:
    value = body.get("personalizations") or []
    return [p for p in value if isinstance(p, dict)]


def _addresses(personalization: Mapping[str, Any], role: str) -> Iterator[str]:
    for recipient in personalization.get(role) or []:
        yield str(recipient.get("email", ""))


def _rule_personalizations(body: Mapping[str, Any]) -> Iterator[SendGridError]:
    personalizations = _personalizations(body)
    if not personalizations:
        message = "The personalizations field is required and must have at least one personalization."
        yield SendGridError("personalizations", message)
    for i, p in enumerate(personalizations):
        if not p.get("to"):
            message = (
                "The to array is required for all personalization objects, and must have at "
                "least one email object with a valid email address."
            )
            yield SendGridError(f"personalizations.{i}.to", message)
    total = sum(len(p.get(role) or []) for p in personalizations for role in ROLES)
    if total > MAX_RECIPIENTS:
        message = f"The total number of recipients (to, cc and bcc) must be no more than {MAX_RECIPIENTS}."
        yield SendGridError("personalizations", message)


_ADDRESS = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def _rule_valid_addresses(body: Mapping[str, Any]) -> Iterator[SendGridError]:
    """Like SendGrid, name the first recipient whose address is not one."""
    for i, p in enumerate(_personalizations(body)):
        for role in ROLES:
            for j, address in enumerate(_addresses(p, role)):
                if not _ADDRESS.match(address.strip()):
                    yield SendGridError(f"personalizations.{i}.{role}.{j}.email",
                                        "Does not contain a valid address.")
                    return


def _rule_unique_addresses(body: Mapping[str, Any]) -> Iterator[SendGridError]:
    seen: set[str] = set()
    for i, p in enumerate(_personalizations(body)):
        for role in ROLES:
            for address in _addresses(p, role):
                key = address.strip().casefold()
                if key in seen:
                    message = (
                        "Each email address in the personalizations array should be unique "
                        f"between to, cc, and bcc and appear only once per request; the first "
                        f"duplicate is in the personalizations.{i}.{role} field."
                    )
                    yield SendGridError(f"personalizations.{i}.{role}", message)
                    return
                seen.add(key)


def _rule_subject(body: Mapping[str, Any]) -> Iterator[SendGridError]:
    if body.get("template_id") or body.get("subject"):
        return
    if all(p.get("subject") for p in _personalizations(body)):
        return
    message = (
        "The subject is required. You can get around this requirement if you use a template "
        "with a subject defined or if every personalization has a subject defined."
    )
    yield SendGridError("subject", message)


def _rule_content(body: Mapping[str, Any]) -> Iterator[SendGridError]:
    content = body.get("content") or []
    if not content and not body.get("template_id"):
        message = (
            "Unless a valid template_id is provided, the content parameter is required. There "
            "must be at least one defined content block."
        )
        yield SendGridError("content", message)
        return
    types = [str(block.get("type", "")).lower() for block in content]
    for kind in ("text/plain", "text/html"):
        if types.count(kind) > 1:
            yield SendGridError(
                "content",
                "If present, text/plain and text/html may only be provided once.",
            )
            return
    if "text/plain" in types and types[0] != "text/plain":
        message = "If present, text/plain content must be first, followed by text/html or other content."
        yield SendGridError("content.0.type", message)


def _rule_reply_to(body: Mapping[str, Any]) -> Iterator[SendGridError]:
    if body.get("reply_to") and body.get("reply_to_list"):
        message = "You can use either the reply_to property or reply_to_list property but not both."
        yield SendGridError("reply_to_list", message)


def _rule_custom_args(body: Mapping[str, Any]) -> Iterator[SendGridError]:
    root = body.get("custom_args") or {}
    places: list[tuple[str, Mapping[str, Any]]] = [("custom_args", root)]
    places += [
        (f"personalizations.{i}.custom_args", p.get("custom_args") or {})
        for i, p in enumerate(_personalizations(body))
    ]
    for field_name, args in places:
        if any(not isinstance(v, str) for v in args.values()):
            yield SendGridError(field_name, "Custom argument values must be strings.")
            return
        merged = {**root, **args}
        if len(json.dumps(merged).encode("utf-8")) > MAX_CUSTOM_ARGS_BYTES:
            yield SendGridError(field_name, "Total custom_args size may not exceed 10,000 bytes.")
            return


def _rule_headers(body: Mapping[str, Any]) -> Iterator[SendGridError]:
    places: list[tuple[str, Any]] = [("headers", body.get("headers"))]
    places += [
        (f"personalizations.{i}.headers", p.get("headers")) for i, p in enumerate(_personalizations(body))
    ]
    for field_name, headers in places:
        if isinstance(headers, dict) and RESERVED_HEADERS & {str(k).lower() for k in headers}:
            yield SendGridError(field_name, "The headers field may not override reserved headers.")


def _rule_send_at(body: Mapping[str, Any]) -> Iterator[SendGridError]:
    latest = (utc_now() + MAX_SCHEDULE_AHEAD).timestamp()
    places: list[tuple[str, Any]] = [("send_at", body.get("send_at"))]
    places += [
        (f"personalizations.{i}.send_at", p.get("send_at")) for i, p in enumerate(_personalizations(body))
    ]
    for field_name, send_at in places:
        if isinstance(send_at, int) and send_at > latest:
            yield SendGridError(field_name, "A send cannot be scheduled more than 72 hours in advance.")


_RULES: tuple[Callable[[Mapping[str, Any]], Iterator[SendGridError]], ...] = (
    _rule_personalizations,
    _rule_valid_addresses,
    _rule_unique_addresses,
    _rule_subject,
    _rule_content,
    _rule_reply_to,
    _rule_custom_args,
    _rule_headers,
    _rule_send_at,
)


# --- storage -----------------------------------------------------------------------------------


def _recipients(ctx: Context, body: Mapping[str, Any], message_id: str) -> list[StoredMessage]:
    """One stored message per recipient of every personalization, as SendGrid tracks them."""
    now = utc_now()
    root_args: dict[str, Any] = dict(body.get("custom_args") or {})
    content = {str(b["type"]): str(b["value"]) for b in body.get("content") or []}
    sender = body.get("from") or {}
    stored: list[StoredMessage] = []
    for index, p in enumerate(_personalizations(body)):
        custom_args = {**root_args, **(p.get("custom_args") or {})}
        common = {
            "x_message_id": message_id,
            "from_email": (p.get("from") or sender).get("email"),
            "personalization_index": index,
            "subject": p.get("subject", body.get("subject")),
            "content_types": list(content),
            "content": content,
            "template_id": body.get("template_id"),
            "dynamic_template_data": p.get("dynamic_template_data"),
            "custom_args": custom_args,
            "substitutions": dict(p.get("substitutions") or {}),
            "categories": list(body.get("categories") or []),
        }
        for role in ROLES:
            for recipient in p.get(role) or []:
                msg_id = f"{message_id}.filterdrecv-sandbox-{len(stored)}-0.0"
                bounced = ctx.dice.delivery_fails("email")
                stored.append(
                    StoredMessage(
                        channel="email",
                        id=msg_id,
                        recipient=str(recipient["email"]),
                        received_at=now,
                        status="bounced" if bounced else "delivered",
                        delivery_id=_str_or_none(custom_args.get("delivery_id")),
                        fields={
                            **common,
                            "msg_id": msg_id,
                            "role": role,
                            "to_name": recipient.get("name"),
                        },
                    )
                )
    return stored


def _str_or_none(value: object) -> str | None:
    return value if isinstance(value, str) else None


# --- GET /v3/messages (Email Activity) ---------------------------------------------------------

_CLAUSE = re.compile(
    r"""\s*(?:unique_args\[(?P<quote>['"])(?P<key>[^'"]+)(?P=quote)\]|(?P<field>[a-z_]+))
        \s*(?P<op>=|!=|\bLIKE\b)\s*"(?P<value>[^"]*)"\s*""",
    re.IGNORECASE | re.VERBOSE,
)
_AND = re.compile(r"\s*\bAND\b\s*", re.IGNORECASE)
_ACTIVITY_FIELDS = ("to_email", "from_email", "subject", "msg_id", "status")
_ACTIVITY_STATUS = {"delivered": "delivered", "bounced": "not_delivered"}

Predicate = Callable[[StoredMessage], bool]


def activity(ctx: Context, request: Request) -> Reply:
    denied = _check_auth(ctx, request)
    if denied is not None:
        return denied
    limit = _limit(request.query_value("limit"))
    if limit is None:
        return error_reply(400, [SendGridError("limit", "limit must be an integer between 1 and 1000")])
    try:
        predicate = parse_query(request.query_value("query") or "")
    except ValueError as problem:
        return error_reply(400, [SendGridError("query", str(problem))])
    found = ctx.store.select("email", predicate)
    found.reverse()  # newest first, as the Activity feed lists
    return json_reply(200, {"messages": [_activity_item(m) for m in found[:limit]]})


def _limit(raw: str | None) -> int | None:
    if raw is None:
        return 10
    try:
        value = int(raw)
    except ValueError:
        return None
    return value if 1 <= value <= 1000 else None


def parse_query(query: str) -> Predicate:
    """The subset of SendGrid's activity query language the workflow uses:
    `unique_args['KEY']="VALUE"` and `to_email|from_email|subject|msg_id|status = | != | LIKE
    "VALUE"` clauses joined by AND (`%` is the LIKE wildcard). Empty: everything."""
    if not query.strip():
        return lambda _message: True
    predicates = []
    for part in _AND.split(query.strip()):
        match = _CLAUSE.fullmatch(part)
        if match is None:
            raise ValueError('unsupported query clause; use unique_args[\'key\']="value" or field="value"')
        predicates.append(_clause_predicate(match))
    return lambda message: all(p(message) for p in predicates)


def _clause_predicate(match: re.Match[str]) -> Predicate:
    key, field_name, op, value = (
        match["key"],
        match["field"],
        match["op"].upper(),
        match["value"],
    )
    if field_name is not None and field_name.lower() not in _ACTIVITY_FIELDS:
        raise ValueError(f"unsupported query field {field_name!r}")
    compare = _comparison(op, value)

    def predicate(message: StoredMessage) -> bool:
        if key is not None:
            actual = message.fields.get("custom_args", {}).get(key)
            return isinstance(actual, str) and compare(actual)
        return compare(str(_activity_item(message)[field_name.lower()]))

    return predicate


def _comparison(op: str, value: str) -> Callable[[str], bool]:
    if op == "LIKE":
        pattern = re.compile(".*".join(re.escape(piece) for piece in value.split("%")), re.DOTALL)
        return lambda actual: pattern.fullmatch(actual) is not None
    if op == "!=":
        return lambda actual: actual != value
    return lambda actual: actual == value


def _activity_item(message: StoredMessage) -> dict[str, Any]:
    return {
        "from_email": message.fields.get("from_email"),
        "msg_id": message.id,
        "subject": message.fields.get("subject"),
        "to_email": message.recipient,
        "status": _ACTIVITY_STATUS.get(message.status, "processed"),
        "opens_count": 0,
        "clicks_count": 0,
        "last_event_time": iso_z(message.received_at),
    }
