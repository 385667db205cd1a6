"""4. The provider webhooks check their configuration and signature headers before reading a
body, and stop reading at the route's limit: an unauthenticated caller cannot make the server
take in tens of mebibytes."""

from __future__ import annotations

import select
import socket
import time
from urllib.parse import urlsplit

from incidents.delivery import provider_events as webhooks
from tests.incidents.intake.conftest import start_intake, stop

CHUNK = 64 * 1024


def _stream(url: str, path: str, headers: dict[str, str], *, total: int,
            timeout: float = 20.0) -> tuple[int | None, int]:
    """POST a chunked body of up to `total` bytes, watching for an early answer.
    (HTTP status or None, bytes sent when the answer came or sending stopped)."""
    parts = urlsplit(url)
    with socket.create_connection((parts.hostname, parts.port), timeout=timeout) as sock:
        head = [f"POST {path} HTTP/1.1", f"Host: {parts.netloc}", "Transfer-Encoding: chunked",
                "Connection: close", *(f"{k}: {v}" for k, v in headers.items()), "", ""]
        sock.sendall("\r\n".join(head).encode())
        sent = 0
        chunk = f"{CHUNK:x}\r\n".encode() + b"x" * CHUNK + b"\r\n"
        deadline = time.monotonic() + timeout
        while sent < total and time.monotonic() < deadline:
            readable, _, _ = select.select([sock], [], [], 0)
            if readable:
                break
            try:
                sock.sendall(chunk)
            except (BrokenPipeError, ConnectionResetError):
                break
            sent += CHUNK
        # Whatever was sent, wait a little for an answer (a server reading on says nothing).
        sock.settimeout(3.0)
        try:
            reply = sock.recv(64)
        except (TimeoutError, ConnectionResetError):
            return None, sent
    status = reply.split(b" ", 2)[1] if reply.startswith(b"HTTP/") else None
    return (int(status) if status else None), sent


def test_an_unconfigured_route_answers_before_reading_the_body(tmp_path):
    intake = start_intake(tmp_path)  # no SendGrid key, no Twilio token
    try:
        status, sent = _stream(intake.url, "/v1/providers/sendgrid/events", {
            "X-Twilio-Email-Event-Webhook-Signature": "x",
            "X-Twilio-Email-Event-Webhook-Timestamp": str(int(time.time()))},
            total=64 * 1024 * 1024)
    finally:
        stop(intake)
    assert status == 503
    assert sent < 16 * 1024 * 1024  # answered long before 64 MiB went out


def test_missing_signature_headers_are_refused_before_reading(tmp_path):
    intake = start_intake(tmp_path, extra_env={
        webhooks.SENDGRID_KEY_ENV: "MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE" + "A" * 88,
        "TWILIO_AUTH_TOKEN": "twilio-token"})
    try:
        sendgrid = _stream(intake.url, "/v1/providers/sendgrid/events", {},
                           total=64 * 1024 * 1024)
        twilio = _stream(intake.url, "/v1/providers/twilio/status?delivery_id=d1", {},
                         total=64 * 1024 * 1024)
    finally:
        stop(intake)
    assert sendgrid[0] == 401 and sendgrid[1] < 16 * 1024 * 1024
    assert twilio[0] == 401 and twilio[1] < 16 * 1024 * 1024


def test_each_route_stops_reading_at_its_limit(tmp_path):
    intake = start_intake(tmp_path, extra_env={
        webhooks.SENDGRID_KEY_ENV: "MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE" + "A" * 88,
        "TWILIO_AUTH_TOKEN": "twilio-token"})
    try:
        sendgrid = _stream(intake.url, "/v1/providers/sendgrid/events", {
            "X-Twilio-Email-Event-Webhook-Signature": "MEUCIQ==",
            "X-Twilio-Email-Event-Webhook-Timestamp": str(int(time.time()))},
            total=64 * 1024 * 1024)
        twilio = _stream(intake.url, "/v1/providers/twilio/status?delivery_id=d1", {
            "X-Twilio-Signature": "c2lnbmF0dXJl"}, total=64 * 1024 * 1024)
    finally:
        stop(intake)
    # Answered long before the whole body went out (socket buffers hold a few MiB).
    assert sendgrid[0] == 413 and sendgrid[1] < 32 * 1024 * 1024  # 16 MiB limit
    assert twilio[0] == 413 and twilio[1] < 16 * 1024 * 1024  # 64 KiB limit
