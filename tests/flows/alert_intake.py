"""An incident opened by a security tool's alert, as the signed webhook would record it."""

from __future__ import annotations

from incidents import db, org, payload
from incidents.triage import correlation


def incident_from_alert(external_id: str) -> str:
    alert = {"external_id": external_id, "title": "Exposed bucket",
             "detected_at": "2026-11-20T08:00:00Z", "aware_at": "2026-11-20T09:00:00Z",
             "data_categories": ["email"], "breach_types": ["confidentiality"]}
    with db.session() as s:
        incident, _, _ = correlation.intake_alert(session=s, payload=payload.parse(alert),
                                                  sources=None, settings=None,
                                                  org=org.load(None), actor="siem")
        return incident.id
