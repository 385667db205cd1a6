"""The awareness clock: when the organisation became aware of the breach, and who says so.

Most legal clocks start at awareness (GDPR Art. 33(1): 72 hours "after having become aware"),
some at determination. `aware_at_source` says where the time came from (the tool's payload, the
intake time, a responder who confirmed or changed it at the triage gate, an earlier alert that
joined the incident); every change is audited with who and why, and every deadline follows it:
obligations already computed are recomputed from the law engine in place."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlmodel import Session, select

from incidents import audit
from incidents.assessment.impact import UNKNOWN, populations
from incidents.exceptions import InputError
from incidents.identification.matching import org_facts
from incidents.models import Incident, Obligation
from incidents.service import incident_facts
from incidents.sqltypes import iso_z, utcnow
from regulators import ObligationDraft, get_regulator

# A clock set in the future would make every deadline later than the law allows.
FUTURE_TOLERANCE = timedelta(minutes=5)
SOURCE_LENGTH = 100


def check(incident: Incident, aware_at: datetime, reason: str) -> list[str]:
    """What is wrong with moving the clock to `aware_at` (empty: nothing)."""
    problems = []
    if aware_at.tzinfo is None:
        problems.append("aware_at: must carry a time zone")
        return problems
    if aware_at > utcnow() + FUTURE_TOLERANCE:
        problems.append("aware_at: is in the future")
    if aware_at != incident.aware_at and not reason.strip():
        problems.append("aware_at: a change of the awareness time needs a reason")
    return problems


def confirm(session: Session, incident: Incident, *, actor: str) -> None:
    """A responder confirmed the recorded awareness time as it is."""
    previous = incident.aware_at_source
    incident.aware_at_source = f"confirmed by {actor}"[:SOURCE_LENGTH]
    audit.record(session, incident_id=incident.id, actor=actor, action="clock.confirmed",
                 detail={"aware_at": iso_z(incident.aware_at), "previous_source": previous})


def change(session: Session, incident: Incident, *, aware_at: datetime, actor: str, reason: str,
           source: str | None = None) -> dict[str, Any]:
    """Move the awareness clock; determination follows when it was not later; deadlines follow."""
    problems = check(incident, aware_at, reason)
    if problems:
        raise InputError(problems[0], field="aware_at")
    before, before_determined = incident.aware_at, incident.determined_at
    if aware_at == before:
        return {"moved": False}
    previous_source = incident.aware_at_source
    incident.aware_at = aware_at
    incident.aware_at_source = (source or f"changed by {actor}")[:SOURCE_LENGTH]
    # Determination never precedes awareness; where it defaulted to awareness it moves with it.
    if before_determined == before or before_determined < aware_at:
        incident.determined_at = aware_at
    moved = recompute_deadlines(session, incident)
    audit.record(session, incident_id=incident.id, actor=actor, action="clock.changed",
                 detail={"aware_at": {"from": iso_z(before), "to": iso_z(aware_at)},
                         "determined_at": {"from": iso_z(before_determined),
                                           "to": iso_z(incident.determined_at)},
                         "previous_source": previous_source, "source": incident.aware_at_source,
                         "reason": reason, **moved})
    return {"moved": True, **moved}


def _key(jurisdiction: str, audience: str, recipient: str | None, citation: str) -> tuple[str, ...]:
    return jurisdiction, audience, recipient or "", citation


def recompute_deadlines(session: Session, incident: Incident) -> dict[str, Any]:
    """Recompute the deadlines of the obligations already assessed, in place (deliveries link to
    them), from the same engine and populations as the assessment."""
    obligations = list(session.exec(select(Obligation).where(Obligation.incident_id == incident.id)))
    if not obligations:
        return {"deadlines_moved": 0, "unmatched": 0}
    session.flush()
    facts, org = incident_facts(incident), org_facts(incident.org)
    buckets, _ = populations(session, incident)
    drafts: dict[tuple[str, ...], ObligationDraft] = {}
    for code, bucket in buckets.items():
        if code == UNKNOWN:
            continue
        # The same Population the assessment builds, so the same law gives the same deadlines.
        population = bucket.population()
        for draft in get_regulator(code).obligations(incident=facts, org=org, population=population):
            drafts[_key(draft.jurisdiction, draft.audience, draft.recipient, draft.citation)] = draft
    moved = unmatched = 0
    for obligation in obligations:
        fresh = drafts.get(_key(obligation.jurisdiction, obligation.audience, obligation.recipient,
                                obligation.citation))
        if fresh is None:
            unmatched += int(obligation.jurisdiction != UNKNOWN)
            continue
        if (obligation.deadline, obligation.deadline_rule) != (fresh.deadline, fresh.deadline_rule):
            obligation.deadline, obligation.deadline_rule = fresh.deadline, fresh.deadline_rule
            moved += 1
    _refresh_snapshot(incident, drafts)
    return {"deadlines_moved": moved, "unmatched": unmatched}


def _refresh_snapshot(incident: Incident, drafts: dict[tuple[str, ...], ObligationDraft]) -> None:
    """The snapshot keeps the rules applied; its deadlines are facts of this incident's clock."""
    snapshot = dict(incident.rules_snapshot or {})
    rows = snapshot.get("obligations")
    if not isinstance(rows, list):
        return
    fresh = []
    for row in rows:
        draft = drafts.get(_key(row.get("jurisdiction", ""), row.get("audience", ""),
                                row.get("recipient"), row.get("citation", "")))
        if draft is not None:
            row = {**row, "deadline": iso_z(draft.deadline), "deadline_rule": draft.deadline_rule}
        fresh.append(row)
    incident.rules_snapshot = {**snapshot, "obligations": fresh}
