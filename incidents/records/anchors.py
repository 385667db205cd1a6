"""Anchors of an incident's audit trail outside the database: its length and newest hash,
appended to `audit-anchors.jsonl` in the incident's output folder (the flow also keeps each
one as a Prefect artifact). `breachflow audit verify` checks the trail against them."""

from __future__ import annotations

from pathlib import Path

from incidents import audit, db, service


def anchor_incident(incident_id: str) -> audit.Anchor:
    """Anchor an incident's trail now, in its output folder; returns the anchor."""
    with db.session() as s:
        incident = service.get_incident(session=s, incident_id=incident_id)
        found = audit.anchor(s, incident_id=incident.id)
        out = incident.settings.out
    if out:
        audit.write_anchor(found, out_dir=Path(out))
    return found
