"""How a responder finds an incident's run in the Prefect UI: named `<external_id> — <title>`
(the ticket id they know, searchable in the runs list), tagged with the external id, the
severity in force (the responder's override, once given), the jurisdictions and
`incident:<id>`. Names and tags come from the safe name of the external id and the title,
never from a person's data."""

from __future__ import annotations

import logging
import re

from prefect.runtime import flow_run
from sqlmodel import select

from incidents import db, names, service
from incidents.models import Obligation

logger = logging.getLogger("breachflow.flows")
SEVERITIES = ("P1", "P2", "P3", "P4")
TITLE_LENGTH = 80
REGULATOR_TRACK = "regulator-track"
_CONTROL = re.compile(r"[\x00-\x1f\x7f]+")


def incident_tag(incident_id: str) -> str:
    return f"incident:{incident_id}"


def name_for(external_id: str, title: str) -> str:
    clean = " ".join(_CONTROL.sub(" ", title).split())
    if len(clean) > TITLE_LENGTH:
        clean = clean[:TITLE_LENGTH - 1] + "…"
    return f"{names.safe_name(external_id)} — {clean}" if clean else names.safe_name(external_id)


def run_name() -> str:
    """The `flow_run_name` of respond_to_incident (Prefect calls it as the run starts)."""
    incident_id = str(flow_run.parameters.get("incident_id", ""))
    try:
        with db.session() as s:
            incident = service.get_incident(session=s, incident_id=incident_id)
            return name_for(incident.external_id, incident.title)
    except Exception as error:  # a name is not worth failing the run for
        logger.warning("run name of incident %s: %s", incident_id, type(error).__name__)
        return f"incident-{incident_id}"


def tags_for(incident_id: str) -> set[str]:
    with db.session() as s:
        incident = service.get_incident(session=s, incident_id=incident_id)
        places = set(s.exec(select(Obligation.jurisdiction).where(
            Obligation.incident_id == incident.id)).all())
        severity = incident.severity_override or incident.severity
        return {names.safe_name(incident.external_id), incident_tag(incident.id),
                *([severity] if severity else []), *sorted(places)}


def label_run(incident_id: str, *, track: str | None = None) -> None:
    """Bring the current run's tags up to date (the severity tag replaced, not added). A
    track's own run shares the external id, severity and places, so that the ticket id finds it
    beside the main run; `incident:<id>` stays the main run's alone."""
    if not flow_run.id:
        return
    from prefect.client.orchestration import get_client

    try:
        wanted = tags_for(incident_id)
        if track:
            wanted = (wanted - {incident_tag(incident_id)}) | {track}
        with get_client(sync_client=True) as client:
            current = set(client.read_flow_run(flow_run.id).tags or [])
            kept = {t for t in current if t not in SEVERITIES}
            if kept | wanted != current:
                client.update_flow_run(flow_run.id, tags=sorted(kept | wanted))
    except Exception as error:  # tags help finding the run; they never stop it
        logger.warning("tags of incident %s: %s", incident_id, type(error).__name__)
