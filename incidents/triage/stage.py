"""The triage stage: score the incident, propose the alerts that may belong to it, page the
responders for a severe breach; and, after the triage gate, where the flow goes."""

from __future__ import annotations

from typing import Any

from incidents import audit, db, service
from incidents.alerts import paging
from incidents.assessment import scoring
from incidents.triage import correlation


def decide(incident_id: str, *, page: bool = True) -> dict[str, Any]:
    """The triage stage: the decision, its reasons, and the alerts proposed for merging."""
    with db.session() as s:
        incident = service.get_incident(session=s, incident_id=incident_id)
        result = scoring.assess(incident)
        scoring.apply(s, incident, result, actor="breachflow", action="triage.decided")
        candidates = correlation.candidates(s, incident)
        if candidates:
            audit.record(s, incident_id=incident.id, actor="breachflow",
                         action="correlation.proposed",
                         detail={"window_hours": correlation.window().total_seconds() / 3600,
                                 "candidates": [c.to_json() for c in candidates]})
    if page:
        paging.page_if_severe(incident_id)
    return {"is_breach": result.is_breach, "severity": result.severity,
            "merge_candidates": [c.incident_id for c in candidates]}


def route(incident_id: str) -> str:
    """Where the flow goes after the triage gate: breach | not_a_breach | merged."""
    with db.session() as s:
        incident = service.get_incident(session=s, incident_id=incident_id)
        if incident.merged_into:
            return "merged"
        return "breach" if incident.is_breach else "not_a_breach"
