"""Which jurisdictions a person falls under, from residence and the organisation's sector."""

from __future__ import annotations

from regulators.eea import EEA
from regulators.facts import OrgFacts
from regulators.registry import REGULATORS
from regulators.us_hipaa import is_phi

# Countries whose national law has its own module (ISO 3166-1 = jurisdiction id).
NATIONAL = frozenset({"CN", "GB", "CA", "AU", "BR", "SG", "JP", "KR", "IN"})
# ISO 3166-1 codes of US territories that are also ISO 3166-2 subdivisions of the US.
US_TERRITORIES = frozenset({"PR"})


def _us_state(country: str, region: str | None) -> str | None:
    if country in US_TERRITORIES:
        return f"US-{country}"
    if not region:
        return None
    region = region.upper()
    code = region if region.startswith("US-") else f"US-{region}"
    return code if code in REGULATORS else None


def jurisdictions_for(
    *, country: str | None, region: str | None, categories: frozenset[str], org: OrgFacts,
    records_of_care: bool = False,
) -> list[str]:
    """Jurisdiction ids for one person; [] when the residence is unknown or uncovered.

    HIPAA follows the covered entity and its protected health information (health data, or any
    identifier from records of care), not the residence, but a person of unknown residence stays
    unresolved so the assessment surfaces them.
    """
    if not country:
        return []
    country = country.upper()
    found: list[str] = []
    if country in EEA:
        found.append("EU")
    elif country in NATIONAL:
        found.append(country)
    elif country == "US" or country in US_TERRITORIES:
        state = _us_state(country, region)
        if state:
            found.append(state)
    if org.hipaa_covered_entity and is_phi(categories, records_of_care=records_of_care):
        found.append("US-HIPAA")
    return [code for code in found if code in REGULATORS]
