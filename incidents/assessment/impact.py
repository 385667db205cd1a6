"""Impact assessment: the people per jurisdiction -> one Obligation per jurisdiction x audience.

The regulators' decisions are snapshotted onto the incident, so a later change to a rule never
rewrites a decision already taken."""

from __future__ import annotations

import dataclasses
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from functools import cache
from typing import Any

from sqlalchemy import delete
from sqlalchemy import select as sa_select
from sqlmodel import Session, col

from incidents import audit, db, service
from incidents.assessment import scoring
from incidents.identification import contacts
from incidents.identification.matching import org_facts
from incidents.models import AffectedSubject, Incident, Obligation
from incidents.service import incident_facts
from incidents.sqltypes import JSONTexts, json_text
from regulators import ObligationDraft, Population, get_regulator, rules_snapshot

UNKNOWN = "UNKNOWN"
# Segments per SMS and minutes per call assumed for the cost estimate of an individual notice.
SMS_SEGMENTS, VOICE_MINUTES = 2, 2


def notice_cost(channels: Sequence[str], prices: dict[str, float]) -> float:
    """Cost of one person's individual notice on their first usable channel (else a letter)."""
    first = channels[0] if channels else "letter"
    return {
        "email": prices.get("email", 0.0),
        "sms": prices.get("sms_segment", 0.0) * SMS_SEGMENTS,
        "voice": prices.get("voice_minute", 0.0) * VOICE_MINUTES,
        "push": 0.0,
        "letter": prices.get("letter", 0.0),
    }[first]


@dataclasses.dataclass
class _Bucket:
    subjects: int = 0
    triggered: int = 0
    minors: int = 0
    elderly: int = 0
    unreachable: int = 0
    cost: float = 0.0
    categories: set[str] = dataclasses.field(default_factory=set)
    # People per US state: HIPAA's media notice counts "more than 500 residents of a State".
    regions: Counter[str] = dataclasses.field(default_factory=Counter)

    def population(self) -> Population:
        """What a jurisdiction's law reads about its people (the assessment's and the clock's)."""
        return Population(
            subjects=self.subjects, triggered=self.triggered,
            categories=frozenset(self.categories), minors=self.minors,
            unreachable=self.unreachable, notice_cost_usd=round(self.cost, 2),
            by_region=tuple(sorted(self.regions.items())), elderly=self.elderly)


def populations(session: Session, incident: Incident) -> tuple[dict[str, _Bucket], Counter[str]]:
    """People per jurisdiction (and the overall counts), streamed from the subjects table."""
    facts = incident_facts(incident)
    prices = incident.org.get("unit_prices", {})

    @cache
    def triggers(code: str, categories: frozenset[str]) -> bool:
        return get_regulator(code).triggered_by(categories, facts)

    @cache
    def elderly_age(code: str) -> int | None:
        return None if code == UNKNOWN else get_regulator(code).elderly_age

    @cache
    def elderly(birth: str | None, age: int) -> bool:
        """At or above a law's elderly age on the day of awareness (Brazil: 60)."""
        born = contacts.birth_date(birth, facts.aware_at.date())
        return born is not None and contacts.age_on(born, facts.aware_at.date()) >= age

    buckets: dict[str, _Bucket] = defaultdict(_Bucket)
    totals: Counter[str] = Counter()
    decoded = JSONTexts()
    frozen_of: Callable[[tuple[str, ...]], frozenset[str]] = cache(frozenset)  # one per list
    query = sa_select(
        json_text(AffectedSubject.jurisdictions), json_text(AffectedSubject.data_categories),
        col(AffectedSubject.minor), col(AffectedSubject.unreachable),
        json_text(AffectedSubject.channels), col(AffectedSubject.records),
        col(AffectedSubject.region), col(AffectedSubject.birth_date)).where(
        col(AffectedSubject.incident_id) == incident.id)
    for codes_text, categories_text, minor, unreachable, channels_text, records, region, birth in (
            session.execute(query)):
        totals.update(subjects=1, records=records, minors=int(minor), unreachable=int(unreachable))
        codes, categories, channels = (decoded(codes_text), decoded(categories_text),
                                       decoded(channels_text))
        frozen = frozen_of(categories)
        for code in codes or [UNKNOWN]:
            bucket = buckets[code]
            bucket.subjects += 1
            if code == UNKNOWN or triggers(code, frozen):
                bucket.triggered += 1
                bucket.categories |= frozen
                bucket.minors += int(minor)
                age = elderly_age(code)
                bucket.elderly += int(age is not None and elderly(birth, age))
                bucket.unreachable += int(unreachable)
                bucket.cost += notice_cost(channels, prices)
                if region:
                    bucket.regions[region] += 1
    return buckets, totals


def _unknown_draft(bucket: _Bucket) -> dict[str, Any]:
    return {
        "jurisdiction": UNKNOWN, "audience": "individuals", "required": True,
        "count": bucket.subjects, "deadline": None,
        "deadline_rule": "residence unknown: notify without undue delay under the strictest rule",
        "recipient": None, "citation": "no jurisdiction determined (residence unknown)",
        "verification": "U",
        "reasons": ["the directory gives no country, region, phone country or locale for these people"],
        "substitute_notice": True, "needs_review": True, "content": [],
    }


def assess(incident_id: str) -> dict[str, Any]:
    """The assessment stage; returns counts only."""
    with db.session() as s:
        incident = service.get_incident(session=s, incident_id=incident_id)
        buckets, totals = populations(s, incident)
        facts, org = incident_facts(incident), org_facts(incident.org)
        drafts: list[dict[str, Any]] = []
        for code in sorted(buckets):
            bucket = buckets[code]
            if code == UNKNOWN:
                drafts.append(_unknown_draft(bucket))
                continue
            population = bucket.population()
            drafts += [_as_dict(draft) for draft in get_regulator(code).obligations(
                incident=facts, org=org, population=population)]
        s.execute(delete(Obligation).where(col(Obligation.incident_id) == incident.id))
        for values in drafts:
            s.add(Obligation(incident_id=incident.id, **values))
        rescored = scoring.assess(incident, subjects=totals["subjects"], minors=totals["minors"])
        incident.severity = rescored.severity
        incident.triage_reasons = list(rescored.reasons)
        incident.risk_level = "high" if rescored.severity in {"P1", "P2"} else (
            "medium" if rescored.severity == "P3" else "low")
        applied = [code for code in buckets if code != UNKNOWN]
        incident.rules_snapshot = {
            **rules_snapshot(applied),
            "obligations": [{**d, "deadline": d["deadline"].isoformat() if d["deadline"] else None}
                            for d in drafts],
        }
        audit.record(s, incident_id=incident.id, actor="breachflow", action="assessment.completed",
                     detail={"obligations": len(drafts), "severity": incident.severity,
                             "rules_sha256": incident.rules_snapshot["sha256"],
                             "risk_level": incident.risk_level,
                             "needs_review": sum(1 for d in drafts if d["needs_review"])})
        severity = incident.severity  # the step says what the line of `status` says
    return {"obligations": len(drafts), "jurisdictions": len(buckets),
            "required": sum(1 for d in drafts if d["required"]), "severity": severity,
            **dict(totals)}


def _as_dict(draft: ObligationDraft) -> dict[str, Any]:
    data = dataclasses.asdict(draft)
    data["reasons"] = list(data["reasons"])
    data["content"] = list(data.get("content", ()))
    return {key: data[key] for key in Obligation.model_fields if key in data}
