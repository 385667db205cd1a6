"""The intake API (contract in docs/contracts.md): security tools open incidents with a signed
webhook; responders read an incident's status with a bearer token.

    POST /v1/incidents        413 over 1 MiB, 401 bad or stale signature, 422 invalid body
                              (field named), 200 existing external_id (starts nothing),
                              202 new incident + flow run of `respond_to_incident`
    GET  /v1/incidents/{id}   the `status --json` document; Authorization: Bearer <token>
    POST /v1/incidents/{id}/gates/{gate}   a responder's answer to a waiting gate (see
                              incidents/intake/gate_answers.py)
    GET  /healthz             liveness, for `breachflow serve` and load balancers

Checks run cheapest first and nothing is written before the body is signed and valid."""

from __future__ import annotations

import json
import logging
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import anyio
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from flows import launch
from incidents import audit, db, payload, service
from incidents.exceptions import BodyTooLarge, InputError, NotFound, SignatureError
from incidents.intake import settings as intake_settings
from incidents.intake.bodies import read_body
from incidents.intake.gate_answers import mount_gate_answers
from incidents.intake.mounts import mount_optional_routes
from incidents.intake.signature import HEADER, verify
from incidents.records import status
from incidents.sqltypes import utcnow
from incidents.triage import correlation

logger = logging.getLogger("breachflow.intake")
ACTOR = "intake-api"


def _error(code: int, message: str, **extra: Any) -> JSONResponse:
    headers = {"WWW-Authenticate": "Bearer"} if code == 401 and extra.pop("bearer", False) else None
    return JSONResponse({"error": message, **extra}, status_code=code, headers=headers)


def _open_incident(incident: payload.IncidentPayload) -> tuple[str, str, bool, str | None]:
    """(id, status, created now, recorded flow run id) in one transaction."""
    from incidents.intake.source_settings import (
        intake_org,
        intake_org_source,
        intake_settings,
        intake_sources,
    )

    with db.session() as s:
        # An alert naming its incident (related_to) joins it: one incident per breach.
        found, created, _ = correlation.intake_alert(
            session=s, payload=incident, sources=intake_sources(incident.external_id),
            settings=intake_settings(incident.external_id), org=intake_org(),
            org_source=intake_org_source(), actor=ACTOR)
        run_id = None if created else _recorded_run(s, found.id)
        return found.id, found.status, created, run_id


def _recorded_run(session: Any, incident_id: str) -> str | None:
    from sqlmodel import col, select

    from incidents.models import AuditEvent

    detail = session.exec(select(AuditEvent.detail).where(
        AuditEvent.incident_id == incident_id, AuditEvent.action == "intake.flow_run")
        .order_by(col(AuditEvent.id).desc()).limit(1)).first()
    return str(detail["flow_run_id"]) if detail and detail.get("flow_run_id") else None


def _record_launch(incident_id: str, result: launch.Launch) -> None:
    with db.session() as s:
        audit.record(s, incident_id=incident_id, actor=ACTOR, action="intake.flow_run",
                     detail={"flow_run_id": result.flow_run_id, "runner": result.runner,
                             "deployment": launch.RESPOND})


def _status(incident_id: str) -> dict[str, Any]:
    with db.session() as s:
        return status.status_document(s, service.get_incident(session=s, incident_id=incident_id))


def create_app(config: intake_settings.IntakeSettings | None = None) -> FastAPI:
    """The ASGI app; `uvicorn --factory incidents.intake.app:create_app` serves it."""

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        # Migrate before the first request, so a request never waits for it.
        await anyio.to_thread.run_sync(db.engine)
        yield

    app = FastAPI(title="breachflow intake API", version="1", lifespan=lifespan,
                  description=__doc__)
    app.state.settings = config or intake_settings.load()

    @app.get("/healthz", include_in_schema=False)
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @app.post("/v1/incidents", status_code=202, openapi_extra={
        "requestBody": {"required": True, "content": {"application/json": {
            "schema": payload.IncidentPayload.model_json_schema()}}},
        "parameters": [{"name": HEADER, "in": "header", "required": True,
                        "schema": {"type": "string"},
                        "description": "t=<unix>,v1=<hex HMAC-SHA256 of \"<t>.<raw body>\">"}],
        "responses": {"200": {"description": "existing external_id: nothing started"},
                      "401": {"description": "bad or stale signature"},
                      "413": {"description": "body over 1 MiB"},
                      "422": {"description": "invalid body; `field` names the field"}}})
    async def open_incident(request: Request) -> JSONResponse:
        """Open an incident and start its response."""
        started = time.perf_counter()
        config: intake_settings.IntakeSettings = request.app.state.settings
        if not config.webhook_secrets:
            return _error(503, f"intake disabled: {intake_settings.WEBHOOK_SECRET_ENV} is not set")
        try:
            body = await read_body(request, config.max_body_bytes)
        except BodyTooLarge:
            return _error(413, f"body over {config.max_body_bytes} bytes")
        try:
            verify(body, request.headers.get(HEADER), secrets=list(config.webhook_secrets))
        except SignatureError as error:
            logger.warning("intake refused: %s", error)
            return _error(401, str(error))
        try:
            data = json.loads(body)
        except (ValueError, RecursionError) as error:
            # ValueError covers bad UTF-8, bad JSON and integers past Python's digit limit;
            # RecursionError, nesting deeper than the parser's stack.
            return _error(422, f"incident payload: not valid JSON ({error.__class__.__name__})",
                          field="payload")
        try:
            incident = payload.parse(data)
            incident_id, state, created, run_id = await anyio.to_thread.run_sync(
                _open_incident, incident)
        except InputError as error:
            return _error(422, str(error), field=error.field)
        reply: dict[str, Any] = {"incident_id": incident_id, "external_id": incident.external_id}
        if not created:
            logger.info("intake: incident %s exists; nothing started", incident_id)
            return JSONResponse({**reply, "created": False, "status": state,
                                 "flow_run_id": run_id}, status_code=200)
        result = await launch.start_response(incident_id=incident_id,
                                             external_id=incident.external_id)
        await anyio.to_thread.run_sync(_record_launch, incident_id, result)
        logger.info("intake: incident %s opened, flow run %s (%s) in %.0f ms", incident_id,
                    result.flow_run_id, result.runner, (time.perf_counter() - started) * 1000)
        return JSONResponse({**reply, "created": True, "flow_run_id": result.flow_run_id,
                             "deployment": launch.RESPOND, "runner": result.runner,
                             "message": result.message, "received_at": utcnow().isoformat()},
                            status_code=202)

    @app.get("/v1/incidents/{incident_id}", responses={
        401: {"description": "missing or wrong bearer token"}, 404: {"description": "unknown"}})
    async def incident_status(incident_id: str, request: Request) -> JSONResponse:
        """The incident's `status --json` document (id or external_id)."""
        import hmac

        config: intake_settings.IntakeSettings = request.app.state.settings
        if not config.api_token:
            return _error(503, f"status disabled: {intake_settings.API_TOKEN_ENV} is not set")
        scheme, _, token = request.headers.get("authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not hmac.compare_digest(token.encode(),
                                                                 config.api_token.encode()):
            return _error(401, "missing or wrong bearer token", bearer=True)
        try:
            document = await anyio.to_thread.run_sync(_status, incident_id)
        except NotFound as error:
            return _error(404, str(error))
        return JSONResponse(document)

    mount_gate_answers(app)
    mount_optional_routes(app)
    return app
