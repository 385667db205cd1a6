"""A regulator report's life: drafted, approved by a responder, filed with the regulator (when and
under which reference), or overdue. The CLI (`breachflow filed`), the filing gate and the intake
API all record through here, so the rules and the audit trail are the same wherever it is done."""

from __future__ import annotations

import unicodedata
from datetime import datetime, timedelta
from typing import Final, Literal

from sqlmodel import Session, select

from incidents import audit, holds
from incidents.exceptions import InputError, NotFound
from incidents.models import Incident, Obligation, RegulatorReport
from incidents.sqltypes import utcnow

State = Literal["draft", "approved", "filed", "overdue"]
STATES: Final = ("draft", "approved", "filed", "overdue")
# A filing time a little ahead of this machine's clock is a clock difference, not a prediction.
CLOCK_SKEW: Final = timedelta(minutes=5)
MAX_REFERENCE: Final = 200


def report_state(report: RegulatorReport, obligation: Obligation | None, *, now: datetime) -> State:
    """filed, once recorded; overdue, when its deadline passed unfiled; approved, when a
    responder approved it and nothing is left to complete; otherwise a draft."""
    if report.filed_at is not None:
        return "filed"
    if obligation is not None and obligation.deadline is not None and now > obligation.deadline:
        return "overdue"
    if report.approved_at is not None and not report.to_complete:
        return "approved"
    return "draft"


def _report(session: Session, *, incident_id: str, report_id: int) -> RegulatorReport:
    report = session.get(RegulatorReport, report_id)
    if report is None or report.incident_id != incident_id:
        raise NotFound(f"incident {incident_id} has no report {report_id}")
    return report


def reference_checked(reference: str | None) -> str | None:
    """The regulator's reference as typed, trimmed; refused if it could not be one."""
    if reference is None or not reference.strip():
        return None
    value = reference.strip()
    if len(value) > MAX_REFERENCE:
        raise InputError(f"reference: at most {MAX_REFERENCE} characters", field="reference")
    if any(unicodedata.category(c).startswith("C") for c in value):
        raise InputError("reference: control characters are not allowed", field="reference")
    return value


def filed_at_checked(session: Session, *, incident_id: str, at: datetime) -> datetime:
    """When the report was filed: with a time zone, not in the future, not before the
    organisation became aware of the incident."""
    if at.tzinfo is None or at.utcoffset() is None:
        raise InputError("filed_at: give a time zone, e.g. 2026-12-05T14:30:00+01:00 or ...Z",
                         field="filed_at")
    if at > utcnow() + CLOCK_SKEW:
        raise InputError("filed_at: the time is in the future; record a filing once it is made",
                         field="filed_at")
    incident = session.get(Incident, incident_id)
    if incident is not None and at < incident.aware_at:
        raise InputError("filed_at: before the organisation became aware of the incident",
                         field="filed_at")
    return at


def approve_report(session: Session, *, incident_id: str, report_id: int, actor: str) -> RegulatorReport:
    """A responder approves the report for filing; a report with anything left to complete
    cannot be approved (it stays a draft, and the message says what is missing)."""
    report = _report(session, incident_id=incident_id, report_id=report_id)
    if report.to_complete:
        raise InputError(f"report {report_id} ({report.jurisdiction}) is a draft: complete "
                         + "; ".join(report.to_complete), field="report")
    if report.approved_at is None:
        report.approved_at, report.approved_by = utcnow(), actor
        audit.record(session, incident_id=incident_id, actor=actor, action="report.approved",
                     detail={"report": report_id, "jurisdiction": report.jurisdiction})
    return report


def file_report(session: Session, *, incident_id: str, report_id: int, filed_at: datetime,
                reference: str | None, actor: str) -> RegulatorReport:
    """Record that the report was filed, when and under which regulator reference (audited).
    Recording it again with the same time and reference changes nothing; a different one
    corrects the record, and the trail keeps both."""
    report = _report(session, incident_id=incident_id, report_id=report_id)
    at = filed_at_checked(session, incident_id=incident_id, at=filed_at)
    ref = reference_checked(reference)
    if report.filed_at == at and report.filing_reference == ref:
        return report
    detail: dict[str, object] = {"report": report_id, "jurisdiction": report.jurisdiction,
                                 "filed_at": at.isoformat(), "reference": ref}
    if report.filed_at is not None:
        detail["corrects"] = {"filed_at": report.filed_at.isoformat(),
                              "reference": report.filing_reference}
    report.filed_at, report.filing_reference, report.filed_by = at, ref, actor
    audit.record(session, incident_id=incident_id, actor=actor, action="report.filed",
                 detail=detail)
    # A law that wants its regulator told before the individuals (New Jersey) held their
    # notices until now: the notification runs again.
    holds.released_by_filing(session, incident_id=incident_id, report=report)
    return report


def reports_of(session: Session, incident_id: str) -> list[tuple[RegulatorReport, Obligation | None]]:
    rows = session.exec(select(RegulatorReport).where(RegulatorReport.incident_id == incident_id)
                        .order_by(RegulatorReport.id)).all()  # type: ignore[arg-type]
    return [(r, session.get(Obligation, r.obligation_id)) for r in rows]


def find_report(session: Session, *, incident_id: str, spec: str) -> RegulatorReport:
    """A report named as its id, its jurisdiction code (`EU`, when it has one report) or
    jurisdiction and phase (`JP/final`)."""
    value = spec.strip()
    if value.isdigit():
        return _report(session, incident_id=incident_id, report_id=int(value))
    code, _, phase = value.partition("/")
    found = [r for r, o in reports_of(session, incident_id)
             if r.jurisdiction.upper() == code.upper()
             and (not phase or (o is not None and o.phase == phase.lower()))]
    if not found:
        raise InputError(f"report: incident {incident_id} has no report {value!r}", field="report")
    if len(found) > 1:
        named = ", ".join(f"{r.id} ({r.jurisdiction}/{o.phase if o else '?'})"
                          for r, o in reports_of(session, incident_id) if r in found)
        raise InputError(f"report: {value!r} names several reports, give one of {named}",
                         field="report")
    return found[0]


def filed_at_of(session: Session, *, incident_id: str, jurisdiction: str,
                phase: str | None = None) -> datetime | None:
    """When a jurisdiction's report (of a phase, default its earliest) was filed, or None:
    what a notice that must wait on a regulator (New Jersey: the State Police first) asks."""
    times = [r.filed_at for r, o in reports_of(session, incident_id)
             if r.jurisdiction == jurisdiction and (phase is None or (o and o.phase == phase))]
    if not times or any(t is None for t in times):
        return None
    return min(t for t in times if t is not None)


def outstanding(session: Session, incident_id: str) -> list[dict[str, object]]:
    """The reports not yet filed, for close: which ones, their phase and deadline."""
    now = utcnow()
    return [{"id": r.id, "jurisdiction": r.jurisdiction, "phase": o.phase if o else None,
             "deadline": o.deadline.isoformat() if o and o.deadline else None,
             "state": report_state(r, o, now=now)}
            for r, o in reports_of(session, incident_id) if r.filed_at is None]
