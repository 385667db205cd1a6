"""The documents of `status --json` and `assess --json` (contracts in docs/contracts.md)."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

from sqlmodel import Session, col, select

from incidents import accounting
from incidents.assessment import plan
from incidents.assessment.impact import populations
from incidents.delivery import ledger
from incidents.models import Announcement, Incident, Obligation, RegulatorReport, Step
from incidents.notices import media
from incidents.records import filing
from incidents.sqltypes import utcnow

STAGES = ("triage", "identification", "assessment", "notices", "notification",
          "announcement", "reports", "close")


def _time(value: Any) -> str | None:
    return value.isoformat().replace("+00:00", "Z") if value else None


def obligation_json(o: Obligation) -> dict[str, Any]:
    return {
        "jurisdiction": o.jurisdiction, "audience": o.audience, "required": o.required,
        "count": o.count, "deadline": _time(o.deadline), "deadline_rule": o.deadline_rule,
        "recipient": o.recipient, "citation": o.citation, "reasons": o.reasons,
        "substitute_notice": o.substitute_notice, "needs_review": o.needs_review,
        "verification": o.verification,
    }


def report_json(r: RegulatorReport, o: Obligation | None, *, now: datetime) -> dict[str, Any]:
    return {"id": r.id, "jurisdiction": r.jurisdiction, "recipient": r.recipient,
            "phase": o.phase if o else None, "deadline": _time(o.deadline) if o else None,
            "state": filing.report_state(r, o, now=now), "to_complete": r.to_complete,
            "files": r.files, "approved_at": _time(r.approved_at),
            "filed_at": _time(r.filed_at), "filing_reference": r.filing_reference}


def affected_json(session: Session, incident: Incident) -> dict[str, Any]:
    buckets, totals = populations(session, incident)
    return {"subjects": totals["subjects"], "records": totals["records"],
            "minors": totals["minors"], "unreachable": totals["unreachable"],
            "by_jurisdiction": {code: b.subjects for code, b in sorted(buckets.items())}}


def assessment_document(session: Session, incident: Incident) -> dict[str, Any]:
    obligations = session.exec(select(Obligation).where(Obligation.incident_id == incident.id)
                               .order_by(col(Obligation.jurisdiction), col(Obligation.id))).all()
    return {
        "incident": {"external_id": incident.external_id, "aware_at": _time(incident.aware_at),
                     "severity": incident.severity, "is_breach": incident.is_breach,
                     "risk_level": incident.risk_level},
        "affected": affected_json(session, incident),
        "obligations": [obligation_json(o) for o in obligations],
        "plan": plan.build(session, incident).to_json(),
    }


def status_document(session: Session, incident: Incident) -> dict[str, Any]:
    steps = {s.name: s for s in session.exec(select(Step).where(Step.incident_id == incident.id))}
    ordered = [n for n in STAGES if n in steps] + sorted(set(steps) - set(STAGES))
    now = utcnow()
    return {
        "incident": {"id": incident.id, "external_id": incident.external_id,
                     "title": incident.title, "status": incident.status,
                     "severity": incident.severity, "is_breach": incident.is_breach,
                     "aware_at": _time(incident.aware_at), "closed_at": _time(incident.closed_at)},
        "steps": [{"name": name, "state": steps[name].state, "attempts": steps[name].attempts,
                   "started": _time(steps[name].started_at),
                   "finished": _time(steps[name].finished_at), "outcome": steps[name].outcome,
                   "error": steps[name].error} for name in ordered],
        "deliveries": ledger.counts(session, incident.id),
        "accounting": accounting.account(session, incident.id),
        "data_quality": incident.quality,
        "obligations": [obligation_json(o) for o in session.exec(
            select(Obligation).where(Obligation.incident_id == incident.id)
            .order_by(col(Obligation.jurisdiction), col(Obligation.id)))],
        "announcements": [{"locale": a.locale, "destination": a.destination,
                           "location": a.location, "people": a.people,
                           "posted_at": _time(a.posted_at)} for a in session.exec(
            select(Announcement).where(Announcement.incident_id == incident.id))],
        "reports": [report_json(r, o, now=now) for r, o in filing.reports_of(session, incident.id)],
        "media": media.state(session, incident, out_dir=Path(incident.settings.out)
                             if incident.settings.out else None),
    }
