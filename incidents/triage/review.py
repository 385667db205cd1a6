"""The triage gate's answer and how it is applied (the form itself is in flows/gates.py).

A responder confirms or overrides the model: breach yes/no, severity, the awareness time, and
which proposed alerts to merge. Every change needs a reason; every answer lands in the audit
trail with who gave it. The gate precedes identification and assessment, so the deadlines are
computed from the confirmed clock; a later change recomputes them (incidents/assessment/clock.py)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlmodel import Session

from incidents import audit, db, service
from incidents.assessment import clock, scoring
from incidents.exceptions import InputError
from incidents.models import Incident
from incidents.rendering.textify import markdown_escape
from incidents.sqltypes import iso_z
from incidents.triage import correlation


def _references(decision: dict[str, Any]) -> list[str]:
    raw = decision.get("merge") or []
    if isinstance(raw, str):
        raw = raw.replace(",", " ").split()
    return [str(r).strip() for r in raw if str(r).strip()]


def form_defaults(incident_id: str) -> dict[str, Any]:
    """The form opens with the model's answer and the recorded clock: submitting it unchanged
    confirms them."""
    with db.session() as s:
        incident = service.get_incident(session=s, incident_id=incident_id)
        defaults: dict[str, Any] = {"is_breach": bool(incident.is_breach),
                                    "aware_at": incident.aware_at}
        if incident.severity in scoring.SEVERITIES:
            defaults["severity"] = incident.severity
        return defaults


def describe(incident_id: str) -> str:
    """The gate's description in the Prefect UI (Markdown): ids, reasons, clock, merge proposals."""
    with db.session() as s:
        incident = service.get_incident(session=s, incident_id=incident_id)
        linked = correlation.alerts(s, incident)
        proposals = correlation.candidates(s, incident)
        lines = [
            f"**Triage of incident {markdown_escape(incident.external_id)}** (id `{incident.id}`): "
            "the model says "
            f"**{'a' if incident.is_breach else 'not a'} personal-data breach**, severity "
            f"**{incident.severity}**.", "", "Reasons:",
            *[f"- {markdown_escape(reason)}" for reason in incident.triage_reasons], "",
            f"Awareness clock: **{iso_z(incident.aware_at)}** ({incident.aware_at_source}). "
            "Every legal deadline runs from it: change `aware_at` only with a reason.", "",
            "Alerts linked: " + ", ".join(f"{markdown_escape(a.external_id)} ({a.link})"
                                          for a in linked) + ".",
        ]
        if proposals:
            lines += ["", f"Proposed merges (systems overlap within {correlation.window()}):"]
            for c in proposals:
                how = ("put its id in `merge` to fold it into this incident" if c.can_merge_here
                       else "put its id in `merge_into` to fold this incident into it"
                       if c.can_merge_there else "cannot be merged (closed or past triage)")
                lines.append(f"- {markdown_escape(c.external_id)} (`{c.incident_id}`): shares "
                             f"{', '.join(map(markdown_escape, c.shared_systems))}, "
                             f"{c.gap_hours:.1f} h apart; {how}")
        lines += ["", "Override `severity` (P1–P4) or `is_breach` with a `reason`; "
                  "`is_breach` false closes the incident as not a personal-data breach "
                  "(it stays in the breach register)."]
    return "\n".join(lines)


def _problems(session: Session, incident: Incident, decision: dict[str, Any]) -> list[str]:
    reason = str(decision.get("reason") or "").strip()
    problems: list[str] = []
    severity = decision.get("severity") or ""
    if severity and severity not in scoring.SEVERITIES:
        problems.append(f"severity: must be one of {', '.join(scoring.SEVERITIES)}")
    elif severity and severity != incident.severity and not reason:
        problems.append("severity: overriding the model's severity needs a reason")
    is_breach = decision.get("is_breach")
    if is_breach is not None and bool(is_breach) != bool(incident.is_breach) and not reason:
        problems.append("is_breach: overriding the breach decision needs a reason")
    aware_at = decision.get("aware_at")
    if isinstance(aware_at, str):
        try:
            aware_at = datetime.fromisoformat(aware_at.replace("Z", "+00:00"))
        except ValueError:
            problems.append("aware_at: not an ISO 8601 time")
            aware_at = None
    if isinstance(aware_at, datetime):
        why = str(decision.get("aware_at_reason") or "").strip() or reason
        problems += clock.check(incident, aware_at, why)
    merge_into = str(decision.get("merge_into") or "").strip()
    references = _references(decision)
    if (merge_into or references) and not reason:
        problems.append("merge: merging incidents needs a reason")
    if merge_into and references:
        problems.append("merge: give either `merge` or `merge_into`, not both")
    if merge_into:
        problem = correlation.merge_problem(session, incident, correlation.resolve(session, merge_into))
        problems += [problem] if problem else []
    for reference in references:
        problem = correlation.merge_problem(session, correlation.resolve(session, reference), incident)
        problems += [f"{problem} ({reference})"] if problem else []
    return problems


def problems(incident_id: str, decision: dict[str, Any]) -> list[str]:
    """What is wrong with an answer (empty: it can be applied). Writes nothing."""
    with db.session() as s:
        incident = service.get_incident(session=s, incident_id=incident_id)
        return _problems(s, incident, decision)


def _jsonable(decision: dict[str, Any]) -> dict[str, Any]:
    return {k: (iso_z(v) if isinstance(v, datetime) else v) for k, v in decision.items()}


def confirm(incident_id: str, decision: dict[str, Any]) -> dict[str, Any]:
    """Apply the gate's answer in one transaction; returns counts and the route only."""
    approver = str(decision.get("approver") or "").strip() or "unknown"
    reason = str(decision.get("reason") or "").strip()
    with db.session() as s:
        incident = service.get_incident(session=s, incident_id=incident_id)
        found = _problems(s, incident, decision)
        if found:
            raise InputError("triage gate: " + "; ".join(found), field=found[0].split(":")[0])
        merge_into = str(decision.get("merge_into") or "").strip()
        if merge_into:
            correlation.merge(s, source_id=incident.id, target_id=merge_into, actor=approver,
                              reason=reason)
            incident.decided_by = approver
            audit.record(s, incident_id=incident.id, actor=approver, action="gate.triage",
                         detail=_jsonable(decision))
            return {"route": "merged", "merged_into": incident.merged_into}
        merged = [correlation.merge(s, source_id=ref, target_id=incident.id, actor=approver,
                                    reason=reason) for ref in _references(decision)]
        _clock(s, incident, decision, approver=approver, reason=reason)
        model_breach = bool(incident.is_breach)
        is_breach = decision.get("is_breach")
        incident.decided_by = approver
        if is_breach is not None and bool(is_breach) != model_breach:
            incident.is_breach, incident.decision_reason = bool(is_breach), reason
            audit.record(s, incident_id=incident.id, actor=approver, action="triage.breach_overridden",
                         detail={"model": model_breach, "decided": bool(is_breach), "reason": reason})
        severity = decision.get("severity") or ""
        if severity and severity != incident.severity:
            model = incident.severity
            incident.severity_override = severity
            incident.severity_override_by, incident.severity_override_reason = approver, reason
            audit.record(s, incident_id=incident.id, actor=approver,
                         action="triage.severity_overridden",
                         detail={"model": model, "decided": severity, "reason": reason,
                                 "model_reasons": list(incident.triage_reasons)})
        result = scoring.assess(incident)
        scoring.apply(s, incident, result, actor=approver, action="triage.confirmed")
        audit.record(s, incident_id=incident.id, actor=approver, action="gate.triage",
                     detail=_jsonable(decision))
        return {"route": "breach" if result.is_breach else "not_a_breach",
                "severity": result.severity, "merged": len(merged)}


def _clock(session: Session, incident: Incident, decision: dict[str, Any], *, approver: str,
           reason: str) -> None:
    aware_at = decision.get("aware_at")
    if isinstance(aware_at, str):
        aware_at = datetime.fromisoformat(aware_at.replace("Z", "+00:00"))
    if isinstance(aware_at, datetime) and aware_at != incident.aware_at:
        why = str(decision.get("aware_at_reason") or "").strip() or reason
        clock.change(session, incident, aware_at=aware_at, actor=approver, reason=why,
                     source=f"set by {approver} at the triage gate")
    else:
        clock.confirm(session, incident, actor=approver)
