"""Every US state, DC and Puerto Rico without a module of its own, built from `table.ROWS`.

References:
    * docs/law/rules.md § 18, the 50-state + DC + PR table (S14: GitHub AlexNetCC/USDataBreachApp,
      per-state data attributed to Foley & Lardner LLP, last verified 2025-09-01) [S]
    * each row's `source`: the statute text read, with the date read [V for the parts read]

Where a row was read against its statute, it carries the statute's definition of personal
information, content lists and encryption clause. Where it was not, the engine applies the core
every state shares (name + SSN, driver's licence / state ID, or financial account with its code)
and puts notices that rest on any wider element up for review.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from regulators.deadlines import WITHOUT_UNREASONABLE_DELAY
from regulators.facts import IncidentFacts, ObligationDraft, OrgFacts, Population
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
# Personal information in some states only; applied, but flagged for review where unread.
WIDER = frozenset({"passport", "tax_id", "military_id", "health", "health_insurance",
                   "biometric", "genetic"})


class TableState(UsState):
    """A state read from the table; subclasses are generated, one per row."""

    row: StateRow
    name_elements = CORE | WIDER
    standalone_credentials = True
    credential_mailbox_rule = None

    def individual_content(self, population: Population) -> tuple[str, ...]:
        extra = [e for when, elements in self.row.content_if
                 if population.categories & when for e in elements]
        return tuple(dict.fromkeys(self.row.content + tuple(extra)))

    def doubts(self, incident: IncidentFacts, population: Population) -> list[str]:
        out = []
        if self.row.elements is None:
            wider = present(population.categories, WIDER)
            if online_credentials(population.categories):
                wider.append("online credentials")
            if wider:
                out.append(f"{', '.join(wider)}: personal information in some states; the "
                           f"table does not give {self.state}'s definition [U]")
        if incident.encrypted and self.row.encryption is None:
            out.append("the encryption safe harbour and key-compromise rule for this state come "
                       "from a dataset default [U]")
        if self.row.note:
            out.append(f"note: {self.row.note}")
        return out

    def obligations(
        self, *, incident: IncidentFacts, org: OrgFacts, population: Population
    ) -> list[ObligationDraft]:
        drafts = super().obligations(incident=incident, org=org, population=population)
        if self.row.licensee is None or not getattr(org, self.row.licensee[0]):
            return drafts
        # A licensee of another regulator reports to it instead (Vermont: the DFR).
        recipient = self.row.licensee[1]
        return [replace(d, recipient=recipient, reasons=(*d.reasons, f"a licensee of the "
                        f"{recipient} reports to it instead of the Attorney General"))
                if d.audience == "regulator" else d for d in drafts]

    def describe(self) -> dict[str, Any]:
        described = super().describe()
        described["source"] = ({"url": self.row.source, "read_on": self.row.read_on}
                               if self.row.source else None)
        return described


def _duties(row: StateRow, substitute: SubstituteNotice | None) -> tuple[Duty, ...]:
    individuals = Duty("individuals", citation=row.citation, verification=row.mark,
                       deadline=row.individual, content=row.content,
                       prohibited_content=row.prohibited)
    duties = [individuals]
    if row.regulator:
        duties.append(Duty(
            "regulator", citation=row.citation, verification=row.mark_of("regulator"),
            deadline=row.regulator_deadline, recipient=f"{row.name} {row.regulator}",
            threshold=row.regulator_threshold, order=row.regulator_order,
            content=row.regulator_content, phase=row.regulator_phase,
        ))
    duties += row.more
    if row.cra:
        duties.append(Duty(
            "credit_agencies", citation=row.citation, verification=row.mark_of("credit_agencies"),
            deadline=row.cra_deadline or WITHOUT_UNREASONABLE_DELAY,
            recipient="nationwide consumer reporting agencies",
            threshold=row.cra, content=("notification_plan",),
        ))
    if substitute:
        duties.append(public_duty(substitute, individuals))
    return tuple(duties)


def _substitute(row: StateRow) -> SubstituteNotice | None:
    if row.substitute is None:
        return None
    cost, count = row.substitute
    return SubstituteNotice(
        citation=row.citation, verification=row.mark_of("public"),
        cost=Threshold(">", cost, "USD notice cost"), count=Threshold(">", count, "people"),
        components=(Component("email"), Component("website"), Component("statewide_media")),
        components_all=row.substitute_all,
    )


def _encryption(row: StateRow) -> Encryption:
    if row.encryption is None:
        return Encryption("trigger", True, row.citation, "U")
    return Encryption("trigger", True if row.encryption == "key" else None, row.citation, row.mark)


def _class_name(name: str) -> str:
    return "".join(part.capitalize() for part in name.split())


def _make(row: StateRow) -> type[TableState]:
    substitute = _substitute(row)
    read = f", read against the statute text on {row.read_on}" if row.source else ""
    attrs: dict[str, Any] = {
        "__doc__": f"{row.name} ({row.citation}), from the 50-state table{read}.",
        "__module__": __name__,
        "row": row,
        "code": f"US-{row.state}",
        "name": row.name,
        "state": row.name,
        "duties": _duties(row, substitute),
        "substitute": substitute,
        "encryption": _encryption(row),
        "financial_needs_code": row.financial_needs_code,
        "risk_of_harm": (
            ("a documented determination that harm is not reasonably likely", row.citation,
             row.mark) if row.risk_of_harm else None
        ),
    }
    if row.elements is not None:
        attrs["name_elements"] = row.elements
    if row.credentials is not None:
        attrs["standalone_credentials"] = row.credentials
    return type(_class_name(row.name), (TableState,), attrs)


STATES: dict[str, type[TableState]] = {
    f"US-{row.state}": _make(row) for row in ROWS if row.state not in OWN_MODULE
}
globals().update({cls.__name__: cls for cls in STATES.values()})
