"""Incident service functions: keyword-only, taking ids, used by the CLI, the flow and the API."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, func, or_, select

from incidents import audit
from incidents.exceptions import NotFound
from incidents.models import Incident, IncidentCreate
from incidents.names import id_hash, safe_name
from regulators import IncidentFacts


def get_incident(*, session: Session, incident_id: str) -> Incident:
    """The incident with this id or external_id."""
    found = session.exec(
        select(Incident).where(or_(Incident.id == incident_id, Incident.external_id == incident_id))
    ).first()
    if found is None:
        raise NotFound(f"no incident with id or external_id {incident_id!r}")
    return found


def find_incident(*, session: Session, external_id: str) -> Incident | None:
    return session.exec(select(Incident).where(Incident.external_id == external_id)).first()


def _own_folder(session: Session, incident: Incident) -> None:
    """An output folder named after the id is renamed with the id's hash when another
    incident's id differs from this one in letter case only: the two would share one folder
    on a case-insensitive file system (macOS, Windows)."""
    out, external_id = incident.settings.out, incident.external_id
    if not out or Path(out).name != external_id or safe_name(external_id) != external_id:
        return
    clash = session.exec(select(Incident.id).where(
        func.lower(Incident.external_id) == external_id.lower(),
        Incident.external_id != external_id)).first()
    if clash is not None:
        incident.settings = incident.settings.model_copy(update={
            "out": str(Path(out).with_name(f"{external_id}~{id_hash(external_id)}"))})


def create_incident(*, session: Session, incident_in: IncidentCreate,
                    actor: str) -> tuple[Incident, bool]:
    """The incident for this payload and whether it was created now (False: it already existed)."""
    existing = find_incident(session=session, external_id=incident_in.external_id)
    if existing is not None:
        return existing, False
    incident = Incident.model_validate(incident_in)
    _own_folder(session, incident)
    session.add(incident)
    try:
        session.flush()
    except IntegrityError:
        # Another intake created the same external_id between our read and our write.
        session.rollback()
        again = find_incident(session=session, external_id=incident_in.external_id)
        if again is None:
            raise
        return again, False
    audit.record(session, incident_id=incident.id, actor=actor, action="incident.created",
                 detail={"external_id": incident.external_id, "aware_at": incident.aware_at.isoformat(),
                         "aware_at_source": incident.aware_at_source})
    return incident, True


def incident_facts(incident: Incident) -> IncidentFacts:
    """What the law engine needs to know of an incident (no personal data)."""
    return IncidentFacts(
        external_id=incident.external_id, detected_at=incident.detected_at,
        aware_at=incident.aware_at, determined_at=incident.determined_at,
        occurred_from=incident.occurred_from, occurred_to=incident.occurred_to,
        breach_types=frozenset(incident.breach_types), cause=incident.cause,
        data_categories=frozenset(incident.data_categories), encrypted=incident.encrypted,
        key_compromised=incident.key_compromised, contained=incident.contained,
        law_enforcement_delay=incident.law_enforcement_delay,
        records_of_care=incident.records_of_care,
    )
