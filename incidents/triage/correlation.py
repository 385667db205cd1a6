"""Correlation: several alerts about one breach become one incident, never two runs.

An alert that names its incident (`related_to`: an incident id, the incident's external_id or
the external_id of any alert already linked to it) joins that incident. Alerts whose systems
overlap within a window (BREACHFLOW_CORRELATION_WINDOW_HOURS, default 72) are proposed for
merging at the triage gate, where a responder decides. Either way the alerts stay linked
(IncidentAlert rows) and the incident's data categories, systems, breach types and time range
become the union; an earlier awareness time moves the clock, and with it every deadline."""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, or_, select

from incidents import audit, service
from incidents.assessment import clock
from incidents.exceptions import InputError
from incidents.models import (
    Incident,
    IncidentAlert,
    IncidentCreate,
    IncidentSources,
    RunSettings,
    Step,
)
from incidents.payload import IncidentPayload

WINDOW_ENV = "BREACHFLOW_CORRELATION_WINDOW_HOURS"
DEFAULT_WINDOW_HOURS = 72.0
# Once identification has started, the incident's people were chosen with its categories:
# another incident can no longer be folded into it silently.
PAST_TRIAGE = ("gate:triage", "identification")


def window() -> timedelta:
    raw = os.environ.get(WINDOW_ENV, "")
    try:
        hours = float(raw) if raw else DEFAULT_WINDOW_HOURS
    except ValueError:
        raise InputError(f"{WINDOW_ENV}: not a number of hours: {raw!r}", field=WINDOW_ENV) from None
    if hours < 0:
        raise InputError(f"{WINDOW_ENV}: must not be negative", field=WINDOW_ENV)
    return timedelta(hours=hours)


@dataclass(frozen=True)
class Facts:
    """What an alert says about the breach (the payload's fields that correlation unites)."""

    external_id: str
    title: str
    detected_at: datetime
    aware_at: datetime | None
    determined_at: datetime | None
    occurred_from: datetime | None
    occurred_to: datetime | None
    systems: tuple[str, ...]
    data_categories: tuple[str, ...]
    breach_types: tuple[str, ...]

    @classmethod
    def of_payload(cls, payload: IncidentPayload) -> Facts:
        return cls(payload.external_id, payload.title, payload.detected_at, payload.aware_at,
                   payload.determined_at, payload.occurred_from, payload.occurred_to,
                   tuple(payload.systems), tuple(payload.data_categories),
                   tuple(payload.breach_types))

    @classmethod
    def of_incident(cls, incident: Incident) -> Facts:
        return cls(incident.external_id, incident.title, incident.detected_at, incident.aware_at,
                   incident.determined_at, incident.occurred_from, incident.occurred_to,
                   tuple(incident.systems), tuple(incident.data_categories),
                   tuple(incident.breach_types))

    def alert(self, *, incident_id: str, link: str, actor: str, reason: str | None) -> IncidentAlert:
        return IncidentAlert(
            incident_id=incident_id, external_id=self.external_id, title=self.title, link=link,
            actor=actor, reason=reason, detected_at=self.detected_at, aware_at=self.aware_at,
            occurred_from=self.occurred_from, occurred_to=self.occurred_to,
            systems=sorted(self.systems), data_categories=sorted(self.data_categories),
            breach_types=sorted(self.breach_types))


def _follow(session: Session, incident: Incident) -> Incident:
    """The incident that now holds this one's alerts (after merges)."""
    seen = {incident.id}
    while incident.merged_into:
        incident = service.get_incident(session=session, incident_id=incident.merged_into)
        if incident.id in seen:  # a cycle would be a bug; never loop forever on it
            break
        seen.add(incident.id)
    return incident


def resolve(session: Session, reference: str) -> Incident | None:
    """The incident an id, an incident external_id or a linked alert's external_id names."""
    incident = session.exec(select(Incident).where(
        or_(Incident.id == reference, Incident.external_id == reference))).first()
    if incident is None:
        alert = session.exec(select(IncidentAlert).where(IncidentAlert.external_id == reference)).first()
        if alert is None:
            return None
        incident = service.get_incident(session=session, incident_id=alert.incident_id)
    return _follow(session, incident)


def alerts(session: Session, incident: Incident) -> list[IncidentAlert]:
    found = list(session.exec(select(IncidentAlert).where(IncidentAlert.incident_id == incident.id)
                              .order_by(col(IncidentAlert.received_at), col(IncidentAlert.id))))
    if not any(a.external_id == incident.external_id for a in found):
        # An incident opened before alerts were recorded still shows its own alert.
        found.insert(0, Facts.of_incident(incident).alert(
            incident_id=incident.id, link="opened", actor="intake", reason=None))
    return found


def intake_alert(*, session: Session, payload: IncidentPayload, actor: str,
                 sources: IncidentSources | None = None, settings: RunSettings | None = None,
                 org: dict[str, Any] | None = None,
                 org_source: dict[str, Any] | None = None) -> tuple[Incident, bool, str | None]:
    """Take one alert: (its incident, whether a new incident was opened, the id of the existing
    incident it joined through `related_to`, else None). The same alert twice changes nothing."""
    known = resolve(session, payload.external_id)
    if known is not None:
        return known, False, None
    target = resolve(session, payload.related_to) if payload.related_to else None
    if target is not None:
        try:
            join(session, target, Facts.of_payload(payload), actor=actor, link="related_to",
                 reason=f"the alert names incident {payload.related_to!r}")
        except IntegrityError:
            # The same alert arrived twice at once: the other intake linked it first.
            session.rollback()
            again = resolve(session, payload.external_id)
            if again is None:
                raise
            return again, False, None
        return target, False, target.id
    incident_in = IncidentCreate.from_payload(payload, actor=actor, sources=sources,
                                              settings=settings, org=org, org_source=org_source)
    incident, created = service.create_incident(session=session, incident_in=incident_in,
                                                actor=actor)
    if created:
        session.add(Facts.of_payload(payload).alert(incident_id=incident.id, link="opened",
                                                    actor=actor, reason=None))
        session.flush()
        if payload.related_to:
            audit.record(session, incident_id=incident.id, actor=actor,
                         action="correlation.related_to_unknown",
                         detail={"related_to": payload.related_to,
                                 "outcome": "no such incident or alert: opened a new incident"})
    return incident, created, None


def _earliest(*values: datetime | None) -> datetime | None:
    present = [v for v in values if v is not None]
    return min(present) if present else None


def _latest(*values: datetime | None) -> datetime | None:
    present = [v for v in values if v is not None]
    return max(present) if present else None


def join(session: Session, target: Incident, facts: Facts, *, actor: str, link: str,
         reason: str) -> dict[str, Any]:
    """Link an alert to `target` and make the incident the union of what both say."""
    session.add(facts.alert(incident_id=target.id, link=link, actor=actor, reason=reason))
    session.flush()
    detail = {"alert": facts.external_id, "link": link, "reason": reason,
              **_unite(session, target, facts, actor=actor, label=f"alert {facts.external_id}")}
    audit.record(session, incident_id=target.id, actor=actor, action="correlation.joined",
                 detail=detail)
    if detail["added_categories"] and _past_triage(session, target.id):
        # The people were identified with the earlier categories: a responder must re-assess.
        audit.record(session, incident_id=target.id, actor=actor,
                     action="correlation.reassessment_needed",
                     detail={"alert": facts.external_id, "added_categories": detail["added_categories"]})
    return detail


def _unite(session: Session, target: Incident, facts: Facts, *, actor: str, label: str) -> dict[str, Any]:
    """The incident becomes the union of both; an earlier clock moves it and its deadlines."""
    before = set(target.data_categories), set(target.systems)
    target.data_categories = sorted(before[0] | set(facts.data_categories))
    target.systems = sorted(before[1] | set(facts.systems))
    target.breach_types = sorted(set(target.breach_types) | set(facts.breach_types))
    target.detected_at = min(target.detected_at, facts.detected_at)
    target.occurred_from = _earliest(target.occurred_from, facts.occurred_from)
    target.occurred_to = _latest(target.occurred_to, facts.occurred_to)
    moved: dict[str, Any] = {}
    if facts.aware_at is not None and facts.aware_at < target.aware_at:
        moved = clock.change(session, target, aware_at=facts.aware_at, actor=actor,
                             reason=f"{label} was known earlier", source=label)
    if facts.determined_at is not None and facts.determined_at < target.determined_at:
        target.determined_at = max(facts.determined_at, target.aware_at)
        moved = {**moved, **clock.recompute_deadlines(session, target)}
    return {"added_categories": sorted(set(target.data_categories) - before[0]),
            "added_systems": sorted(set(target.systems) - before[1]),
            "clock_moved": bool(moved.get("moved")),
            "deadlines_moved": int(moved.get("deadlines_moved", 0))}


def _past_triage(session: Session, incident_id: str) -> bool:
    """Its triage gate was passed or identification began (a gate being applied is not past)."""
    found = session.exec(select(Step.name, Step.state).where(Step.incident_id == incident_id,
                                                             col(Step.name).in_(PAST_TRIAGE)))
    return any(name == "identification" or state == "done" for name, state in found)


def merge(session: Session, *, source_id: str, target_id: str, actor: str, reason: str) -> dict[str, Any]:
    """Fold incident `source_id` (and every alert linked to it) into `target_id`."""
    source = resolve(session, source_id)
    target = resolve(session, target_id)
    problem = merge_problem(session, source, target)
    if problem or source is None or target is None:
        raise InputError(problem or "merge: no such incident", field="merge")
    if not reason.strip():
        raise InputError("merge: merging incidents needs a reason", field="reason")
    moved_alerts = alerts(session, source)
    for alert in moved_alerts:
        if alert.id is None:
            session.add(Facts.of_incident(source).alert(incident_id=target.id, link="merged",
                                                        actor=actor, reason=reason))
        else:
            alert.incident_id, alert.link, alert.reason = target.id, "merged", reason
    session.flush()
    detail = _unite(session, target, Facts.of_incident(source), actor=actor,
                    label=f"merged incident {source.external_id}")
    source.status, source.merged_into = "merged", target.id
    audit.record(session, incident_id=source.id, actor=actor, action="correlation.merged_into",
                 detail={"into": target.id, "into_external_id": target.external_id, "reason": reason})
    audit.record(session, incident_id=target.id, actor=actor, action="correlation.merged",
                 detail={"incident": source.id, "external_id": source.external_id,
                         "alerts": [a.external_id for a in moved_alerts], "reason": reason,
                         **detail})
    return detail


def merge_problem(session: Session, source: Incident | None, target: Incident | None) -> str | None:
    """Why `source` cannot be merged into `target` (None: it can)."""
    if source is None or target is None:
        return "merge: no such incident"
    if source.id == target.id:
        return f"merge: incident {source.external_id!r} cannot be merged into itself"
    if source.status != "open" or target.status != "open":
        return f"merge: incidents {source.external_id!r} and {target.external_id!r} must both be open"
    if _past_triage(session, source.id):
        return (f"merge: incident {source.external_id!r} is past triage (its people are being "
                "identified or notified); merge the other way")
    return None


@dataclass(frozen=True)
class Candidate:
    incident_id: str
    external_id: str
    shared_systems: tuple[str, ...]
    gap_hours: float
    can_merge_here: bool   # it can be merged into the incident at the gate
    can_merge_there: bool  # the incident at the gate can be merged into it

    def to_json(self) -> dict[str, Any]:
        return {"incident_id": self.incident_id, "external_id": self.external_id,
                "shared_systems": list(self.shared_systems), "gap_hours": round(self.gap_hours, 1),
                "can_merge_here": self.can_merge_here, "can_merge_there": self.can_merge_there}


def _span(incident: Incident) -> tuple[datetime, datetime]:
    start = min(incident.occurred_from or incident.detected_at, incident.detected_at)
    end = max(incident.occurred_to or incident.detected_at, incident.detected_at)
    return start, end


def candidates(session: Session, incident: Incident, *, within: timedelta | None = None) -> list[Candidate]:
    """Open incidents whose systems overlap this one's and whose activity lies within the window."""
    within = window() if within is None else within
    systems = set(incident.systems)
    if not systems or incident.merged_into:
        return []
    start, end = _span(incident)
    found = []
    others = session.exec(select(Incident).where(Incident.id != incident.id, Incident.status == "open",
                                                 col(Incident.merged_into).is_(None)))
    for other in others:
        shared = systems & set(other.systems)
        if not shared:
            continue
        other_start, other_end = _span(other)
        gap = max(timedelta(0), other_start - end, start - other_end)
        if gap > within:
            continue
        found.append(Candidate(
            other.id, other.external_id, tuple(sorted(shared)), gap.total_seconds() / 3600,
            can_merge_here=merge_problem(session, other, incident) is None,
            can_merge_there=merge_problem(session, incident, other) is None))
    return sorted(found, key=lambda c: (c.gap_hours, c.external_id))
