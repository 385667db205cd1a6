"""Every US state, DC and Puerto Rico without a module of its own, built from `table.ROWS`.

References:
    * docs/law/rules.md § 18, the 50-state + DC + PR table (S14: GitHub AlexNetCC/USDataBreachApp,
      per-state data attributed to Foley & Lardner LLP, last verified 2025-09-01) [S]

The table gives deadlines, thresholds, substitute-notice triggers and risk-of-harm exemptions,
but not each state's definition of personal information: the engine applies the core every
state shares (name + SSN, driver's licence / state ID, or financial account with its code) and
puts notices that rest on any wider element up for review.
"""

from __future__ import annotations

from typing import Any

from regulators.deadlines import WITHOUT_UNREASONABLE_DELAY
from regulators.facts import IncidentFacts, Population
from regulators.rules import (
    Component,
    Duty,
    Encryption,
    SubstituteNotice,
    Threshold,
    public_duty,
)
from regulators.triggers import online_credentials, present
from regulators.us_states.base import UsState
from regulators.us_states.table import OWN_MODULE, ROWS, StateRow

# Personal information in every state statute (the common core).
CORE = frozenset({"ssn", "drivers_license", "national_id"})
# Personal information in some states only; applied, but flagged for review.
WIDER = frozenset({"passport", "tax_id", "military_id", "health", "health_insurance",
                   "biometric", "genetic"})
CONTENT = ("contact", "what_happened", "data_categories", "date_of_breach")


class TableState(UsState):
    """A state read from the table; subclasses are generated, one per row."""

    row: StateRow
    name_elements = CORE | WIDER
    standalone_credentials = True
    credential_mailbox_rule = None

    def doubts(self, incident: IncidentFacts, population: Population) -> list[str]:
        out = []
        wider = present(population.categories, WIDER)
        if online_credentials(population.categories):
            wider.append("online credentials")
        if wider:
            out.append(f"{', '.join(wider)}: personal information in some states; the table "
                       f"does not give {self.state}'s definition [U]")
        if incident.encrypted:
            out.append("the encryption safe harbour and key-compromise rule for this state come "
                       "from a dataset default [U]")
        if self.row.note:
            out.append(f"note: {self.row.note}")
        return out


def _duties(row: StateRow, substitute: SubstituteNotice | None) -> tuple[Duty, ...]:
    individuals = Duty("individuals", citation=row.citation, verification="S",
                       deadline=row.individual, content=CONTENT)
    duties = [individuals]
    if row.regulator:
        duties.append(Duty(
            "regulator", citation=row.citation, verification=row.regulator_mark,
            deadline=row.regulator_deadline, recipient=f"{row.name} {row.regulator}",
            threshold=row.regulator_threshold, order=row.regulator_order,
        ))
    if row.cra:
        duties.append(Duty(
            "credit_agencies", citation=row.citation, verification=row.cra_mark,
            deadline=WITHOUT_UNREASONABLE_DELAY, recipient="nationwide consumer reporting agencies",
            threshold=row.cra,
        ))
    if substitute:
        duties.append(public_duty(substitute, individuals))
    return tuple(duties)


def _substitute(row: StateRow) -> SubstituteNotice | None:
    if row.substitute is None:
        return None
    cost, count = row.substitute
    return SubstituteNotice(
        citation=row.citation, verification="S",
        cost=Threshold(">", cost, "USD notice cost"), count=Threshold(">", count, "people"),
        components=(Component("email"), Component("website"), Component("statewide_media")),
        components_all=False,
    )


def _class_name(name: str) -> str:
    return "".join(part.capitalize() for part in name.split())


def _make(row: StateRow) -> type[TableState]:
    substitute = _substitute(row)
    attrs: dict[str, Any] = {
        "__doc__": f"{row.name} ({row.citation}), from the 50-state table [S].",
        "__module__": __name__,
        "row": row,
        "code": f"US-{row.state}",
        "name": row.name,
        "state": row.name,
        "duties": _duties(row, substitute),
        "substitute": substitute,
        "encryption": Encryption("trigger", True, row.citation, "U"),
        "risk_of_harm": (
            ("a documented determination that harm is not reasonably likely", row.citation, "S")
            if row.risk_of_harm else None
        ),
    }
    return type(_class_name(row.name), (TableState,), attrs)


STATES: dict[str, type[TableState]] = {
    f"US-{row.state}": _make(row) for row in ROWS if row.state not in OWN_MODULE
}
globals().update({cls.__name__: cls for cls in STATES.values()})
