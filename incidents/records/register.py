"""The breach register (GDPR Art. 33(5)): every incident, notified or not, with its decision.

"The controller shall document any personal data breaches, comprising the facts relating to the
personal data breach, its effects and the remedial action taken." An incident closed as not a
personal-data breach is listed too, with its rationale; incidents merged into another are listed
as alerts of the incident that absorbed them (one breach, one entry). Counts, dates and
decisions only: no personal data."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from typing import Any

from sqlalchemy import func
from sqlmodel import Session, col, select

from incidents.models import (
    AffectedSubject,
    Announcement,
    Delivery,
    Incident,
    Obligation,
    RegulatorReport,
    Step,
)
from incidents.records import provenance
from incidents.sqltypes import iso_z, utcnow
from incidents.triage import correlation

NOTIFIED_STATES = ("accepted", "delivered")
REPORTED_AUDIENCES = ("regulator", "credit_agencies")


def deadline_state(deadline: datetime | None, done_at: datetime | None, now: datetime) -> str:
    if deadline is None:
        return "done" if done_at else "no fixed deadline"
    if done_at is not None:
        return "met" if done_at <= deadline else "missed"
    return "missed" if now > deadline else "open"


def _done_at(o: Obligation, *, notified: datetime | None, announced: datetime | None,
             filed: dict[int, datetime]) -> datetime | None:
    if o.fulfilled_at is not None:
        return o.fulfilled_at
    if o.audience == "individuals":
        return notified
    if o.audience == "public":
        return announced
    if o.audience in REPORTED_AUDIENCES and o.id is not None:
        return filed.get(o.id)
    return None


def _decision(incident: Incident, steps: dict[str, Step], obligations: list[Obligation],
              notified: int) -> tuple[str, list[str]]:
    if incident.is_breach is None:
        return "triage pending", []
    if not incident.is_breach:
        who = f" (decided by {incident.decided_by})" if incident.decided_by else ""
        return "not a personal-data breach", [f"{incident.decision_reason or 'no reason recorded'}{who}"]
    if not obligations:
        return "assessment pending", []
    required = sum(1 for o in obligations if o.required)
    if not required:
        return "notification not required", []
    done = steps.get("notification")
    if done is not None and done.state == "done":
        return "notified", [f"{notified:,} people notified"]
    return "notifying", [f"{notified:,} people notified so far"]


def entry(session: Session, incident: Incident, *, now: datetime) -> dict[str, Any]:
    steps = {s.name: s for s in session.exec(select(Step).where(Step.incident_id == incident.id))}
    obligations = list(session.exec(select(Obligation).where(Obligation.incident_id == incident.id)
                                    .order_by(col(Obligation.jurisdiction), col(Obligation.id))))
    subjects, unreachable = session.exec(
        select(func.count(), func.coalesce(func.sum(col(AffectedSubject.unreachable)), 0))
        .where(AffectedSubject.incident_id == incident.id)).one()
    notified = session.exec(select(func.count(func.distinct(Delivery.subject_pk))).where(
        Delivery.incident_id == incident.id, col(Delivery.state).in_(NOTIFIED_STATES))).one()
    filed = {oid: at for oid, at in session.exec(select(RegulatorReport.obligation_id,
                                                        RegulatorReport.filed_at).where(
        RegulatorReport.incident_id == incident.id, col(RegulatorReport.filed_at).is_not(None)))
        if at is not None}
    announced = session.exec(select(func.min(Announcement.posted_at)).where(
        Announcement.incident_id == incident.id)).one()
    step = steps.get("notification")
    notified_at = step.finished_at if step is not None and step.state == "done" else None
    required = [o for o in obligations if o.required]
    decision, why = _decision(incident, steps, obligations, notified)
    if decision == "notification not required":
        why = sorted({o.reasons[0] for o in obligations if o.reasons})[:20]
    rows = []
    tally: dict[str, int] = defaultdict(int)
    for o in required:
        done_at = _done_at(o, notified=notified_at, announced=announced, filed=filed)
        state = deadline_state(o.deadline, done_at, now)
        tally[state] += 1
        rows.append({"jurisdiction": o.jurisdiction, "audience": o.audience, "phase": o.phase,
                     "deadline": iso_z(o.deadline), "deadline_rule": o.deadline_rule,
                     "done_at": iso_z(done_at), "state": state})
    return {
        "id": incident.id, "external_id": incident.external_id, "title": incident.title,
        "status": incident.status, "is_breach": incident.is_breach, "severity": incident.severity,
        "decision": decision, "why": why, **provenance.document(incident), "decided_by": incident.decided_by,
        "severity_override": ({"severity": incident.severity_override,
                               "by": incident.severity_override_by,
                               "reason": incident.severity_override_reason}
                              if incident.severity_override else None),
        "dates": {"detected_at": iso_z(incident.detected_at), "aware_at": iso_z(incident.aware_at),
                  "aware_at_source": incident.aware_at_source,
                  "determined_at": iso_z(incident.determined_at),
                  "opened_at": iso_z(incident.created_at), "closed_at": iso_z(incident.closed_at)},
        "alerts": [{"external_id": a.external_id, "link": a.link, "received_at": iso_z(a.received_at)}
                   for a in correlation.alerts(session, incident)],
        "counts": {"subjects": int(subjects), "notified": int(notified),
                   "unreachable": int(unreachable), "obligations_required": len(required)},
        "deadlines": {state: tally.get(state, 0)
                      for state in ("met", "missed", "open", "done", "no fixed deadline")},
        "obligations": rows,
    }


def document(session: Session, *, now: datetime | None = None) -> dict[str, Any]:
    """The whole register, oldest incident first."""
    now = now or utcnow()
    incidents = session.exec(select(Incident).where(col(Incident.merged_into).is_(None))
                             .order_by(col(Incident.created_at), col(Incident.id))).all()
    return {"generated_at": iso_z(now),
            "basis": "GDPR Art. 33(5): every personal data breach is documented, notified or not",
            "incidents": [entry(session, incident, now=now) for incident in incidents]}


def empty(*, now: datetime | None = None) -> dict[str, Any]:
    """The register where no database exists yet (nothing recorded; none is created)."""
    return {"generated_at": iso_z(now or utcnow()),
            "basis": "GDPR Art. 33(5): every personal data breach is documented, notified or not",
            "incidents": []}


def text(register: dict[str, Any]) -> str:
    """The register as a table for a terminal."""
    lines = [f"Breach register ({register['generated_at']}): {len(register['incidents'])} incidents"]
    for item in register["incidents"]:
        d, c = item["deadlines"], item["counts"]
        tags = "".join(f" [{tag}]" for tag, on in (("SANDBOX", item["sandbox"]),
                                                    ("EXAMPLE ORG", item["example_org"])) if on)
        sent = " (to the sandbox: nobody was really told)" if item["sandbox"] else ""
        lines.append(
            f"{item['external_id']:<24} {item['severity'] or '-':<3} {item['decision']:<28} "
            f"aware {item['dates']['aware_at']}  people {c['subjects']:,}, notified {c['notified']:,}{sent}; "
            f"deadlines met {d['met']}, missed {d['missed']}, open {d['open']}{tags}")
        for reason in item["why"][:3]:
            lines.append(f"    why: {reason}")
        if len(item["alerts"]) > 1:
            lines.append("    alerts: " + ", ".join(f"{a['external_id']} ({a['link']})"
                                                   for a in item["alerts"]))
    return "\n".join(lines)
