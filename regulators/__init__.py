"""The law as data: one module per jurisdiction, an explicit registry, shared deadline arithmetic.

Public API::

    get_regulator("US-CA").obligations(incident=..., org=..., population=...)
    all_regulators()
    jurisdictions_for(country="DE", region=None, categories=..., org=...)  # -> ["EU"]
    rules_data() / rules_text() / coverage_markdown() / rules_snapshot(codes)
"""

from __future__ import annotations

from functools import cache

from regulators.base import Regulator
from regulators.catalog import coverage_markdown, rules_data, rules_snapshot, rules_text
from regulators.facts import IncidentFacts, ObligationDraft, OrgFacts, Population
from regulators.methods import CHANNELS
from regulators.registry import codes, load
from regulators.residence import jurisdictions_for


def get_regulator(code: str) -> Regulator:
    return load(code)


@cache
def _citations_in() -> dict[str, dict[str, str]]:
    found: dict[str, dict[str, str]] = {}
    for regulator in all_regulators():
        found.update(regulator.citations_in)
    return found


def cite(citation: str, locale: str) -> str:
    """A citation as a notice in `locale` gives it, from the jurisdiction modules; unchanged
    where a module gives none (US statutes keep their official form in every language)."""
    return _citations_in().get(citation, {}).get(locale, citation)


def all_regulators() -> list[Regulator]:
    return [load(code) for code in codes()]


@cache
def lawful_channels(codes_: tuple[str, ...], *, consent: bool) -> frozenset[str]:
    """The channels on which a notice counts under every one of these laws (a code without a
    module, or unknown residence, prescribes no method)."""
    lawful = set(CHANNELS)
    for code in codes_:
        try:
            methods = load(code).methods
        except KeyError:
            continue
        lawful &= {channel for channel in CHANNELS if methods.lawful(channel, consent=consent)}
    return frozenset(lawful)


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
    "lawful_channels",
    "rules_data",
    "rules_snapshot",
    "rules_text",
]
