"""The Prefect server `breachflow serve` starts runs the UI's Resume again on a 503 (SQLite's
"database is locked"), the same request through the same mounted routes, and answers once."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

import httpx
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Mount, Route

from flows import prefect_server

RUN = str(uuid.uuid4())


class Locked(Exception):
    pass


def _app(failures: int) -> tuple[Any, list[bytes]]:
    """Prefect's shape: the API mounted under /api, an error handler answering 503 (which
    Starlette raises again after answering)."""
    seen: list[bytes] = []

    async def resume(request: Request) -> JSONResponse:
        seen.append(await request.body())
        if len(seen) <= failures:
            raise Locked("database is locked")
        return JSONResponse({"status": "ACCEPT", "run": request.path_params["id"]}, 201)

    async def unavailable(_request: Request, _exc: Exception) -> JSONResponse:
        return JSONResponse({"exception_message": "Service Unavailable"}, 503)

    api = Starlette(routes=[Route("/flow_runs/{id}/resume", resume, methods=["POST"]),
                            Route("/flow_runs/{id}/set_state", resume, methods=["POST"])],
                    exception_handlers={Exception: unavailable})
    return prefect_server.RetryResume(Starlette(routes=[Mount("/api", app=api)])), seen


def _post(app: Any, path: str) -> httpx.Response:
    async def call() -> httpx.Response:
        transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
        async with httpx.AsyncClient(transport=transport, base_url="http://prefect") as client:
            return await client.post(path, json={"run_input": {"decision": "approve"}})

    return asyncio.run(call())


def test_a_resume_answered_503_is_run_again_until_it_is_taken(monkeypatch):
    monkeypatch.setattr(prefect_server, "PAUSE_SECONDS", 0.0)
    app, seen = _app(failures=2)
    reply = _post(app, f"/api/flow_runs/{RUN}/resume")
    assert reply.status_code == 201 and reply.json()["run"] == RUN
    assert len(seen) == 3 and len(set(seen)) == 1  # the same body each time


def test_a_resume_still_refused_after_the_last_attempt_answers_503(monkeypatch):
    monkeypatch.setattr(prefect_server, "PAUSE_SECONDS", 0.0)
    app, seen = _app(failures=prefect_server.ATTEMPTS + 1)
    reply = _post(app, f"/api/flow_runs/{RUN}/resume")
    assert reply.status_code == 503 and len(seen) == prefect_server.ATTEMPTS


def test_other_requests_are_not_run_again():
    app, seen = _app(failures=1)
    reply = _post(app, f"/api/flow_runs/{RUN}/set_state")
    assert reply.status_code == 503 and len(seen) == 1
