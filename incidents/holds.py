"""What makes individual notices wait, and the deadlines that follow from the order of notices.

Two things hold a jurisdiction's individual notices (the ledger does not claim their rows):

- a **law-enforcement hold** a responder recorded (`breachflow hold`): an agency asked for a
  delay until a time, for some jurisdictions. Where the law says its clock runs from the end of
  such a delay (regulators/order.py: most US states, HIPAA; not the GDPR), the individuals'
  deadline moves by the hold's length; elsewhere the notices wait and the deadline stays.
- an unmet **"regulator before individuals"** constraint (New Jersey's State Police): the
  notices wait until the regulator's report is recorded as filed.

"At the same time as" and "within N days after notifying individuals" hold nothing: they give the
regulator's obligation its deadline once the first individual notice of that law went out.
Everything here is codes, agencies, times and counts: no personal data."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Final

from sqlalchemy import func
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from incidents import audit, steps
from incidents.exceptions import InputError, NotFound
from incidents.models import (
    Delivery,
    DeliveryObligation,
    Hold,
    Incident,
    Obligation,
    RegulatorReport,
)
from incidents.sqltypes import utcnow
from regulators import order
from regulators.registry import codes

# A notice no law requires goes after every dated one: due this long after awareness.
UNDATED: Final = timedelta(days=3650)
UNDATED_KEY: Final = ""
MAX_AGENCY: Final = 200
MAX_REASON: Final = 500
# A hold's end or a filing that frees notices: these steps run again on `resume`.
RERUN: Final = ("notification", "close")


@dataclass(frozen=True)
class Waiting:
    """Why one jurisdiction's individual notices wait."""

    jurisdiction: str
    reason: str  # as the accounting and status show it
    kind: str  # "hold" | "order"
    hold_id: int | None = None
    until: datetime | None = None


def _text(value: str | None, *, field: str, limit: int, required: bool) -> str | None:
    text = (value or "").strip()
    if not text:
        if required:
            raise InputError(f"{field}: required", field=field)
        return None
    if len(text) > limit:
        raise InputError(f"{field}: at most {limit} characters", field=field)
    if any(unicodedata.category(c).startswith("C") for c in text):
        raise InputError(f"{field}: control characters are not allowed", field=field)
    return text


def _stamp(at: datetime) -> str:
    return at.isoformat(timespec="minutes").replace("+00:00", "Z")


def record(
    session: Session,
    *,
    incident_id: str,
    agency: str,
    until: datetime,
    jurisdictions: list[str],
    actor: str,
    reason: str | None = None,
    now: datetime | None = None,
) -> Hold:
    """Record a law-enforcement hold (audited). Every value is checked before anything is
    written: an error names the field."""
    now = now or utcnow()
    agency_text = _text(agency, field="agency", limit=MAX_AGENCY, required=True)
    reason_text = _text(reason, field="reason", limit=MAX_REASON, required=False)
    if until.tzinfo is None or until.utcoffset() is None:
        raise InputError("until: give a time zone, e.g. 2026-12-20T00:00:00Z", field="until")
    if until <= now:
        raise InputError("until: the hold must end in the future", field="until")
    if not jurisdictions:
        raise InputError("jurisdiction: name at least one (e.g. US-CA)", field="jurisdiction")
    known = set(codes())
    unknown = sorted({j for j in jurisdictions if j not in known})
    if unknown:
        raise InputError(
            f"jurisdiction: unknown code(s) {', '.join(unknown)} (see `breachflow rules`)",
            field="jurisdiction",
        )
    hold = Hold(
        incident_id=incident_id,
        agency=agency_text or "",
        until=until,
        starts_at=now,
        jurisdictions=sorted(set(jurisdictions)),
        reason=reason_text,
        recorded_by=actor,
    )
    session.add(hold)
    session.flush()
    moved = pause_clocks(session, incident_id=incident_id, now=now)
    audit.record(
        session,
        incident_id=incident_id,
        actor=actor,
        action="hold.recorded",
        detail={
            "hold": hold.id,
            "agency": hold.agency,
            "until": _stamp(until),
            "jurisdictions": hold.jurisdictions,
            "reason": reason_text,
            "deadlines_moved": moved,
        },
    )
    return hold


def release(
    session: Session, *, incident_id: str, hold_id: int, actor: str, now: datetime | None = None
) -> Hold:
    """End a hold now (audited); its notices go out on the next `resume`."""
    now = now or utcnow()
    hold = session.get(Hold, hold_id)
    if hold is None or hold.incident_id != incident_id:
        raise NotFound(f"incident {incident_id} has no hold {hold_id}")
    if hold.released_at is None:
        hold.released_at, hold.released_by = min(now, hold.until), actor
        moved = pause_clocks(session, incident_id=incident_id, now=now)
        steps.run_again(session, incident_id=incident_id, names=RERUN)
        audit.record(
            session,
            incident_id=incident_id,
            actor=actor,
            action="hold.released",
            detail={
                "hold": hold.id,
                "agency": hold.agency,
                "jurisdictions": hold.jurisdictions,
                "deadlines_moved": moved,
            },
        )
    return hold


def holds_of(session: Session, incident_id: str) -> list[Hold]:
    return list(session.exec(select(Hold).where(Hold.incident_id == incident_id).order_by(col(Hold.id))))


def ends(hold: Hold) -> datetime:
    return hold.released_at or hold.until


def active(hold: Hold, now: datetime) -> bool:
    return hold.released_at is None and hold.until > now


def pause_clocks(session: Session, *, incident_id: str, now: datetime | None = None) -> int:
    """Move the individuals' deadline of every law whose clock a law-enforcement delay pauses
    by the time its holds cover (overlapping holds count once); a hold's remaining time counts
    until it ends. Returns how many deadlines changed."""
    del now  # the extension is the hold's whole span, known when it is recorded
    spans: dict[str, list[tuple[datetime, datetime]]] = {}
    for hold in holds_of(session, incident_id):
        for code in hold.jurisdictions:
            spans.setdefault(code, []).append((hold.starts_at, ends(hold)))
    moved = 0
    for o in session.exec(
        select(Obligation).where(Obligation.incident_id == incident_id, Obligation.audience == "individuals")
    ):
        delay = order.law_enforcement_delay(o.jurisdiction)
        base = o.deadline_before_hold or o.deadline
        if delay is None or base is None:
            continue
        pause = _covered(spans.get(o.jurisdiction, []))
        target = base + pause if pause else base
        if target != o.deadline:
            o.deadline_before_hold = base if pause else None
            o.deadline = target
            if delay.needs_review:
                o.needs_review = True
            moved += 1
    return moved


def _covered(spans: list[tuple[datetime, datetime]]) -> timedelta:
    total, end = timedelta(0), None
    for start, stop in sorted(spans):
        if end is not None and start < end:
            start = end
        if stop > start:
            total += stop - start
            end = stop if end is None else max(end, stop)
    return total


def waiting(session: Session, incident_id: str, *, now: datetime | None = None) -> dict[str, Waiting]:
    """Jurisdiction -> why its individual notices wait now (the first reason found)."""
    now = now or utcnow()
    found: dict[str, Waiting] = {}
    for hold in holds_of(session, incident_id):
        if not active(hold, now):
            continue
        for code in hold.jurisdictions:
            found.setdefault(
                code,
                Waiting(
                    code,
                    f"held by law enforcement ({hold.agency}) until {_stamp(hold.until)}",
                    "hold",
                    hold.id,
                    hold.until,
                ),
            )
    for o, constraint in _constraints(session, incident_id):
        if not constraint.holds_individuals or o.jurisdiction in found:
            continue
        filed = session.exec(
            select(RegulatorReport.id).where(
                RegulatorReport.obligation_id == o.id, col(RegulatorReport.filed_at).is_not(None)
            )
        ).first()
        if filed is None:
            found[o.jurisdiction] = Waiting(
                o.jurisdiction,
                f"waits for the report to {o.recipient or 'the regulator'} to be "
                f"filed ({constraint.citation})",
                "order",
            )
    return found


def held_obligations(session: Session, incident_id: str, *, now: datetime | None = None) -> list[int]:
    """The individual obligations whose notices may not be claimed now."""
    codes_ = list(waiting(session, incident_id, now=now))
    if not codes_:
        return []
    return [
        pk
        for pk in session.exec(
            select(Obligation.id).where(
                Obligation.incident_id == incident_id,
                Obligation.audience == "individuals",
                col(Obligation.jurisdiction).in_(codes_),
            )
        )
        if pk is not None
    ]


def _constraints(session: Session, incident_id: str) -> list[tuple[Obligation, order.OrderConstraint]]:
    """Each required regulator obligation with the order constraint its law sets on it (read
    from the obligation's own order and relative deadline, cited from regulators/order.py)."""
    found = []
    for o in session.exec(
        select(Obligation).where(
            Obligation.incident_id == incident_id,
            Obligation.audience == "regulator",
            col(Obligation.required),
        )
    ):
        kind = _KIND.get(o.order or "") or ("after" if o.relative_to == "individuals" else None)
        cited = [c for c in order.constraints(o.jurisdiction) if c.kind == kind]
        if cited:
            found.append((o, cited[0]))
    return found


_KIND: Final = {
    "before:individuals": "before",
    "with:individuals": "with",
    "not_after:individuals": "with",
    "after:individuals": "after",
}


def released_by_filing(session: Session, *, incident_id: str, report: RegulatorReport) -> bool:
    """A report filed for a "before individuals" obligation frees that law's notices: the
    notification (and the close that may have refused) run again on `resume`."""
    for o, constraint in _constraints(session, incident_id):
        if o.id == report.obligation_id and constraint.holds_individuals:
            steps.run_again(session, incident_id=incident_id, names=RERUN)
            return True
    return False


def first_notice_deadlines(session: Session, incident_id: str) -> int:
    """Give "at the same time as" and "within N days after notifying individuals" obligations
    their deadline once the first individual notice of their law was accepted. One grouped
    query; a deadline once set stays."""
    pending = [
        (o, c)
        for o, c in _constraints(session, incident_id)
        if c.kind in ("with", "after") and o.deadline is None
    ]
    if not pending:
        return 0
    wanted = sorted({o.jurisdiction for o, _ in pending})
    query = (
        sa_select(col(Obligation.jurisdiction), func.min(col(Delivery.updated_at)))
        .select_from(Delivery)
        .join(DeliveryObligation, col(DeliveryObligation.delivery_id) == col(Delivery.id))
        .join(Obligation, col(Obligation.id) == col(DeliveryObligation.obligation_id))
        .where(
            col(Delivery.incident_id) == incident_id,
            col(Delivery.state).in_(("accepted", "delivered")),
            col(Obligation.audience) == "individuals",
            col(Obligation.jurisdiction).in_(wanted),
        )
        .group_by(col(Obligation.jurisdiction))
    )
    first: dict[str, Any] = dict(session.connection().execute(query).all())
    set_ = 0
    for o, constraint in pending:
        at = first.get(o.jurisdiction)
        if at is None:
            continue
        o.deadline = at + timedelta(days=constraint.days or 0)
        set_ += 1
    return set_


def due_by(session: Session, incident_id: str) -> dict[str, datetime]:
    """Jurisdiction -> the earliest deadline of its required individual obligations: the order
    in which the ledger claims notices and the plan counts them. "Without undue delay" and
    "immediately" set no later date, so such a notice is due at once (its clock's start).
    Under UNDATED_KEY the date of a notice no law requires."""
    incident = session.get(Incident, incident_id)
    if incident is None:
        raise NotFound(f"no incident {incident_id}")
    found: dict[str, datetime] = {UNDATED_KEY: incident.aware_at + UNDATED}
    for code, deadline in session.exec(
        select(Obligation.jurisdiction, Obligation.deadline).where(
            Obligation.incident_id == incident_id,
            Obligation.audience == "individuals",
            col(Obligation.required),
        )
    ):
        at = deadline or incident.aware_at
        found[code] = min(found.get(code, at), at)
    return found
