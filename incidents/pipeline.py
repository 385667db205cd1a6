"""The stage functions the flow runs: each takes the incident id, reads and writes the
database, and returns counts only (what Prefect sees and stores)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from incidents import accounting, audit, db, service
from incidents.assessment import impact
from incidents.exceptions import Unaccounted
from incidents.identification import matching
from incidents.notices import activation, announcement, generation, media, reports
from incidents.sqltypes import utcnow
from incidents.triage import stage as triage


def out_dir(incident_id: str) -> Path:
    with db.session() as s:
        out = service.get_incident(session=s, incident_id=incident_id).settings.out
    if out is None:
        raise KeyError("out")  # every way of opening an incident sets it
    return Path(out)


def triage_stage(incident_id: str) -> dict[str, Any]:
    return triage.decide(incident_id)


def identification_stage(incident_id: str) -> dict[str, Any]:
    return matching.identify(incident_id, out_dir=out_dir(incident_id))


def assessment_stage(incident_id: str) -> dict[str, Any]:
    return impact.assess(incident_id)


def notices_stage(incident_id: str) -> dict[str, Any]:
    done = generation.generate(incident_id, out_dir=out_dir(incident_id))
    # Before the approval gate: no notice is approved (or sent) without a code for everyone.
    return done | activation.allocate(incident_id)


def announcement_stage(incident_id: str) -> dict[str, Any]:
    # Substitute notice is the page and, where a law asks for it, the media notice.
    out = out_dir(incident_id)
    return announcement.publish(incident_id, out_dir=out) | media.prepare(incident_id, out_dir=out)


def reports_stage(incident_id: str) -> dict[str, Any]:
    """The initial and preliminary reports: drafted right after assessment."""
    return reports.generate(incident_id, out_dir=out_dir(incident_id), early=True)


def later_reports_stage(incident_id: str) -> dict[str, Any]:
    """The final and supplementary reports: drafted once delivery ended, with its counts."""
    return reports.generate(incident_id, out_dir=out_dir(incident_id), early=False)


def close_stage(incident_id: str) -> dict[str, Any]:
    with db.session() as s:
        incident = service.get_incident(session=s, incident_id=incident_id)
        if incident.is_breach:
            document = accounting.account(s, incident.id)
            if accounting.unaccounted(document):
                raise Unaccounted(accounting.refusal(document, incident_ref=incident.external_id))
            # Substitute notice is not given until its media part is (Cal. Civ. Code
            # § 1798.82(j)(3)(C), N.Y. Gen. Bus. Law § 899-aa(5)(d), Tex. Bus. & Com. Code
            # § 521.053(f)); HIPAA's media notice likewise (45 CFR 164.406).
            open_media = media.refusal(s, incident)
            if open_media:
                raise Unaccounted(open_media)
        incident.status = "closed" if incident.is_breach else "not_a_breach"
        incident.closed_at = utcnow()
        audit.record(s, incident_id=incident.id, actor="breachflow", action="incident.closed",
                     detail={"status": incident.status})
        return {"status": incident.status}
