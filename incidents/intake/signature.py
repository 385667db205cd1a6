"""The webhook signature of the intake API (contract in docs/contracts.md):

    X-Breachflow-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<raw body>">

The timestamp is signed with the body, so a captured request cannot be replayed after the
tolerance; within it, a replay is harmless because intake is idempotent on `external_id`.
Several `v1=` entries may be sent while a secret is being rotated."""

from __future__ import annotations

import hashlib
import hmac
import re
import time

from incidents.exceptions import SignatureError

HEADER = "X-Breachflow-Signature"
TOLERANCE_SECONDS = 300
# ASCII only: str.isdigit() accepts "²" and int() digits of any script, and a 400-digit number
# overflows the float arithmetic of the tolerance check. Unix seconds fit in 12 digits.
_TIMESTAMP = re.compile(r"[0-9]{1,12}", re.ASCII)
_HEX_SHA256 = re.compile(r"[0-9a-fA-F]{64}", re.ASCII)
MAX_HEADER = 1024


def sign(body: bytes, *, secret: str, timestamp: int | None = None) -> str:
    """The header value a sender puts on `body`."""
    t = int(time.time()) if timestamp is None else timestamp
    return f"t={t},v1={_digest(body, secret=secret, timestamp=t)}"


def _digest(body: bytes, *, secret: str, timestamp: int) -> str:
    return hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()


def _parse(header: str) -> tuple[int, list[str]]:
    if len(header) > MAX_HEADER:
        raise SignatureError(f"{HEADER}: longer than {MAX_HEADER} characters")
    timestamp: int | None = None
    signatures: list[str] = []
    for part in header.split(","):
        key, sep, value = part.strip().partition("=")
        if not sep:
            raise SignatureError(f"{HEADER}: expected t=<unix>,v1=<hex>")
        if key == "t":
            if not _TIMESTAMP.fullmatch(value):
                raise SignatureError(f"{HEADER}: t must be unix seconds")
            timestamp = int(value)
        elif key == "v1":
            if not _HEX_SHA256.fullmatch(value):
                raise SignatureError(f"{HEADER}: v1 must be 64 hex digits")
            signatures.append(value.lower())
    if timestamp is None or not signatures:
        raise SignatureError(f"{HEADER}: expected t=<unix>,v1=<hex>")
    return timestamp, signatures


def check_header(header: str | None, *, now: float | None = None) -> tuple[int, list[str]]:
    """(timestamp, signatures) of a well-formed, fresh header; otherwise SignatureError.
    Needs no body, so a request can be refused before its body is read."""
    if not header:
        raise SignatureError(f"missing {HEADER} header")
    timestamp, signatures = _parse(header)
    current = time.time() if now is None else now
    if abs(current - timestamp) > TOLERANCE_SECONDS:
        raise SignatureError(f"{HEADER}: timestamp outside the {TOLERANCE_SECONDS} s tolerance")
    return timestamp, signatures


def verify(body: bytes, header: str | None, *, secrets: list[str], now: float | None = None) -> int:
    """The signed timestamp when `header` signs `body` with one of `secrets` within the
    tolerance; otherwise SignatureError."""
    timestamp, signatures = check_header(header, now=now)
    expected = [_digest(body, secret=s, timestamp=timestamp) for s in secrets if s]
    # Compare against every candidate so the time taken does not reveal which one matched.
    matched = [hmac.compare_digest(e, given) for e in expected for given in signatures]
    if not any(matched):
        raise SignatureError(f"{HEADER}: signature does not match")
    return timestamp
