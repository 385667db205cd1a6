"""Retention: after the retention period a closed incident's contact data is removed, while the
counts, decisions and the audit trail stay, as the privacy policy promises (§IV(III), §V(III))."""

from __future__ import annotations

import hashlib
import os
from datetime import timedelta
from typing import Any

from sqlalchemy import update
from sqlmodel import col, select

from incidents import audit, db, service
from incidents.exceptions import InputError
from incidents.models import AffectedSubject, Incident
from incidents.sqltypes import utcnow

CLOSED = ("closed", "not_a_breach")
DEFAULT_RETENTION_DAYS = 365
CONTACT_FIELDS = ("full_name", "email", "phone", "push_target", "birth_date", "guardian_email",
                  "guardian_phone", "postal_address")


def retention() -> timedelta:
    return timedelta(days=int(os.environ.get("BREACHFLOW_RETENTION_DAYS", DEFAULT_RETENTION_DAYS)))


def purge(*, incident_id: str, actor: str) -> dict[str, Any]:
    """Remove one closed incident's contact data; returns counts only."""
    with db.session() as s:
        incident = service.get_incident(session=s, incident_id=incident_id)
        if incident.status not in CLOSED:
            raise InputError(f"incident {incident.external_id!r} is {incident.status}: "
                             "only a closed incident can be purged", field="INCIDENT_ID")
        if incident.purged_at is not None:
            return {"people": 0, "already_purged": True}
        people = list(s.exec(select(AffectedSubject.id, AffectedSubject.subject_id).where(
            AffectedSubject.incident_id == incident.id)))
        for pk, subject_id in people:
            # The directory key is pseudonymous, but it still leads back to the person: hash it.
            alias = hashlib.sha256(f"{incident.id}:{subject_id}".encode()).hexdigest()[:24]
            s.execute(update(AffectedSubject).where(col(AffectedSubject.id) == pk).values(
                subject_id=f"purged-{alias}", **dict.fromkeys(CONTACT_FIELDS)))
        incident.purged_at = utcnow()
        audit.record(s, incident_id=incident.id, actor=actor, action="retention.purged",
                     detail={"people": len(people), "fields": list(CONTACT_FIELDS)})
        return {"people": len(people), "already_purged": False}


def expired() -> list[str]:
    """Closed incidents past the retention period whose contact data is still there."""
    cutoff = utcnow() - retention()
    with db.session() as s:
        return list(s.exec(select(Incident.id).where(
            col(Incident.status).in_(CLOSED), col(Incident.purged_at).is_(None),
            col(Incident.closed_at) <= cutoff)))
