"""Twilio REST 2010-04-01 stand-in: create, list and fetch Messages and Calls.

Errors use Twilio's legacy JSON (`code`, `message`, `more_info`, `status`), which the official
client turns into `TwilioRestException`. Messages never echo phone numbers or URLs.
"""

from __future__ import annotations

import base64
import binascii
import re
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit
from xml.etree import ElementTree

from .callbacks import CallbackJob
from .context import Context
from .faults import RequestFault
from .specs import (
    FieldError,
    FormSchema,
    twilio_account_sid_pattern,
    twilio_form_schema,
)
from .store import StoredMessage
from .wire import Reply, Request, json_reply, rfc2822, utc_now

API_VERSION = "2010-04-01"
PATH = re.compile(
    r"^/2010-04-01/Accounts/(?P<account>[^/]+)/(?P<resource>Messages|Calls)(?:/(?P<sid>[^/]+))?\.json$"
)
E164 = re.compile(r"^\+[1-9]\d{1,14}$")
SHORT_CODE = re.compile(r"^\d{3,8}$")
ALPHANUMERIC_SENDER = re.compile(r"^(?=.*[A-Za-z])[A-Za-z0-9 ]{1,11}$")
# Twilio's magic test numbers (test credentials): the errors a real account gets for such people.
MAGIC_MESSAGE_TO = {"+15005550001": 21211, "+15005550002": 21612, "+15005550003": 21408,
                    "+15005550004": 21610, "+15005550009": 21614}
MAGIC_CALL_TO = {"+15005550001": 21217, "+15005550002": 21214, "+15005550003": 21215,
                 "+15005550004": 21216}
MAX_BODY_CHARS = 1600
MAX_TWIML_CHARS = 4000
MAX_URL_CHARS = 4000
VALIDITY_RANGE = range(1, 36_001)
CALL_TIMEOUT_RANGE = range(1, 601)
DEFAULT_PAGE_SIZE = 50

ERROR_MESSAGES: dict[int, str] = {
    20003: "Authenticate",
    20004: "Method not allowed",
    20404: "The requested resource was not found",
    20429: "Too Many Requests",
    20500: "Internal Server Error",
    21200: "Invalid Calls parameter",
    21214: "'To' phone number cannot be reached",
    21215: "Geographic permission to call this number is not enabled",
    21216: "Account not allowed to call this number",
    21217: "Phone number does not appear to be valid",
    21408: "Permission to send an SMS has not been enabled for the region",
    21610: "Attempt to send to unsubscribed recipient",
    21612: "The 'To' phone number is not currently reachable via SMS",
    21614: "'To' number is not a valid mobile number",
    21201: "No 'To' number is specified",
    21205: "Url is not a valid URL",
    21211: "Invalid 'To' Phone Number",
    21212: "Invalid 'From' Phone Number",
    21213: "No 'From' number is specified",
    21266: "'To' and 'From' number cannot be the same",
    21602: "Message body is required",
    21603: "A 'From' phone number is required",
    21604: "A 'To' phone number is required",
    21609: "Invalid 'StatusCallback'",
    21617: "The concatenated message body exceeds the 1600 character limit",
    21619: "A text message body, media URL or content SID is required",
    21624: "Invalid validity period value",
    21705: "The Messaging Service is invalid",
    80701: "Parameter validation failed",
}


class TwilioError(Exception):
    """A request Twilio would refuse; becomes the legacy error JSON."""

    def __init__(self, code: int, detail: str = "", status: int = 400) -> None:
        super().__init__(code)
        self.code = code
        self.detail = detail
        self.status = status

    def reply(self) -> Reply:
        message = ERROR_MESSAGES.get(self.code, "Bad Request")
        if self.detail:
            message = f"{message}: {self.detail}"
        return error_reply(self.status, self.code, message)


def error_reply(status: int, code: int, message: str, headers: Mapping[str, str] | None = None) -> Reply:
    document = {
        "code": code,
        "message": message,
        "more_info": f"https://www.twilio.com/docs/errors/{code}",
        "status": status,
    }
    return json_reply(status, document, headers)


@dataclass(frozen=True)
class Target:
    account: str
    resource: str  # "Messages" | "Calls"
    sid: str | None

    @property
    def channel(self) -> str:
        return "sms" if self.resource == "Messages" else "voice"

    @property
    def list_uri(self) -> str:
        return f"/{API_VERSION}/Accounts/{self.account}/{self.resource}.json"


def handle(ctx: Context, request: Request, match: re.Match[str]) -> Reply:
    target = Target(match["account"], match["resource"], match["sid"])
    try:
        auth_token = _authenticate(ctx, request, target)
        if request.method == "POST" and target.sid is None:
            return _create(ctx, request, target, auth_token)
        if request.method == "GET" and target.sid is None:
            return _list(ctx, request, target)
        if request.method == "GET":
            return _fetch(ctx, target)
        raise TwilioError(20004, status=405)
    except TwilioError as error:
        if error.status in (400, 401):
            ctx.store.count(target.channel, "rejected" if error.status == 400 else "unauthorized")
        return error.reply()


# --- authentication ----------------------------------------------------------------------------


def _authenticate(ctx: Context, request: Request, target: Target) -> str:
    """The auth token presented (it signs this account's status callbacks)."""
    scheme, _, encoded = request.header("authorization").partition(" ")
    if scheme.lower() != "basic":
        raise TwilioError(20003, status=401)
    try:
        user, _, password = base64.b64decode(encoded.strip(), validate=True).decode().partition(":")
    except (binascii.Error, UnicodeDecodeError):
        raise TwilioError(20003, status=401) from None
    if not user or not password:
        raise TwilioError(20003, status=401)
    # API keys (SK...) authenticate for the account in the path; an account SID must match it.
    if user.startswith("AC") and user != target.account:
        raise TwilioError(20003, status=401)
    if ctx.twilio_auth_token is not None and not secrets.compare_digest(password, ctx.twilio_auth_token):
        raise TwilioError(20003, status=401)
    if re.fullmatch(twilio_account_sid_pattern(), target.account) is None:
        raise TwilioError(20404, status=404)
    return password


# --- create ------------------------------------------------------------------------------------


def _create(ctx: Context, request: Request, target: Target, auth_token: str) -> Reply:
    fault = ctx.request_fault(target.channel)
    if fault is RequestFault.RATE_LIMIT_429:
        headers = ctx.rate_limit_headers({"Retry-After": str(ctx.retry_after_seconds)})
        return error_reply(429, 20429, ERROR_MESSAGES[20429], headers)
    if fault is RequestFault.ERROR_5XX:
        return TwilioError(20500, status=500).reply()
    schema = twilio_form_schema(target.resource)
    values, errors = schema.parse(request.form())
    if target.resource == "Messages":
        _check_message(schema, values, errors)
        record = _new_message(ctx, target, values)
    else:
        _check_call(schema, values, errors)
        record = _new_call(ctx, target, values)
    ctx.store.add([record])
    ctx.store.count(target.channel, "accepted")
    _schedule_callbacks(ctx, target, record, values, auth_token)
    return _accepted_reply(ctx, fault, target, record)


def _accepted_reply(ctx: Context, fault: RequestFault | None, target: Target, record: StoredMessage) -> Reply:
    if fault is RequestFault.ACCEPT_THEN_5XX:
        return TwilioError(20500, status=500).reply()
    reply = json_reply(201, resource_json(target, record, initial=True))
    if fault is RequestFault.ACCEPT_THEN_TIMEOUT:
        reply.delay_seconds = ctx.hang_seconds
    return reply


def _check_message(schema: FormSchema, values: Mapping[str, Any], errors: list[FieldError]) -> None:
    if errors:
        raise _schema_error(
            errors[0],
            required={"To": 21604},
            invalid={
                "To": 21211,
                "From": 21212,
                "MessagingServiceSid": 21705,
                "ValidityPeriod": 21624,
                "StatusCallback": 21609,
            },
            fallback=80701,
        )
    _check_number(values.get("To"), 21211, allow_channel=True)
    if str(values.get("To")) in MAGIC_MESSAGE_TO:
        raise TwilioError(MAGIC_MESSAGE_TO[str(values.get("To"))])
    senders = _present(values, schema.conditional[0])
    if not senders:
        raise TwilioError(21603)
    if len(senders) > 1:
        raise TwilioError(80701, "give exactly one of 'From' or 'MessagingServiceSid'")
    if "From" in senders:
        _check_sender(str(values["From"]))
        if values["From"] == values["To"]:
            raise TwilioError(21266)
    if not _present(values, schema.conditional[1]):
        raise TwilioError(21619 if "MessagingServiceSid" in senders else 21602)
    if len(str(values.get("Body", ""))) > MAX_BODY_CHARS:
        raise TwilioError(21617)
    if "ValidityPeriod" in values and values["ValidityPeriod"] not in VALIDITY_RANGE:
        raise TwilioError(21624, "it must be an integer from 1 to 36000")
    _check_callback_url(values.get("StatusCallback"), 21609)


def _check_call(schema: FormSchema, values: Mapping[str, Any], errors: list[FieldError]) -> None:
    if errors:
        raise _schema_error(
            errors[0],
            required={"To": 21201, "From": 21213},
            invalid={"To": 21211, "From": 21212, "Url": 21205, "StatusCallback": 21609},
            fallback=21200,
        )
    to, sender = str(values["To"]), str(values["From"])
    if to in MAGIC_CALL_TO:
        raise TwilioError(MAGIC_CALL_TO[to])
    if not (E164.match(to) or to.startswith(("sip:", "client:"))):
        raise TwilioError(21211)
    if not (E164.match(sender) or sender.startswith("client:")):
        raise TwilioError(21212)
    if E164.match(to) and not E164.match(sender):
        raise TwilioError(21212, "calling a phone number needs a phone number as caller ID")
    if not _present(values, schema.conditional[0]):
        raise TwilioError(21200, "one of 'Url', 'Twiml' or 'ApplicationSid' is required")
    _check_callback_url(values.get("Url"), 21205)
    _check_twiml(values.get("Twiml"))
    _check_callback_url(values.get("StatusCallback"), 21609)
    if "Timeout" in values and values["Timeout"] not in CALL_TIMEOUT_RANGE:
        raise TwilioError(21200, "'Timeout' must be from 1 to 600 seconds")


def _schema_error(
    error: FieldError,
    *,
    required: Mapping[str, int],
    invalid: Mapping[str, int],
    fallback: int,
) -> TwilioError:
    name = error.name
    if error.keyword == "required":
        return TwilioError(required.get(name, fallback), f"'{name}' is required")
    return TwilioError(invalid.get(name, fallback), f"'{name}' is invalid ({error.keyword})")


def _present(values: Mapping[str, Any], names: tuple[str, ...]) -> list[str]:
    return [n for n in names if values.get(n) not in (None, "", [])]


def _check_number(value: object, code: int, *, allow_channel: bool) -> None:
    number = str(value or "")
    if allow_channel and number.startswith("whatsapp:"):
        number = number.removeprefix("whatsapp:")
    if not E164.match(number):
        raise TwilioError(code)


def _check_sender(sender: str) -> None:
    plain = sender.removeprefix("whatsapp:")
    if not (E164.match(plain) or SHORT_CODE.match(plain) or ALPHANUMERIC_SENDER.match(plain)):
        raise TwilioError(21212)


def _check_callback_url(value: object, code: int) -> None:
    if value is None:
        return
    url = str(value)
    parts = urlsplit(url)
    if (
        len(url) > MAX_URL_CHARS
        or parts.scheme not in ("http", "https")
        or not parts.hostname
        or "_" in parts.hostname
    ):
        raise TwilioError(code)


def _check_twiml(value: object) -> None:
    if value is None:
        return
    twiml = str(value)
    if len(twiml) > MAX_TWIML_CHARS:
        raise TwilioError(21200, "'Twiml' exceeds 4000 characters")
    try:
        # Local, at most 4000 characters; ElementTree resolves no external entities and the
        # bundled expat (>= 2.4) caps entity expansion, so defusedxml is not needed here.
        root = ElementTree.fromstring(twiml)  # noqa: S314
    except ElementTree.ParseError:
        raise TwilioError(21200, "'Twiml' is not well-formed XML") from None
    if root.tag != "Response":
        raise TwilioError(21200, "'Twiml' must have a <Response> root")


# --- records -----------------------------------------------------------------------------------


def _new_message(ctx: Context, target: Target, values: Mapping[str, Any]) -> StoredMessage:
    failed = ctx.dice.delivery_fails("sms")
    body = str(values.get("Body", ""))
    callback = values.get("StatusCallback")
    return StoredMessage(
        channel="sms",
        id="SM" + secrets.token_hex(16),
        recipient=str(values["To"]),
        received_at=utc_now(),
        status="undelivered" if failed else "delivered",
        delivery_id=_delivery_id(callback),
        fields={
            "account_sid": target.account,
            "from": values.get("From"),
            "messaging_service_sid": values.get("MessagingServiceSid"),
            "body": body,
            "num_segments": segments(body),
            "media_urls": list(values.get("MediaUrl") or []),
            "content_sid": values.get("ContentSid"),
            "status_callback": callback,
            "validity_period": values.get("ValidityPeriod"),
            "error_code": 30003 if failed else None,
            "error_message": "Unreachable destination handset" if failed else None,
        },
    )


def _new_call(ctx: Context, target: Target, values: Mapping[str, Any]) -> StoredMessage:
    failed = ctx.dice.delivery_fails("voice")
    callback = values.get("StatusCallback")
    return StoredMessage(
        channel="voice",
        id="CA" + secrets.token_hex(16),
        recipient=str(values["To"]),
        received_at=utc_now(),
        status="no-answer" if failed else "completed",
        delivery_id=_delivery_id(callback),
        fields={
            "account_sid": target.account,
            "from": values.get("From"),
            "twiml": values.get("Twiml"),
            "url": values.get("Url"),
            "application_sid": values.get("ApplicationSid"),
            "machine_detection": values.get("MachineDetection"),
            "status_callback": callback,
            "status_callback_event": list(values.get("StatusCallbackEvent") or []),
            "status_callback_method": values.get("StatusCallbackMethod") or "POST",
        },
    )


def _delivery_id(callback: object) -> str | None:
    if not isinstance(callback, str):
        return None
    found = parse_qs(urlsplit(callback).query).get("delivery_id")
    return found[0] if found else None


def segments(body: str) -> int:
    """SMS segments as carriers bill them: GSM-7 160/153, otherwise UCS-2 70/67 (UTF-16 units)."""
    if not body:
        return 1
    if all(ch in _GSM7_BASIC or ch in _GSM7_EXTENDED for ch in body):
        units, single, multi = (
            len(body) + sum(ch in _GSM7_EXTENDED for ch in body),
            160,
            153,
        )
    else:
        units, single, multi = len(body.encode("utf-16-le")) // 2, 70, 67
    return 1 if units <= single else -(-units // multi)


_GSM7_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
_GSM7_EXTENDED = frozenset("^{}\\[~]|€\f")


def resource_json(target: Target, record: StoredMessage, *, initial: bool = False) -> dict[str, Any]:
    """The resource as the API returns it; `initial` is the create response (status queued)."""
    if record.channel == "sms":
        return _message_json(target, record, initial)
    return _call_json(target, record, initial)


def _message_json(target: Target, record: StoredMessage, initial: bool) -> dict[str, Any]:
    f = record.fields
    created = rfc2822(record.received_at)
    uri = f"/{API_VERSION}/Accounts/{target.account}/Messages/{record.id}"
    return {
        "account_sid": target.account,
        "api_version": API_VERSION,
        "body": f["body"],
        "date_created": created,
        "date_sent": None if initial else created,
        "date_updated": created,
        "direction": "outbound-api",
        "error_code": None if initial else f["error_code"],
        "error_message": None if initial else f["error_message"],
        "from": f["from"],
        "messaging_service_sid": f["messaging_service_sid"],
        "num_media": str(len(f["media_urls"])),
        "num_segments": str(f["num_segments"]),
        "price": None,
        "price_unit": "USD",
        "sid": record.id,
        "status": "queued" if initial else record.status,
        "subresource_uris": {
            "media": f"{uri}/Media.json",
            "feedback": f"{uri}/Feedback.json",
        },
        "to": record.recipient,
        "uri": f"{uri}.json",
    }


def _call_json(target: Target, record: StoredMessage, initial: bool) -> dict[str, Any]:
    f = record.fields
    created = rfc2822(record.received_at)
    uri = f"/{API_VERSION}/Accounts/{target.account}/Calls/{record.id}"
    answered = not initial and record.status == "completed"
    return {
        "account_sid": target.account,
        "annotation": None,
        "answered_by": None,
        "api_version": API_VERSION,
        "caller_name": None,
        "date_created": created,
        "date_updated": created,
        "direction": "outbound-api",
        "duration": "1" if answered else None,
        "end_time": created if answered else None,
        "forwarded_from": None,
        "from": f["from"],
        "from_formatted": f["from"],
        "group_sid": None,
        "parent_call_sid": None,
        "phone_number_sid": None,
        "price": None,
        "price_unit": "USD",
        "queue_time": "0",
        "sid": record.id,
        "start_time": created if answered else None,
        "status": "queued" if initial else record.status,
        "subresource_uris": {
            "notifications": f"{uri}/Notifications.json",
            "recordings": f"{uri}/Recordings.json",
        },
        "to": record.recipient,
        "to_formatted": record.recipient,
        "trunk_sid": None,
        "uri": f"{uri}.json",
    }


# --- list / fetch ------------------------------------------------------------------------------


def _list(ctx: Context, request: Request, target: Target) -> Reply:
    size, page = (
        _int_param(request, "PageSize", DEFAULT_PAGE_SIZE, 1, 1000),
        _int_param(request, "Page", 0, 0, 10**6),
    )
    filters = {"To": request.query_value("To"), "From": request.query_value("From")}

    def wanted(record: StoredMessage) -> bool:
        return (
            record.fields.get("account_sid") == target.account
            and (filters["To"] is None or record.recipient == filters["To"])
            and (filters["From"] is None or record.fields.get("from") == filters["From"])
        )

    found = ctx.store.select(target.channel, wanted)
    found.reverse()  # newest first, like the API
    start = page * size
    items = found[start : start + size]
    key = target.resource.lower()
    query = {k: v for k, v in filters.items() if v is not None}
    return json_reply(
        200,
        {
            key: [resource_json(target, r) for r in items],
            "end": start + max(len(items) - 1, 0),
            "first_page_uri": _page_uri(target, query, size, 0),
            "next_page_uri": _page_uri(target, query, size, page + 1) if start + size < len(found) else None,
            "page": page,
            "page_size": size,
            "previous_page_uri": _page_uri(target, query, size, page - 1) if page > 0 else None,
            "start": start,
            "uri": _page_uri(target, query, size, page),
        },
    )


def _page_uri(target: Target, query: Mapping[str, str], size: int, page: int) -> str:
    return f"{target.list_uri}?{urlencode({**query, 'PageSize': size, 'Page': page})}"


def _int_param(request: Request, name: str, default: int, low: int, high: int) -> int:
    raw = request.query_value(name)
    try:
        value = default if raw is None else int(raw)
    except ValueError:
        raise TwilioError(80701, f"'{name}' must be an integer") from None
    if not low <= value <= high:
        raise TwilioError(80701, f"'{name}' is out of range")
    return value


def _fetch(ctx: Context, target: Target) -> Reply:
    found = ctx.store.select(
        target.channel,
        lambda r: r.id == target.sid and r.fields.get("account_sid") == target.account,
    )
    if not found:
        raise TwilioError(20404, status=404)
    return json_reply(200, resource_json(target, found[0]))


# --- status callbacks --------------------------------------------------------------------------

_CALL_EVENT_STATUS = {
    "initiated": "initiated",
    "ringing": "ringing",
    "answered": "in-progress",
}


def _schedule_callbacks(
    ctx: Context,
    target: Target,
    record: StoredMessage,
    values: Mapping[str, Any],
    auth_token: str,
) -> None:
    url = values.get("StatusCallback")
    if ctx.callbacks is None or not isinstance(url, str):
        return
    token = ctx.twilio_auth_token or auth_token
    if record.channel == "sms":
        events = _message_events(target, record)
        method = "POST"
    else:
        events = _call_events(target, record)
        method = str(record.fields["status_callback_method"]).upper()
    ctx.callbacks.submit(CallbackJob(url, method, token, events))


def _message_events(target: Target, record: StoredMessage) -> tuple[dict[str, str], ...]:
    f = record.fields
    base = {
        "AccountSid": target.account,
        "ApiVersion": API_VERSION,
        "MessageSid": record.id,
        "SmsSid": record.id,
        "To": record.recipient,
    }
    if f["from"]:
        base["From"] = str(f["from"])
    if f["messaging_service_sid"]:
        base["MessagingServiceSid"] = str(f["messaging_service_sid"])
    events = []
    for status in ("queued", "sent", record.status):
        params = {**base, "MessageStatus": status, "SmsStatus": status}
        if status == "undelivered" and f["error_code"] is not None:
            params["ErrorCode"] = str(f["error_code"])
        events.append(params)
    return tuple(events)


def _call_events(target: Target, record: StoredMessage) -> tuple[dict[str, str], ...]:
    base = {
        "AccountSid": target.account,
        "ApiVersion": API_VERSION,
        "CallSid": record.id,
        "Direction": "outbound-api",
        "From": str(record.fields["from"]),
        "To": record.recipient,
    }
    asked = record.fields["status_callback_event"] or ["completed"]
    events = []
    for event in asked:
        status = _CALL_EVENT_STATUS.get(event, record.status)
        if record.status == "no-answer" and event == "answered":
            continue
        params = {**base, "CallStatus": status}
        if event == "completed":
            params["CallDuration"] = "1" if record.status == "completed" else "0"
        events.append(params)
    return tuple(events)
