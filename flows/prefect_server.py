"""`prefect server start` as `breachflow serve` runs it: Prefect's own server and UI, with the
gate answers (`POST /api/flow_runs/{id}/resume`, the UI's Resume → Submit) retried on a 503.

On SQLite the server reads the paused run and then writes its new state in one deferred
transaction; when another write (logs, events, the runs' states) lands in between, SQLite
answers "database is locked" at once, without waiting, and the server answers 503, "retry".
Prefect's Python client retries a 503; the UI does not: the responder saw "Oops. Something
went wrong." and the run stayed paused. The transaction was rolled back, so the same request
is safe to run again; it is, a few times, before its answer goes back to the UI."""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[MutableMapping[str, Any], Receive, Send], Awaitable[None]]

RESUME = re.compile(r"^/api/flow_runs/[0-9a-fA-F-]{36}/resume/?$")
ATTEMPTS = 6
PAUSE_SECONDS = 0.25  # times the attempt: 0.25, 0.5, ... 1.25 s, about 4 s in all
logger = logging.getLogger("breachflow.serve")


class RetryResume:
    """Run a resume request again while the server answers 503 (nothing was written)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: MutableMapping[str, Any], receive: Receive,
                       send: Send) -> None:
        if (scope.get("type") != "http" or scope.get("method") != "POST"
                or not RESUME.match(str(scope.get("path", "")))):
            await self.app(scope, receive, send)
            return
        body, more = b"", True
        while more:
            message = await receive()
            if message["type"] != "http.request":
                return  # the client went away
            body += message.get("body", b"")
            more = bool(message.get("more_body", False))
        for attempt in range(1, ATTEMPTS + 1):
            sent: list[Message] = []

            async def replay() -> Message:
                return {"type": "http.request", "body": body, "more_body": False}

            async def keep(message: Message, sent: list[Message] = sent) -> None:
                sent.append(message)

            try:
                # A fresh scope each time: the routing writes into the one it is given.
                await self.app(dict(scope), replay, keep)
            except Exception:
                # Starlette raises again what its error handler already answered (the 503):
                # only an exception without an answer is the server's to report.
                if not any(m["type"] == "http.response.start" for m in sent):
                    raise
            status = next((m.get("status") for m in sent if m["type"] == "http.response.start"),
                          None)
            if status != 503 or attempt == ATTEMPTS:
                break
            logger.warning("resume of a paused run: the server answered 503 (attempt %d of %d), "
                           "trying again", attempt, ATTEMPTS)
            await asyncio.sleep(PAUSE_SECONDS * attempt)
        for message in sent:
            await send(message)


def main() -> None:
    """Prefect's CLI (`server start ...`), its app wrapped."""
    import prefect.server.api.server as server
    from prefect.cli import app

    create_app = server.create_app

    def wrapped(*args: Any, **kwargs: Any) -> Any:
        return RetryResume(create_app(*args, **kwargs))

    server.create_app = wrapped
    app()


if __name__ == "__main__":
    main()
