"""Prefect events breachflow emits, for automations and the event feed in the UI:

    breachflow.gate.waiting             a gate asks a responder (payload: gate, key)
    breachflow.obligation.deadline-near an open obligation passed 50/75/90 % of its time, or is
                                        overdue (level 100); payload: jurisdiction, audience,
                                        deadline, level
    breachflow.sending.paused           a run found the incident's sending paused
    breachflow.run.failed / .crashed    a flow run of an incident ended so (flows/hooks.py)

The resource is the incident, `breachflow.incident.<id>` (named by its external_id); inside a
flow run Prefect relates the event to the run, its flow and deployment. Ids, rules and counts
only. Emitting never fails the run: an event lost costs a notification, not the response."""

from __future__ import annotations

import logging
from typing import Any

from incidents import db, service

logger = logging.getLogger("breachflow.events")

GATE_WAITING = "breachflow.gate.waiting"
DEADLINE_NEAR = "breachflow.obligation.deadline-near"
SENDING_PAUSED = "breachflow.sending.paused"
RUN_FAILED = "breachflow.run.failed"
RUN_CRASHED = "breachflow.run.crashed"


def resource(incident_id: str, external_id: str | None = None) -> dict[str, str]:
    if external_id is None:
        try:
            with db.session() as s:
                external_id = service.get_incident(session=s, incident_id=incident_id).external_id
        except Exception:  # the resource keeps its id without a name
            external_id = None
    found = {"prefect.resource.id": f"breachflow.incident.{incident_id}"}
    return {**found, "prefect.resource.name": external_id} if external_id else found


def emit(event: str, *, incident_id: str, payload: dict[str, Any],
         external_id: str | None = None) -> bool:
    """True when Prefect took the event (False without a Prefect API, or on an error)."""
    try:
        from prefect.events import emit_event

        sent = emit_event(event=event, resource=resource(incident_id, external_id), payload=payload)
    except Exception as error:
        logger.warning("event %s of incident %s not emitted (%s)", event, incident_id,
                       type(error).__name__)
        return False
    return sent is not None
