"""How one notice sits against another, and where a law lets law enforcement delay notice.

Three kinds of order constraint come from the statutes, each with its citation and mark:

    before     the regulator is told before the individuals (New Jersey's Division of State
               Police, N.J.S.A. 56:8-163(c)(1)): the individuals' notices wait for the filing
    with       the regulator is told at the same time as (or no later than) the individuals:
               its deadline is the first individual notice
    after      the regulator is told within N days after the individuals (California's AG
               sample copy): its deadline is N days after the first individual notice

A constraint resting on an unverified rule needs review, like any obligation. The duties carry
the order as a word (`Duty.order`, "before:individuals"); this module reads it with the duty's
citation and mark, and adds the statute's own subsection where it is known.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from regulators.registry import load
from regulators.rules import Mark

Kind = Literal["before", "with", "after"]

# The words Duty.order uses, read as a kind (the regulator's duty against the individuals').
_KINDS: dict[str, Kind] = {
    "before:individuals": "before",
    "with:individuals": "with",
    "not_after:individuals": "with",
    "after:individuals": "after",
}
# The statute's own subsection where the duty's citation names only the act.
_CITATIONS: dict[str, tuple[str, Mark]] = {
    # The State Police's page quotes § 56:8-163(c)(1): report "in advance of the disclosure to
    # the customer" (docs/law/rules.md § 18) [V].
    "US-NJ": ("N.J.S.A. 56:8-163(c)(1)", "V"),
}


@dataclass(frozen=True)
class OrderConstraint:
    """The regulator duty of `jurisdiction` against its individual notice."""

    jurisdiction: str
    kind: Kind
    citation: str
    verification: Mark
    recipient: str | None = None
    days: int | None = None  # `after`: within this many days of the first individual notice

    @property
    def holds_individuals(self) -> bool:
        """The individuals' notices wait until the regulator's report is filed."""
        return self.kind == "before"

    @property
    def needs_review(self) -> bool:
        return self.verification == "U"

    def describe(self) -> str:
        who = self.recipient or "the regulator"
        if self.kind == "before":
            return f"{who} before the individuals ({self.citation})"
        if self.kind == "with":
            return f"{who} no later than the individuals ({self.citation})"
        return f"{who} within {self.days} days after notifying the individuals ({self.citation})"


def constraints(code: str) -> tuple[OrderConstraint, ...]:
    """The order constraints of one jurisdiction's law (none for an unknown code)."""
    try:
        regulator = load(code)
    except KeyError:
        return ()
    found: list[OrderConstraint] = []
    for duty in regulator.duties:
        if duty.audience != "regulator":
            continue
        kind = _KINDS.get(duty.order or "")
        if kind is None and duty.deadline.relative_to == "individuals":
            kind = "after"
        if kind is None:
            continue
        citation, mark = _CITATIONS.get(code, (duty.citation, duty.verification))
        days = duty.deadline.amount if kind == "after" else None
        found.append(OrderConstraint(code, kind, citation, mark, duty.recipient, days))
    return tuple(found)


@dataclass(frozen=True)
class LawEnforcementDelay:
    """A law that lets a law-enforcement agency delay the individuals' notice: its clock runs
    from the end of the delay (the individuals' deadline moves by the hold's length)."""

    jurisdiction: str
    citation: str
    verification: Mark

    @property
    def needs_review(self) -> bool:
        return self.verification == "U"


# Beyond the US modules that cite their own clause: HIPAA's § 164.412 [V]. GDPR, UK GDPR and
# the other national laws name no such pause of their clocks: a hold there delays the notices
# but not the deadline.
_DELAYS: dict[str, tuple[str, Mark]] = {
    "US-HIPAA": ("45 CFR 164.412", "V"),
}


def law_enforcement_delay(code: str) -> LawEnforcementDelay | None:
    """Whether this law pauses its individual-notice clock for a law-enforcement delay."""
    if code in _DELAYS:
        return LawEnforcementDelay(code, *_DELAYS[code])
    try:
        regulator = load(code)
    except KeyError:
        return None
    own = getattr(regulator, "law_enforcement_delay_citation", None)
    if own:
        return LawEnforcementDelay(code, own, regulator.duty("individuals").verification)
    if code.startswith("US-") and hasattr(regulator, "row"):
        # Nearly every state statute has the clause, but the 50-state table does not record
        # it: applied, and marked unverified so that a responder confirms it.
        return LawEnforcementDelay(code, regulator.duty("individuals").citation, "U")
    return None
