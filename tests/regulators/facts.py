"""Builders for incident, organisation and population facts used across the regulator tests."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from regulators import IncidentFacts, OrgFacts, Population, Regulator

# Friday 2026-11-20: detection 08:00, awareness 10:30, determination next day 09:00 (UTC).
DETECTED = datetime(2026, 11, 20, 8, 0, tzinfo=UTC)
AWARE = datetime(2026, 11, 20, 10, 30, tzinfo=UTC)
DETERMINED = datetime(2026, 11, 21, 9, 0, tzinfo=UTC)

ID_THEFT = frozenset({"name", "ssn", "email"})
CREDENTIALS = frozenset({"email", "password"})
CONTACT_ONLY = frozenset({"name", "email", "phone"})
HEALTH = frozenset({"name", "health", "health_insurance", "date_of_birth"})
CARD = frozenset({"name", "payment_card", "account_access_code"})

BASE = IncidentFacts(
    external_id="SIEM-2026-4711",
    detected_at=DETECTED,
    aware_at=AWARE,
    determined_at=DETERMINED,
    occurred_from=datetime(2026, 11, 18, tzinfo=UTC),
    occurred_to=datetime(2026, 11, 20, 7, 45, tzinfo=UTC),
    breach_types=frozenset({"confidentiality"}),
    cause="external_attack",
    data_categories=ID_THEFT,
    encrypted=False,
    key_compromised=False,
    contained=True,
    law_enforcement_delay=False,
)
ORG = OrgFacts(establishment="IE", hipaa_covered_entity=False, critical_infrastructure=False)


def incident(**changes: Any) -> IncidentFacts:
    return replace(BASE, **changes)


def population(
    regulator: Regulator,
    facts: IncidentFacts,
    subjects: int,
    *,
    minors: int = 0,
    unreachable: int = 0,
    cost: float | None = None,
) -> Population:
    """Everyone shares the incident's categories; `triggered` follows the law's own test."""
    hit = regulator.triggered_by(facts.data_categories, facts)
    return Population(
        subjects=subjects,
        triggered=subjects if hit else 0,
        categories=facts.data_categories if hit else frozenset(),
        minors=minors,
        unreachable=unreachable,
        notice_cost_usd=cost,
    )


def assess(
    regulator: Regulator,
    subjects: int,
    *,
    org: OrgFacts = ORG,
    minors: int = 0,
    unreachable: int = 0,
    cost: float | None = None,
    **changes: Any,
) -> dict[str, Any]:
    """Obligations keyed by audience (the first per audience) plus the full list under 'all'."""
    facts = incident(**changes)
    pop = population(regulator, facts, subjects, minors=minors, unreachable=unreachable, cost=cost)
    drafts = regulator.obligations(incident=facts, org=org, population=pop)
    out: dict[str, Any] = {"all": drafts}
    for draft in drafts:
        out.setdefault(draft.audience, draft)
    return out
