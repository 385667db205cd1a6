"""The hash-chained audit trail: each event's hash covers its content and the previous hash."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from sqlmodel import Session, col, select

from incidents.models import AuditEvent
from incidents.sqltypes import utcnow

GENESIS = "0" * 64


def _digest(event: AuditEvent) -> str:
    body = json.dumps(
        [event.incident_id, event.at.isoformat(), event.actor, event.action, event.detail,
         event.prev_hash],
        sort_keys=True, separators=(",", ":"), default=str,
    )
    return hashlib.sha256(body.encode()).hexdigest()


def record(session: Session, *, incident_id: str, actor: str, action: str,
           detail: dict[str, Any] | None = None) -> AuditEvent:
    """Append an event; `detail` holds decisions and counts, never personal data."""
    last = session.exec(
        select(AuditEvent.hash).where(AuditEvent.incident_id == incident_id)
        .order_by(col(AuditEvent.id).desc()).limit(1)
    ).first()
    event = AuditEvent(incident_id=incident_id, at=utcnow(), actor=actor, action=action,
                       detail=detail or {}, prev_hash=last or GENESIS, hash="")
    event.hash = _digest(event)
    session.add(event)
    session.flush()
    return event


def verify(session: Session, *, incident_id: str) -> list[str]:
    """Problems found in the chain; empty when every event is intact and none is missing."""
    problems: list[str] = []
    expected_prev = GENESIS
    events = session.exec(
        select(AuditEvent).where(AuditEvent.incident_id == incident_id).order_by(col(AuditEvent.id))
    ).all()
    for event in events:
        if event.prev_hash != expected_prev:
            problems.append(f"event {event.id} ({event.action}): chain broken before it")
        if _digest(event) != event.hash:
            problems.append(f"event {event.id} ({event.action}): content was altered")
        expected_prev = event.hash
    return problems
