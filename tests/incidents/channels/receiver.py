"""A stand-in for the intake app's provider callbacks: a real HTTP server that hands the raw
body, the headers and the public URL to `incidents.delivery.provider_events`."""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl

from incidents import exceptions
from incidents.delivery import provider_events


class Receiver:
    """A stand-in for the intake app: raw body, headers and the public URL go to the handlers."""

    def __init__(self) -> None:
        self.answers: list[int] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                headers = dict(self.headers.items())
                try:
                    if self.path.startswith("/v1/providers/sendgrid/events"):
                        provider_events.handle_sendgrid_events(raw_body=raw, headers=headers)
                    else:
                        provider_events.handle_twilio_status(
                            url=f"{receiver.url}{self.path}", headers=headers,
                            form=dict(parse_qsl(raw.decode(), keep_blank_values=True)))
                    status = 200
                except exceptions.WebhookError as error:
                    status = error.status
                receiver.answers.append(status)
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                """Silent: requests carry addresses."""

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
