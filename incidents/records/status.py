"""The documents of `status --json` and `assess --json` (contracts in docs/contracts.md)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlmodel import Session, col, select

from incidents import accounting, holds
from incidents.alerts import deadline_watch
from incidents.assessment import plan
from incidents.assessment.impact import populations
from incidents.delivery import ledger
from incidents.models import Announcement, AuditEvent, Incident, Obligation, RegulatorReport, Step
from incidents.notices import media, translation
from incidents.records import filing, provenance
from incidents.sqltypes import iso_z, utcnow

GATES = ("triage", "notices", "filing")

STAGES = ("triage", "identification", "assessment", "notices", "notification",
          "announcement", "reports", "close")
# Steps as the flow passes them, each gate after the stage whose result it approves; after the
# assessment the regulator track (reports, their filing gate) first, then the individual track.
FLOW_ORDER = ("triage", "gate:triage", "identification", "assessment", "reports", "gate:filing",
              "notices", "gate:notices", "notification", "announcement", "reports:later",
              "gate:filing-later", "close")


def obligation_json(o: Obligation) -> dict[str, Any]:
    return {
        "jurisdiction": o.jurisdiction, "audience": o.audience, "required": o.required,
        "count": o.count, "deadline": iso_z(o.deadline), "deadline_rule": o.deadline_rule,
        "recipient": o.recipient, "citation": o.citation, "reasons": o.reasons,
        "substitute_notice": o.substitute_notice, "needs_review": o.needs_review,
        "verification": o.verification, "phase": o.phase,
    }


def report_json(r: RegulatorReport, o: Obligation | None, *, now: datetime) -> dict[str, Any]:
    return {"id": r.id, "jurisdiction": r.jurisdiction, "recipient": r.recipient,
            "phase": o.phase if o else None, "deadline": iso_z(o.deadline) if o else None,
            "state": filing.report_state(r, o, now=now), "to_complete": r.to_complete,
            "files": r.files, "approved_at": iso_z(r.approved_at),
            "filed_at": iso_z(r.filed_at), "filing_reference": r.filing_reference}


def affected_json(session: Session, incident: Incident) -> dict[str, Any]:
    buckets, totals = populations(session, incident)
    return {"subjects": totals["subjects"], "records": totals["records"],
            "minors": totals["minors"], "unreachable": totals["unreachable"],
            "by_jurisdiction": {code: b.subjects for code, b in sorted(buckets.items())}}


def assessment_document(session: Session, incident: Incident) -> dict[str, Any]:
    obligations = session.exec(select(Obligation).where(Obligation.incident_id == incident.id)
                               .order_by(col(Obligation.jurisdiction), col(Obligation.id))).all()
    return {
        "incident": {"external_id": incident.external_id, "aware_at": iso_z(incident.aware_at),
                     "severity": incident.severity, "is_breach": incident.is_breach,
                     "risk_level": incident.risk_level},
        "affected": affected_json(session, incident),
        "obligations": [obligation_json(o) for o in obligations],
        "plan": plan.build(session, incident).to_json(),
        "data_quality": incident.quality,
    }


def _progress(session: Session, incident: Incident, o: Obligation, *,
              now: datetime) -> dict[str, bool]:
    """Met (as the deadline watch counts it), and overdue: required, unmet, past its deadline,
    while the incident is open (a closed incident's watch has ended)."""
    met = deadline_watch.fulfilled(session, incident, o)
    deadline = o.deadline.replace(tzinfo=UTC) if o.deadline and o.deadline.tzinfo is None else o.deadline
    return {"fulfilled": met, "overdue": bool(o.required and not met and incident.status == "open"
                                              and deadline is not None and deadline < now)}


def quality_file(incident: Incident) -> str | None:
    """Where identification wrote the row numbers and ids behind the data-quality counts."""
    found = Path(incident.settings.out) / "data-quality.json" if incident.settings.out else None
    return str(found) if found is not None and found.is_file() else None


def waiting_gate(session: Session, incident_id: str, steps: dict[str, Step]) -> str | None:
    """The gate a run last asked and nobody has answered (its step not done, no decision
    recorded after the question); None when no gate waits."""
    events = session.exec(select(AuditEvent.id, AuditEvent.action, AuditEvent.detail).where(
        AuditEvent.incident_id == incident_id,
        col(AuditEvent.action).in_(["gate.asked", *(f"gate.{g}" for g in GATES)]))
        .order_by(col(AuditEvent.id))).all()
    asked: dict[str, int] = {}
    answered: dict[str, int] = {}
    for event_id, action, detail in events:
        if action == "gate.asked":
            asked[str(detail.get("gate"))] = int(event_id or 0)
        else:
            answered[action.removeprefix("gate.")] = int(event_id or 0)
    done = {name.removeprefix("gate:") for name, step in steps.items()
            if name.startswith("gate:") and step.state == "done"}
    waiting = [(at, gate) for gate, at in asked.items()
               if at > answered.get(gate, 0) and gate not in done]
    return max(waiting)[1] if waiting else None


def status_document(session: Session, incident: Incident) -> dict[str, Any]:
    steps = {s.name: s for s in session.exec(select(Step).where(Step.incident_id == incident.id))}
    ordered = [n for n in FLOW_ORDER if n in steps] + sorted(set(steps) - set(FLOW_ORDER))
    now = utcnow()
    return {
        "incident": {"id": incident.id, "external_id": incident.external_id,
                     "title": incident.title, "status": incident.status,
                     "severity": incident.severity, "is_breach": incident.is_breach,
                     "aware_at": iso_z(incident.aware_at), "closed_at": iso_z(incident.closed_at),
                     **provenance.document(incident), "provenance": provenance.lines(incident),
                     "sending": incident.sending,
                     "waiting_at_gate": waiting_gate(session, incident.id, steps)
                     if incident.status != "closed" else None},
        "steps": [{"name": name, "state": steps[name].state, "attempts": steps[name].attempts,
                   "started": iso_z(steps[name].started_at),
                   "finished": iso_z(steps[name].finished_at), "outcome": steps[name].outcome,
                   "error": steps[name].error} for name in ordered],
        "deliveries": ledger.counts(session, incident.id),
        "accounting": accounting.account(session, incident.id),
        "data_quality": incident.quality,
        # locale -> free-text fields its notices quote in the original language only
        "needs_translation": translation.needs_translation(session, incident),
        "data_quality_file": quality_file(incident),
        "obligations": [{**obligation_json(o), **_progress(session, incident, o, now=now)}
                        for o in session.exec(
            select(Obligation).where(Obligation.incident_id == incident.id)
            .order_by(col(Obligation.jurisdiction), col(Obligation.id)))],
        "announcements": [{"locale": a.locale, "destination": a.destination,
                           "location": a.location, "people": a.people,
                           "posted_at": iso_z(a.posted_at)} for a in session.exec(
            select(Announcement).where(Announcement.incident_id == incident.id))],
        "reports": [report_json(r, o, now=now) for r, o in filing.reports_of(session, incident.id)],
        "holds": [{"id": h.id, "agency": h.agency, "jurisdictions": h.jurisdictions,
                   "starts_at": iso_z(h.starts_at), "until": iso_z(h.until),
                   "released_at": iso_z(h.released_at), "active": holds.active(h, now),
                   "reason": h.reason} for h in holds.holds_of(session, incident.id)],
        # Why some jurisdictions' individual notices wait now (a hold, a report to file first).
        "waiting": {code: w.reason for code, w in holds.waiting(session, incident.id, now=now).items()},
        "media": media.state(session, incident, out_dir=Path(incident.settings.out)
                             if incident.settings.out else None),
    }
