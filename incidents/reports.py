"""Regulator reports: one per regulator obligation, as HTML, Markdown and JSON."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

from sqlmodel import Session, col, select

from incidents import db, render, service
from incidents.models import AffectedSubject, Delivery, Incident, Obligation, RegulatorReport
from incidents.notices import context


def _counts(s: Session, incident_id: str, jurisdiction: str) -> dict[str, int]:
    counts: Counter[str] = Counter()
    notified = set(s.exec(select(Delivery.subject_pk).where(
        Delivery.incident_id == incident_id, Delivery.recipient_kind == "subject",
        col(Delivery.state).in_(("accepted", "delivered")))))
    query = select(AffectedSubject.id, AffectedSubject.jurisdictions, AffectedSubject.records,
                   AffectedSubject.minor, AffectedSubject.unreachable).where(
        AffectedSubject.incident_id == incident_id)
    for pk, codes, records, minor, unreachable in s.exec(query):
        if jurisdiction in (codes or ["UNKNOWN"]):
            counts.update(people=1, records=records, minors=int(minor),
                          notified=int(pk in notified), announced=int(unreachable))
    return {key: counts[key] for key in ("people", "records", "minors", "notified", "announced")}


def document(incident: Incident, obligation: Obligation, counts: dict[str, int]) -> dict[str, Any]:
    """The machine-readable report; ids and counts, no personal data."""
    return {
        "report": {"jurisdiction": obligation.jurisdiction, "recipient": obligation.recipient,
                   "citation": obligation.citation, "verification": obligation.verification,
                   "needs_review": obligation.needs_review, "deadline_rule": obligation.deadline_rule,
                   "deadline": obligation.deadline.isoformat() if obligation.deadline else None,
                   "required_content": obligation.content},
        "controller": {k: incident.org.get(k) for k in ("name", "postal_address", "dpo_name",
                                                       "dpo_email", "contact_phone")},
        "incident": {"external_id": incident.external_id, "title": incident.title,
                     "detected_at": incident.detected_at.isoformat(),
                     "aware_at": incident.aware_at.isoformat(),
                     "breach_types": incident.breach_types, "cause": incident.cause,
                     "data_categories": incident.data_categories,
                     "contained": incident.contained, "measures_taken": incident.measures_taken,
                     "severity": incident.severity, "risk_level": incident.risk_level},
        "counts": counts,
        "reasons": obligation.reasons,
    }


def generate(incident_id: str, *, out_dir: Path) -> dict[str, Any]:
    """The regulator-report stage; returns counts only."""
    folder = out_dir / "reports"
    folder.mkdir(parents=True, exist_ok=True)
    made = 0
    with db.session() as s:
        incident = service.get_incident(session=s, incident_id=incident_id)
        done = set(s.exec(select(RegulatorReport.obligation_id).where(
            RegulatorReport.incident_id == incident.id)))
        obligations = s.exec(select(Obligation).where(
            Obligation.incident_id == incident.id, Obligation.audience == "regulator",
            col(Obligation.required) | col(Obligation.needs_review))).all()
        for obligation in obligations:
            if obligation.id in done:
                continue
            counts = _counts(s, incident.id, obligation.jurisdiction)
            ctx = context(incident, categories=list(incident.data_categories),
                          citations=[obligation.citation], locale="en", guardian=False,
                          channel="report") | {"obligation": obligation, "counts": counts}
            html = render.render("regulator.report.html.j2", ctx)[1]
            markdown = render.render("regulator.report.md.j2", ctx)[1]
            data = json.dumps(document(incident, obligation, counts), indent=2, ensure_ascii=False)
            stem = folder / f"{obligation.jurisdiction}-{obligation.id}"
            files = []
            for suffix, body in ((".html", html), (".md", markdown), (".json", data)):
                path = Path(f"{stem}{suffix}")
                path.write_text(body, encoding="utf-8")
                files.append(str(path))
            s.add(RegulatorReport(incident_id=incident.id, obligation_id=obligation.id or 0,
                                  jurisdiction=obligation.jurisdiction,
                                  recipient=obligation.recipient, files=files,
                                  content_hash=render.content_hash(html, markdown, data)))
            made += 1
    return {"reports": made + len(done)}
