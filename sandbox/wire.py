"""The sandbox's transport-neutral request and reply, so provider handlers stay plain functions."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import format_datetime
from typing import Any
from urllib.parse import parse_qs

CHANNELS: tuple[str, ...] = ("email", "sms", "voice", "push", "letter")


@dataclass(frozen=True)
class Request:
    """One HTTP request as received; header names are lower-cased."""

    method: str
    path: str
    query: Mapping[str, list[str]]
    headers: Mapping[str, str]
    body: bytes

    def header(self, name: str) -> str:
        return self.headers.get(name.lower(), "")

    def query_value(self, name: str) -> str | None:
        values = self.query.get(name)
        return values[0] if values else None

    def form(self) -> dict[str, list[str]]:
        # keep_blank_values: an empty Body must reach validation, not vanish.
        return parse_qs(self.body.decode("utf-8", errors="replace"), keep_blank_values=True)


@dataclass
class Reply:
    """What to answer. `delay_seconds` > 0 makes the server wait before answering (timeouts)."""

    status: int
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    delay_seconds: float = 0.0


def json_reply(status: int, payload: object, headers: Mapping[str, str] | None = None) -> Reply:
    all_headers = {"Content-Type": "application/json"}
    all_headers.update(headers or {})
    return Reply(status, json.dumps(payload).encode("utf-8"), all_headers)


def html_reply(status: int, page: str) -> Reply:
    return Reply(status, page.encode("utf-8"), {"Content-Type": "text/html; charset=utf-8"})


def utc_now() -> datetime:
    return datetime.now(UTC)


def iso_z(moment: datetime) -> str:
    """RFC 3339 in UTC with a Z, as SendGrid's APIs write times."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def rfc2822(moment: datetime) -> str:
    """Twilio's date format ("Thu, 24 Aug 2023 05:01:45 +0000"), which its client parses."""
    return format_datetime(moment.astimezone(UTC))


def parse_json_object(raw: bytes) -> dict[str, Any] | None:
    """The body as a JSON object, or None when it is not one."""
    try:
        value = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        return None
    return value if isinstance(value, dict) else None
