"""The sandbox HTTP server: SendGrid, Twilio and push stand-ins plus inspection endpoints.

Usage in tests:

    with Sandbox() as sandbox:             # 127.0.0.1, a free port
        SendGridAPIClient(api_key="SG.x", host=sandbox.url).send(mail)
        sandbox.messages("email")

As a process: `python -m sandbox --port 8025` (the CLI's `breachflow sandbox`).
The server never logs requests: bodies, addresses and query strings carry personal data.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import logging
import os
import signal
import socket
import sys
import threading
import traceback
from collections.abc import Callable, Sequence
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import FrameType, TracebackType
from typing import Any, Self, TextIO
from urllib.parse import parse_qs, urlsplit

from cryptography.hazmat.primitives.asymmetric import ec

from . import inbox, lob_api, push_api, sendgrid_api, twilio_api
from .callbacks import CallbackSender
from .context import Context
from .events import EventSender
from .faults import FaultConfigError, FaultDice, Faults
from .store import MessageStore, StoredMessage
from .wire import CHANNELS, Reply, Request, html_reply, json_reply, parse_json_object

MAX_REQUEST_BYTES = 32 * 1024 * 1024  # above SendGrid's 30 MB message limit
CALLBACKS_ENV = "BREACHFLOW_SANDBOX_CALLBACKS"
DEFAULT_PORT = 8025

_logger = logging.getLogger(__name__)


class Sandbox:
    """A local server speaking SendGrid's, Twilio's, Apprise-json's and Lob's wire formats.

    `faults` injects provider failures (default none); `status_callbacks` makes Twilio-style
    signed status callbacks to each `StatusCallback` URL (default: the env variable
    BREACHFLOW_SANDBOX_CALLBACKS=1, else off); `persist_path` appends every accepted message to a
    JSONL file and reloads it on start; `sendgrid_api_key` / `twilio_auth_token`, when given,
    are the only credentials accepted (otherwise any non-empty credentials are).
    """

    def __init__(
        self,
        port: int = 0,
        *,
        host: str = "127.0.0.1",
        faults: Faults | None = None,
        status_callbacks: bool | None = None,
        persist_path: str | Path | None = None,
        sendgrid_api_key: str | None = None,
        twilio_auth_token: str | None = None,
        sendgrid_events_url: str | None = None,
        sendgrid_event_key: ec.EllipticCurvePrivateKey | None = None,
        repeat_events: bool = False,
        push_auth: str | None = None,
        lob_api_key: str | None = None,
    ) -> None:
        self._address = (host, port)
        store = MessageStore(Path(persist_path) if persist_path is not None else None)
        if status_callbacks is None:
            status_callbacks = os.environ.get(CALLBACKS_ENV, "").lower() in (
                "1",
                "true",
                "yes",
            )
        callbacks = None
        if status_callbacks:
            callbacks = CallbackSender(lambda ok: store.count("callbacks", "sent" if ok else "failed"))
        events = None
        if sendgrid_events_url:
            events = EventSender(sendgrid_events_url, sendgrid_event_key,
                                 lambda ok: store.count("events", "sent" if ok else "failed"),
                                 repeat=repeat_events)
        self.context = Context(
            store=store,
            dice=FaultDice(faults or Faults()),
            sendgrid_api_key=sendgrid_api_key,
            twilio_auth_token=twilio_auth_token,
            callbacks=callbacks,
            events=events,
            push_auth=push_auth,
            lob_api_key=lob_api_key,
        )
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

    # --- lifecycle -----------------------------------------------------------------------------

    def start(self) -> Self:
        """Bind and serve in a background thread; returns self. Port 0 picks a free port."""
        if self._server is not None:
            return self
        self.context.stopping.clear()
        self._server = _Server(self._address, self.context)
        if self.context.callbacks is not None:
            self.context.callbacks.start()
        if self.context.events is not None:
            self.context.events.start()
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.05},
            name=f"sandbox-{self.port}",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving, cut open connections and wake any request hanging on a fault."""
        if self._server is None:
            return
        self.context.stopping.set()
        self._server.shutdown()
        self._server.close_connections()
        self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        if self.context.callbacks is not None:
            self.context.callbacks.stop()
        if self.context.events is not None:
            self.context.events.stop()
        self._server = None
        self._thread = None

    def serve_until(self, stop: threading.Event) -> None:
        """Run until `stop` is set (used by `main`)."""
        self.start()
        try:
            stop.wait()
        finally:
            self.stop()

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.stop()

    @property
    def port(self) -> int:
        if self._server is None:
            raise RuntimeError("the sandbox is not running")
        return int(self._server.server_address[1])

    @property
    def url(self) -> str:
        """Base URL for all providers: SendGrid `host=`, BREACHFLOW_TWILIO_BASE_URL, json://."""
        if self._server is None:
            raise RuntimeError("the sandbox is not running")
        host = str(self._server.server_address[0])
        return f"http://{host}:{self.port}"

    @property
    def sendgrid_public_key(self) -> str | None:
        """The Event Webhook verification key (base64 DER), when events are posted."""
        events = self.context.events
        return events.public_key if events is not None else None

    # --- inspection ----------------------------------------------------------------------------

    def messages(self, channel: str | None = None) -> list[dict[str, Any]]:
        """Stored messages (oldest first) as the JSON documents of `GET /sandbox/messages`."""
        return [m.to_json() for m in self.context.store.select(channel)]

    def stats(self) -> dict[str, Any]:
        return self.context.store.stats()

    def reset(self) -> None:
        self.context.store.reset()
        self.context.lob_idempotency.clear()

    def set_faults(self, faults: Faults) -> None:
        """Replace the fault configuration; the seeded draws restart from the beginning."""
        self.context.dice.configure(faults)

    @property
    def faults(self) -> Faults:
        return self.context.dice.faults


# --- HTTP plumbing -----------------------------------------------------------------------------


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128

    def handle_error(self, request: Any, client_address: Any) -> None:
        # A client killed mid-request (the crash tests do it on purpose) is not the server's
        # error; anything else still gets socketserver's report.
        if isinstance(sys.exc_info()[1], ConnectionError):
            return
        super().handle_error(request, client_address)

    def __init__(self, address: tuple[str, int], context: Context) -> None:
        self.context = context
        self._connections: set[socket.socket] = set()
        self._connections_lock = threading.Lock()
        super().__init__(address, _Handler)

    def process_request(self, request: Any, client_address: Any) -> None:
        with self._connections_lock:
            self._connections.add(request)
        super().process_request(request, client_address)

    def shutdown_request(self, request: Any) -> None:
        with self._connections_lock:
            self._connections.discard(request)
        super().shutdown_request(request)

    def close_connections(self) -> None:
        """Keep-alive connections would otherwise outlive `stop()` in their threads."""
        with self._connections_lock:
            open_connections = list(self._connections)
        for connection in open_connections:
            with contextlib.suppress(OSError):  # already closed by the client
                connection.shutdown(socket.SHUT_RDWR)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive: the Twilio client pools connections
    server_version = "breachflow-sandbox"
    sys_version = ""
    timeout = 30  # idle keep-alive connections end instead of holding a thread forever

    def setup(self) -> None:
        super().setup()
        # Headers and body go out in two writes; without NODELAY, Nagle plus delayed ACKs add
        # ~40 ms to every keep-alive request.
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def do_GET(self) -> None:
        self._serve()

    def do_POST(self) -> None:
        self._serve()

    def do_PUT(self) -> None:
        self._serve()

    def do_PATCH(self) -> None:
        self._serve()

    def do_DELETE(self) -> None:
        self._serve()

    def log_message(self, format: str, *args: Any) -> None:
        """Silenced: request lines carry phone numbers and addresses in query strings."""

    def _serve(self) -> None:
        context: Context = self.server.context  # type: ignore[attr-defined]
        request = self._read()
        if isinstance(request, Reply):
            self.close_connection = True
            self._write(request)
            return
        try:
            reply = dispatch(context, request)
        except Exception as error:
            _log_failure(error)
            reply = json_reply(500, {"error": "sandbox internal error"})
        if reply.delay_seconds > 0:
            # accept_then_timeout: hold the answer past the client's timeout (stop() wakes us).
            context.stopping.wait(reply.delay_seconds)
        self._write(reply)

    def _read(self) -> Request | Reply:
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            return json_reply(411, {"error": "Content-Length required"})
        try:
            length = int(self.headers.get("Content-Length") or 0)
        except ValueError:
            return json_reply(400, {"error": "bad Content-Length"})
        if length > MAX_REQUEST_BYTES:
            return _too_large(self.path)
        body = self.rfile.read(length) if length > 0 else b""
        split = urlsplit(self.path)
        return Request(
            method=self.command,
            path=split.path,
            query=parse_qs(split.query, keep_blank_values=True),
            headers={k.lower(): v for k, v in self.headers.items()},
            body=body,
        )

    def _write(self, reply: Reply) -> None:
        try:
            self.send_response(reply.status)
            for name, value in reply.headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(reply.body)))
            if self.close_connection:
                self.send_header("Connection", "close")
            self.end_headers()
            self.wfile.write(reply.body)
        except (BrokenPipeError, ConnectionResetError, OSError):
            # The client gave up (e.g. its timeout fired during a hang): nothing to answer.
            self.close_connection = True


def _log_failure(error: Exception) -> None:
    """Where it broke, without the exception's message: that may quote the request."""
    frame = traceback.extract_tb(error.__traceback__)[-1]
    _logger.error(
        "sandbox handler failed: %s at %s:%s",
        type(error).__name__,
        Path(frame.filename).name,
        frame.lineno,
    )


def _too_large(path: str) -> Reply:
    if path.startswith("/v3/"):
        return sendgrid_api.error_reply(413, [sendgrid_api.SendGridError(None, "content too large")])
    return json_reply(413, {"error": "request too large"})


# --- routing -----------------------------------------------------------------------------------


def dispatch(ctx: Context, request: Request) -> Reply:
    """Route one request to its provider or inspection handler."""
    path = request.path
    if path == "/v3/mail/send":
        return _only(request, "POST") or sendgrid_api.mail_send(ctx, request)
    if path == "/v3/messages":
        return _only(request, "GET") or sendgrid_api.activity(ctx, request)
    if (match := twilio_api.PATH.match(path)) is not None:
        return twilio_api.handle(ctx, request, match)
    if (match := push_api.PATH.match(path)) is not None:
        return push_api.push(ctx, request, match)
    if (match := lob_api.PATH.match(path)) is not None:
        return lob_api.handle(ctx, request, match)
    route = _INSPECTION.get((request.method, path))
    if route is not None:
        return route(ctx, request)
    return json_reply(404, {"error": "not found"})


def _only(request: Request, method: str) -> Reply | None:
    if request.method == method:
        return None
    return sendgrid_api.error_reply(
        405, [sendgrid_api.SendGridError(None, "method not allowed")], {"Allow": method}
    )


def _inbox(ctx: Context, _request: Request) -> Reply:
    return html_reply(200, inbox.render(ctx.store.stats(), ctx.store.select()))


def _list_messages(ctx: Context, request: Request) -> Reply:
    channel = request.query_value("channel")
    if channel is not None and channel not in CHANNELS:
        return json_reply(400, {"error": f"channel must be one of {', '.join(CHANNELS)}"})
    recipient = request.query_value("recipient")
    delivery_id = request.query_value("delivery_id")

    def wanted(message: StoredMessage) -> bool:
        return (recipient is None or message.recipient == recipient) and (
            delivery_id is None or message.delivery_id == delivery_id
        )

    return json_reply(200, [m.to_json() for m in ctx.store.select(channel, wanted)])


def _stats(ctx: Context, _request: Request) -> Reply:
    return json_reply(200, ctx.store.stats())


def _reset(ctx: Context, _request: Request) -> Reply:
    ctx.store.reset()
    ctx.lob_idempotency.clear()
    return json_reply(200, {"reset": True})


def _get_faults(ctx: Context, _request: Request) -> Reply:
    return json_reply(200, ctx.dice.faults.to_json())


def _set_faults(ctx: Context, request: Request) -> Reply:
    document = parse_json_object(request.body)
    if document is None:
        return json_reply(400, {"error": "expected a JSON object"})
    try:
        ctx.dice.configure(Faults.from_json(document))
    except FaultConfigError as problem:
        return json_reply(400, {"error": str(problem)})
    return json_reply(200, ctx.dice.faults.to_json())


_INSPECTION: dict[tuple[str, str], Callable[[Context, Request], Reply]] = {
    ("GET", "/"): _inbox,
    ("GET", "/sandbox/messages"): _list_messages,
    ("GET", "/sandbox/stats"): _stats,
    ("POST", "/sandbox/reset"): _reset,
    ("GET", "/sandbox/faults"): _get_faults,
    ("POST", "/sandbox/faults"): _set_faults,
}


# --- command line ------------------------------------------------------------------------------


def main(argv: Sequence[str] | None = None) -> int:
    """`breachflow sandbox` / `python -m sandbox`: serve until interrupted.

    Prints the base URL as the first line of output. Exit codes: 0 stopped, 1 cannot bind,
    2 bad arguments (argparse's convention).
    """
    args = _parser().parse_args(argv)
    try:
        faults = _faults_argument(args.faults)
    except (FaultConfigError, OSError) as problem:
        _say(f"breachflow sandbox: --faults: {problem}", sys.stderr)
        return 2
    sandbox = Sandbox(
        args.port,
        host=args.host,
        faults=faults,
        status_callbacks=True if args.callbacks else None,
        persist_path=args.persist,
        sendgrid_api_key=args.sendgrid_api_key,
        twilio_auth_token=args.twilio_auth_token,
        sendgrid_events_url=args.sendgrid_events,
        lob_api_key=args.lob_api_key,
    )
    try:
        sandbox.start()
    except OSError as problem:
        _say(f"breachflow sandbox: cannot listen on {args.host}:{args.port}: {problem.strerror}", sys.stderr)
        return 1
    stop = threading.Event()
    _on_signals(stop)
    _print_banner(sandbox)
    sandbox.serve_until(stop)
    return 0


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="breachflow sandbox",
        description="Local SendGrid / Twilio / push stand-ins with an inbox page.",
    )
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    parser.add_argument(
        "--port",
        type=int,
        default=DEFAULT_PORT,
        help=f"port (default {DEFAULT_PORT}; 0 = any free)",
    )
    parser.add_argument(
        "--persist",
        metavar="FILE",
        help="append accepted messages to this JSONL file and reload it",
    )
    parser.add_argument(
        "--faults",
        metavar="JSON|@FILE",
        help="fault configuration, inline JSON or @file",
    )
    parser.add_argument(
        "--callbacks",
        action="store_true",
        help=f"send signed Twilio status callbacks ({CALLBACKS_ENV}=1)",
    )
    parser.add_argument("--sendgrid-events", metavar="URL",
                        help="post signed SendGrid Event Webhook events to URL (the banner "
                             "prints the verification key)")
    parser.add_argument("--sendgrid-api-key", help="accept only this SendGrid API key")
    parser.add_argument("--twilio-auth-token", help="accept only this Twilio auth token")
    parser.add_argument("--lob-api-key", help="accept only this Lob API key")
    return parser


def _faults_argument(value: str | None) -> Faults | None:
    if value is None:
        return None
    text = Path(value[1:]).read_text(encoding="utf-8") if value.startswith("@") else value
    try:
        document = json.loads(text)
    except json.JSONDecodeError as problem:
        raise FaultConfigError(f"not JSON ({problem.msg})") from None
    if not isinstance(document, dict):
        raise FaultConfigError("expected a JSON object")
    return Faults.from_json(document)


def _on_signals(stop: threading.Event) -> None:
    def handler(_signum: int, _frame: FrameType | None) -> None:
        stop.set()

    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGINT, handler)
        signal.signal(signal.SIGTERM, handler)


def _print_banner(sandbox: Sandbox) -> None:
    url = sandbox.url
    _say(url)  # first line: scripts read the URL from here
    _say(f"  inbox     {url}/")
    _say(f"  SendGrid  BREACHFLOW_SENDGRID_HOST={url}")
    _say(f"  Twilio    BREACHFLOW_TWILIO_BASE_URL={url}")
    _say(f"  push      json://{url.removeprefix('http://')}/push/<token>")
    _say(f"  letters   BREACHFLOW_LOB_BASE_URL={url}/v1")
    if sandbox.sendgrid_public_key:
        _say(f"  events    BREACHFLOW_SENDGRID_WEBHOOK_PUBLIC_KEY={sandbox.sendgrid_public_key}")


def _say(line: str, stream: TextIO | None = None) -> None:
    """Command-line output (not logging): flushed at once so a parent process can read it."""
    out = stream or sys.stdout
    out.write(line + "\n")
    out.flush()
