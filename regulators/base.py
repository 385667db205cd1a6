"""The base class every jurisdiction module extends (the facts it reads and the drafts it returns
are in `regulators.facts`).

A module declares its law as class attributes built from the parts in `regulators.rules`
(duties, thresholds, deadlines, substitute notice) and overrides `obligations()` only where the
law needs judgment. `Regulator.draft()` turns one `Duty` into one `ObligationDraft` so that every
module fills citations, marks, deadlines and review flags the same way.

An obligation's verification mark is that of the rule creating the duty, its threshold and its
deadline (docs/law/rules.md); definitions and content lists carry their own marks in `describe()`. It
needs review when that mark is [U] or when it rests on a judgment (risk of harm, "likely high
risk", an exemption the engine recommends relying on).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, ClassVar

from regulators.facts import IncidentFacts, ObligationDraft, OrgFacts, Population
from regulators.methods import ANY_DIRECT, NoticeMethods
from regulators.rules import Duty, Encryption, Mark, NoticeFormat, SubstituteNotice


class Regulator:
    """One jurisdiction. Subclasses set the class attributes and, where needed, `obligations()`."""

    code: ClassVar[str]
    name: ClassVar[str]
    # ISO 3166-1 country whose public holidays bound business-day deadlines.
    country: ClassVar[str]
    # Bumped whenever a rule in the module changes; assessments snapshot it.
    version: ClassVar[str] = "2026.1"
    duties: ClassVar[tuple[Duty, ...]] = ()
    encryption: ClassVar[Encryption]
    substitute: ClassVar[SubstituteNotice | None] = None
    # The individual-notice methods this law accepts (regulators/methods.py).
    methods: ClassVar[NoticeMethods] = ANY_DIRECT
    notice_format: ClassVar[NoticeFormat | None] = None
    minors_rule: ClassVar[str | None] = None
    # Age from which a law treats a person's data as an elderly person's (Brazil); None = no rule.
    elderly_age: ClassVar[int | None] = None

    def triggered_by(self, categories: frozenset[str], incident: IncidentFacts) -> bool:
        raise NotImplementedError

    def obligations(
        self, *, incident: IncidentFacts, org: OrgFacts, population: Population
    ) -> list[ObligationDraft]:
        raise NotImplementedError

    def duty(self, audience: str, key: str | None = None) -> Duty:
        for duty in self.duties:
            if duty.audience == audience and (key is None or duty.key == key):
                return duty
        raise KeyError(f"{self.code} declares no {audience} duty {key or ''}".rstrip())

    def draft(
        self,
        duty: Duty,
        incident: IncidentFacts,
        *,
        required: bool,
        reasons: Iterable[str],
        count: int | None = None,
        needs_review: bool = False,
        substitute_notice: bool = False,
        content: tuple[str, ...] | None = None,
        recipient: str | None = None,
        notify_guardians: bool = False,
        channel_rules: tuple[str, ...] = (),
        verification: Mark | None = None,
    ) -> ObligationDraft:
        """One obligation from one duty; an obligation resting on a [U] rule needs review."""
        mark = verification or duty.verification
        return ObligationDraft(
            jurisdiction=self.code,
            audience=duty.audience,
            required=required,
            count=count,
            deadline=duty.deadline.due(incident),
            deadline_rule=duty.deadline.rule,
            recipient=recipient if recipient is not None else duty.recipient,
            citation=duty.citation,
            verification=mark,
            reasons=tuple(reasons),
            substitute_notice=substitute_notice,
            needs_review=needs_review or mark == "U",
            content=duty.content if content is None else content,
            relative_to=duty.deadline.relative_to,
            relative_days=duty.deadline.amount if duty.deadline.relative_to else None,
            prohibited_content=duty.prohibited_content,
            channels=duty.channels,
            channel_rules=duty.channel_rules + channel_rules,
            order=duty.order,
            notify_guardians=notify_guardians,
            phase=duty.phase,
            substitute_components=(
                self.substitute.component_texts() if substitute_notice and self.substitute else ()
            ),
        )

    def describe(self) -> dict[str, Any]:
        """The rules as data, for `breachflow rules --json` and assessment snapshots."""
        return {
            "code": self.code,
            "name": self.name,
            "version": self.version,
            "module": type(self).__module__,
            "encryption": self.encryption.to_json(),
            "duties": [duty.to_json() for duty in self.duties],
            "substitute_notice": self.substitute.to_json() if self.substitute else None,
            "notice_format": self.notice_format.to_json() if self.notice_format else None,
            "minors": self.minors_rule,
        }
