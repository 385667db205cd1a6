"""The parts a jurisdiction's law is declared with: duties, thresholds, encryption, substitute notice.

Every part validates itself on construction, so a malformed rule fails at import, not in an
assessment. Thresholds keep the statute's comparator: "more than 500" is `Threshold(">", 500)`,
"500 or more" is `Threshold(">=", 500)`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any, Literal

from regulators.content import unknown_elements
from regulators.deadlines import Deadline
from regulators.vocab import AUDIENCES, CHANNELS

if TYPE_CHECKING:
    from regulators.facts import Population

Mark = Literal["V", "S", "U"]
MARKS: tuple[str, ...] = ("V", "S", "U")
# The phases of a report (GDPR Art. 33(4), Japan 速報/確報, Vermont's preliminary notice): the
# early ones are drafted right after assessment, the later ones once the notices went out.
PHASES: tuple[str, ...] = ("initial", "preliminary", "final", "supplementary")
EARLY_PHASES: frozenset[str] = frozenset({"initial", "preliminary"})
OP_WORDS = {">": "more than", ">=": "at least", "any": "any"}


def weakest(*marks: Mark) -> Mark:
    """The mark an obligation resting on several rules carries: the least verified one."""
    return max(marks, key=MARKS.index)


@dataclass(frozen=True)
class Threshold:
    op: Literal[">", ">=", "any"]
    value: int = 0
    unit: str = "affected residents"

    def __post_init__(self) -> None:
        if self.op == "any" and self.value != 0:
            raise ValueError("an 'any' threshold takes no value")
        if self.op != "any" and self.value <= 0:
            raise ValueError(f"threshold {self.op} needs a positive value")

    def met(self, n: float) -> bool:
        if self.op == "any":
            return n >= 1
        return n > self.value if self.op == ">" else n >= self.value

    def describe(self) -> str:
        if self.op == "any":
            return f"any {self.unit.removeprefix('affected ')}"
        return f"{OP_WORDS[self.op]} {self.value:,} {self.unit}"

    def verdict(self, n: float) -> str:
        """A lawyer-readable sentence: '640 is more than 500 affected residents'."""
        shown = f"{n:,.0f}"
        return (
            f"{shown} meets the threshold: {self.describe()}"
            if self.met(n)
            else f"{shown} does not meet the threshold: {self.describe()}"
        )

    def to_json(self) -> dict[str, Any]:
        return {"op": self.op, "value": self.value, "unit": self.unit}


ANY = Threshold("any")


@dataclass(frozen=True)
class Duty:
    """One audience's duty under one law: recipient, threshold, deadline, content, citation."""

    audience: str
    citation: str
    verification: Mark
    deadline: Deadline
    recipient: str | None = None
    threshold: Threshold = ANY
    content: tuple[str, ...] = ()
    prohibited_content: tuple[str, ...] = ()
    channels: tuple[str, ...] = ()
    channel_rules: tuple[str, ...] = ()
    order: str | None = None
    # Tells two duties to one audience apart (HIPAA: HHS now vs. the annual log).
    key: str | None = None
    # ISO date from which the rule applies, where it is not yet in force everywhere (India r. 7).
    in_force_from: str | None = None
    # Which report of a phased duty this is (PHASES); every other duty is "initial".
    phase: str = "initial"

    def __post_init__(self) -> None:
        if self.phase not in PHASES:
            raise ValueError(f"unknown phase {self.phase!r}")
        if self.audience not in AUDIENCES:
            raise ValueError(f"unknown audience {self.audience!r}")
        if self.verification not in MARKS:
            raise ValueError(f"unknown verification mark {self.verification!r}")
        if not self.citation:
            raise ValueError("a duty needs a citation")
        bad = unknown_elements(self.content + self.prohibited_content)
        if bad:
            raise ValueError(f"unknown content elements {bad}")
        if set(self.channels) - set(CHANNELS):
            raise ValueError(f"unknown channels {set(self.channels) - set(CHANNELS)}")
        if self.in_force_from is not None:
            date.fromisoformat(self.in_force_from)

    def to_json(self) -> dict[str, Any]:
        return {
            "audience": self.audience,
            "key": self.key,
            "recipient": self.recipient,
            "threshold": self.threshold.to_json(),
            "deadline": self.deadline.to_json(),
            "content": list(self.content),
            "prohibited_content": list(self.prohibited_content),
            "channels": list(self.channels),
            "channel_rules": list(self.channel_rules),
            "order": self.order,
            "in_force_from": self.in_force_from,
            "phase": self.phase,
            "citation": self.citation,
            "verification": self.verification,
        }


@dataclass(frozen=True)
class Encryption:
    """Whether encryption removes the duty, for whom, and whether a lost key undoes that."""

    scope: Literal["trigger", "individuals", "factor", "none"]
    key_compromise_negates: bool | None
    citation: str
    verification: Mark
    standard: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "scope": self.scope,
            "key_compromise_negates": self.key_compromise_negates,
            "standard": self.standard,
            "citation": self.citation,
            "verification": self.verification,
        }


@dataclass(frozen=True)
class Component:
    kind: Literal[
        "email", "website", "statewide_media", "media", "toll_free", "public_announcement",
        "login_notice", "regulator_letter", "alternative_direct",
    ]
    min_days: int | None = None
    detail: str = ""

    def text(self) -> str:
        days = f" for at least {self.min_days} days" if self.min_days else ""
        return f"{self.kind}{days}" + (f": {self.detail}" if self.detail else "")


@dataclass(frozen=True)
class SubstituteNotice:
    """When individual notice may be replaced by public notice, and what that consists of."""

    citation: str
    verification: Mark
    components: tuple[Component, ...]
    # US statutes: cost "exceeds" $X or the class "exceeds" N people (strict).
    cost: Threshold | None = None
    count: Threshold | None = None
    insufficient_contact: bool = True
    # A judgment condition such as GDPR Art. 34(3)(c) "disproportionate effort".
    judgment: str | None = None
    components_all: bool = True

    def applies(self, population: Population) -> tuple[bool, bool, list[str]]:
        """(applies, for the whole class, reasons)."""
        reasons: list[str] = []
        whole = False
        cost = population.notice_cost_usd
        if self.cost is not None and cost is not None and self.cost.met(cost):
            whole = True
            reasons.append(f"notice cost ${cost:,.0f}: {self.cost.describe()}")
        if self.count is not None and self.count.met(population.triggered):
            whole = True
            reasons.append(f"{population.triggered:,} people: {self.count.describe()}")
        if self.insufficient_contact and population.unreachable > 0:
            reasons.append(f"{population.unreachable:,} people have no usable contact details")
        return bool(reasons), whole, reasons

    def component_texts(self) -> tuple[str, ...]:
        return tuple(c.text() for c in self.components)

    def to_json(self) -> dict[str, Any]:
        return {
            "cost": self.cost.to_json() if self.cost else None,
            "count": self.count.to_json() if self.count else None,
            "insufficient_contact": self.insufficient_contact,
            "judgment": self.judgment,
            "components": list(self.component_texts()),
            "components_all": self.components_all,
            "citation": self.citation,
            "verification": self.verification,
        }


@dataclass(frozen=True)
class NoticeFormat:
    """Prescribed form of the individual notice (California § 1798.82(d)(1))."""

    citation: str
    verification: Mark
    title: str | None = None
    headings: tuple[str, ...] = ()
    min_font_pt: int | None = None
    plain_language: bool = True

    def to_json(self) -> dict[str, Any]:
        return {
            "title": self.title,
            "headings": list(self.headings),
            "min_font_pt": self.min_font_pt,
            "plain_language": self.plain_language,
            "citation": self.citation,
            "verification": self.verification,
        }


def public_duty(substitute: SubstituteNotice, individuals: Duty) -> Duty:
    """The public (substitute) notice: same clock and content as the notice it stands in for."""
    return Duty(
        "public",
        citation=substitute.citation,
        verification=substitute.verification,
        deadline=individuals.deadline,
        content=individuals.content,
        prohibited_content=individuals.prohibited_content,
    )
