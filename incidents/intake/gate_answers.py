"""`POST /v1/incidents/{id}/gates/{gate}`: a responder answers a gate as themselves.

The request is authenticated (incidents/responders.py: a responder's bearer token, or the
identity header of an authenticating proxy); the answer is validated with the gate's own
form, attested in the audit trail, and handed to the waiting flow run with the attestation's
nonce. 202: the run was resumed; 401 no identity; 404 unknown incident or gate; 409 the
gate is not waiting; 413 body over 64 KiB; 422 an answer the form refuses; 503 no
responders configured."""

from __future__ import annotations

import json
import logging
from typing import Any

import anyio
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from sqlmodel import col, select

from incidents import db, responders, service
from incidents.exceptions import BodyTooLarge, NotFound
from incidents.intake.bodies import read_body
from incidents.models import AuditEvent

logger = logging.getLogger("breachflow.intake")
GATES = ("triage", "notices", "filing")
MAX_ANSWER_BYTES = 64 * 1024


def _error(code: int, message: str, **extra: Any) -> JSONResponse:
    return JSONResponse({"error": message, **extra}, status_code=code)


def _waiting_run(incident_id: str, gate: str) -> tuple[str, str | None]:
    """(incident id, flow run id the gate last asked in, or None)."""
    with db.session() as s:
        incident = service.get_incident(session=s, incident_id=incident_id)
        details = s.exec(select(AuditEvent.detail).where(
            AuditEvent.incident_id == incident.id, AuditEvent.action == "gate.asked")
            .order_by(col(AuditEvent.id).desc())).all()
    run = next((d.get("flow_run_id") for d in details if d.get("gate") == gate), None)
    return incident.id, str(run) if run else None


def mount_gate_answers(app: FastAPI) -> None:
    @app.post("/v1/incidents/{incident_id}/gates/{gate}", status_code=202, responses={
        401: {"description": "no authenticated responder"}, 404: {"description": "unknown"},
        409: {"description": "the gate is not waiting"}, 413: {"description": "over 64 KiB"},
        422: {"description": "the form refuses the answer"},
        503: {"description": "no responders configured"}})
    async def answer_gate(incident_id: str, gate: str, request: Request) -> JSONResponse:
        """Answer a waiting gate (triage, notices, filing) as an authenticated responder."""
        if not responders.configured():
            return _error(503, f"gate answers need {responders.RESPONDERS_ENV} or "
                               f"{responders.IDENTITY_HEADER_ENV}")
        who = responders.identify(dict(request.headers))
        if who is None:
            return _error(401, "no authenticated responder")
        if gate not in GATES:
            return _error(404, f"unknown gate {gate!r}; one of {', '.join(GATES)}")
        try:
            raw = await read_body(request, MAX_ANSWER_BYTES)
            posted = json.loads(raw)
        except BodyTooLarge:
            return _error(413, f"body over {MAX_ANSWER_BYTES} bytes")
        except (ValueError, RecursionError):
            return _error(422, "the answer is not valid JSON", field="answer")
        if not isinstance(posted, dict) or "attestation" in posted:
            return _error(422, "the answer must be a JSON object of the gate's form fields",
                          field="answer")
        try:
            found_id, run_id = await anyio.to_thread.run_sync(_waiting_run, incident_id, gate)
        except NotFound as error:
            return _error(404, str(error))
        if run_id is None:
            return _error(409, f"gate {gate!r} of this incident has not been asked")
        from pydantic import ValidationError

        from flows.gates import answer_json

        try:
            answer = await anyio.to_thread.run_sync(answer_json, found_id, gate, posted)
        except ValidationError as error:
            first = error.errors()[0]
            field = ".".join(str(p) for p in first["loc"]) or "answer"
            return _error(422, f"field {field!r}: {first['msg']}", field=field)
        identity, method = who
        nonce = await anyio.to_thread.run_sync(lambda: responders.attest(
            incident_id=found_id, gate=gate, answer=answer, identity=identity, method=method))
        from uuid import UUID

        from prefect.flow_runs import aresume_flow_run

        try:
            await aresume_flow_run(UUID(run_id), run_input={**answer, "attestation": nonce})
        except Exception as error:
            logger.warning("gate %s of %s: the run could not be resumed (%s)", gate, found_id,
                           type(error).__name__)
            return _error(409, f"gate {gate!r} is not waiting for an answer "
                               f"({type(error).__name__})")
        logger.info("gate %s of incident %s answered by an authenticated responder (%s)",
                    gate, found_id, method)
        return JSONResponse({"incident_id": found_id, "gate": gate, "identity": identity,
                             "authenticated_by": method, "flow_run_id": run_id},
                            status_code=202)
