"""The law as data: one module per jurisdiction, an explicit registry, shared deadline arithmetic.

Public API::

    get_regulator("US-CA").obligations(incident=..., org=..., population=...)
    all_regulators()
    jurisdictions_for(country="DE", region=None, categories=..., org=...)  # -> ["EU"]
    rules_data() / rules_text() / coverage_markdown() / rules_snapshot(codes)
"""

from __future__ import annotations

from regulators.base import Regulator
from regulators.catalog import coverage_markdown, rules_data, rules_snapshot, rules_text
from regulators.facts import IncidentFacts, ObligationDraft, OrgFacts, Population
from regulators.registry import codes, load
from regulators.residence import jurisdictions_for


def get_regulator(code: str) -> Regulator:
    return load(code)


def all_regulators() -> list[Regulator]:
    return [load(code) for code in codes()]


__all__ = [
    "IncidentFacts",
    "ObligationDraft",
    "OrgFacts",
    "Population",
    "Regulator",
    "all_regulators",
    "coverage_markdown",
    "get_regulator",
    "jurisdictions_for",
    "rules_data",
    "rules_snapshot",
    "rules_text",
]
