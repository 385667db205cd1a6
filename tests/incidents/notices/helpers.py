"""Fixed facts for rendering notices without a database: one incident, one organisation, and
each jurisdiction's real obligations from `regulators/`."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from incidents import org as org_profile
from incidents.models import Incident
from incidents.notices.elements import LawContent, Selection, select
from regulators import IncidentFacts, OrgFacts, Population, get_regulator

NOW = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)
ALL_CATEGORIES = ("name", "email", "phone", "password", "ssn", "drivers_license",
                  "financial_account", "health", "health_insurance", "date_of_birth")


def incident(**overrides: Any) -> Incident:
    values: dict[str, Any] = {
        "external_id": "TEST-1", "title": "Credential stuffing against the account service",
        "summary": "An attacker used leaked passwords to sign in to accounts.",
        "detected_at": datetime(2026, 11, 20, 8, tzinfo=UTC),
        "aware_at": datetime(2026, 11, 20, 10, 30, tzinfo=UTC),
        "determined_at": datetime(2026, 11, 21, 9, tzinfo=UTC),
        "occurred_from": datetime(2026, 11, 18, tzinfo=UTC),
        "occurred_to": datetime(2026, 11, 20, 7, 45, tzinfo=UTC),
        "breach_types": ["confidentiality"], "cause": "external_attack",
        "data_categories": list(ALL_CATEGORIES), "contained": True,
        "measures_taken": "All sessions revoked; attacker addresses blocked.",
        "org": org_profile.validate({"hipaa_covered_entity": True}, example=True),
    }
    values.update(overrides)
    return Incident(**values)


def facts(item: Incident) -> IncidentFacts:
    return IncidentFacts(
        external_id=item.external_id, detected_at=item.detected_at, aware_at=item.aware_at,
        determined_at=item.determined_at, occurred_from=item.occurred_from,
        occurred_to=item.occurred_to, breach_types=frozenset(item.breach_types),
        cause=item.cause, data_categories=frozenset(item.data_categories), encrypted=False,
        key_compromised=False, contained=item.contained, law_enforcement_delay=False)


def laws(codes: tuple[str, ...], categories: tuple[str, ...]) -> list[LawContent]:
    """The individual-notice content each jurisdiction's real obligations ask for."""
    found = []
    population = Population(subjects=1000, triggered=1000, categories=frozenset(categories),
                            minors=0, unreachable=0, notice_cost_usd=1.0)
    for code in codes:
        for draft in get_regulator(code).obligations(
                incident=facts(incident()), org=OrgFacts("IE", True, False), population=population):
            if draft.audience == "individuals":
                found.append(LawContent(code, draft.citation, draft.content,
                                        draft.prohibited_content))
    return found


def selection(codes: tuple[str, ...], categories: tuple[str, ...]) -> Selection:
    return select(laws(codes, categories))
