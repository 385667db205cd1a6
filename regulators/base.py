"""The facts a jurisdiction reads, the drafts it returns, and the base class every module extends.

A module declares its law as class attributes built from the parts in `regulators.rules`
(duties, thresholds, deadlines, substitute notice) and overrides `obligations()` only where the
law needs judgment. `Regulator.draft()` turns one `Duty` into one `ObligationDraft` so that every
module fills citations, marks, deadlines and review flags the same way.

An obligation's verification mark is that of the rule creating the duty, its threshold and its
deadline (rules.md); definitions and content lists carry their own marks in `describe()`. It
needs review when that mark is [U] or when it rests on a judgment (risk of harm, "likely high
risk", an exemption the engine recommends relying on).

`ObligationDraft.order` says how a notice sits against another: "before:individuals",
"not_after:individuals", "with:individuals", "after:individuals", "not_before:regulator".
`relative_to` names the notice a relative deadline counts from: an audience of the same law,
or "<jurisdiction>:<audience>" of another (NY § 899-aa(9): "US-HIPAA:regulator").
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, ClassVar

from regulators.rules import Duty, Encryption, Mark, NoticeFormat, SubstituteNotice


@dataclass(frozen=True)
class IncidentFacts:
    external_id: str
    detected_at: datetime
    aware_at: datetime
    determined_at: datetime
    occurred_from: datetime | None
    occurred_to: datetime | None
    breach_types: frozenset[str]
    cause: str | None
    data_categories: frozenset[str]
    encrypted: bool
    key_compromised: bool
    contained: bool | None
    law_enforcement_delay: bool
    # Singapore s.26D(1) counts from the day the breach is assessed as notifiable; None falls
    # back to `determined_at`.
    assessed_at: datetime | None = None
    # The data came from records of care (45 CFR 160.103): at a covered entity, any identifier
    # in them is protected health information, not only the health categories.
    records_of_care: bool = False

    @property
    def secured(self) -> bool:
        """Encrypted with the key intact: the common safe-harbour test."""
        return self.encrypted and not self.key_compromised

    @property
    def acquisition_possible(self) -> bool:
        """Acquisition/leak statutes need a confidentiality breach; unknown types count as one."""
        return not self.breach_types or "confidentiality" in self.breach_types


@dataclass(frozen=True)
class OrgFacts:
    establishment: str | None
    hipaa_covered_entity: bool
    critical_infrastructure: bool
    # CN 2025 Measures Art. 4: central and state organs report within 2 hours.
    state_organ: bool = False
    # 23 NYCRR 500.17(a): entities regulated by the New York DFS report to its superintendent.
    dfs_regulated: bool = False
    # 9 V.S.A. § 2435(b)(3): licensees of the Vermont Department of Financial Regulation report
    # to it instead of the Attorney General.
    vt_dfr_regulated: bool = False


@dataclass(frozen=True)
class Population:
    subjects: int
    triggered: int
    categories: frozenset[str]
    minors: int
    unreachable: int
    notice_cost_usd: float | None
    # Triggered people per ISO 3166-2 region, where a law counts per state (HIPAA § 164.406).
    by_region: tuple[tuple[str, int], ...] = ()
    # Triggered people at or above the law's `elderly_age` on the day of awareness (Brazil).
    elderly: int = 0


@dataclass(frozen=True)
class ObligationDraft:
    jurisdiction: str
    audience: str
    required: bool
    count: int | None
    deadline: datetime | None
    deadline_rule: str
    recipient: str | None
    citation: str
    verification: str
    reasons: tuple[str, ...]
    substitute_notice: bool
    needs_review: bool
    content: tuple[str, ...] = ()
    relative_to: str | None = None
    relative_days: int | None = None
    # Elements the notice must NOT contain (Massachusetts c. 93H § 3(b)).
    prohibited_content: tuple[str, ...] = ()
    # Permitted channels (ids from incidents.vocab.CHANNELS); () = not prescribed.
    channels: tuple[str, ...] = ()
    channel_rules: tuple[str, ...] = ()
    # "before:individuals", "not_after:individuals", "after:regulator" ...
    order: str | None = None
    notify_guardians: bool = False
    substitute_components: tuple[str, ...] = ()

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for key, value in self.__dict__.items():
            if isinstance(value, datetime):
                out[key] = value.isoformat().replace("+00:00", "Z")
            elif isinstance(value, tuple):
                out[key] = list(value)
            else:
                out[key] = value
        return out


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
