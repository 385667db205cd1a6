"""The facts a jurisdiction reads (incident, organisation, population) and the drafts it returns.

Plain data with no imports from the rest of the law package, so that the rules, the deadline
arithmetic and the base class can all name them without importing one another.

`ObligationDraft.order` says how a notice sits against another: "before:individuals",
"not_after:individuals", "with:individuals", "after:individuals", "not_before:regulator".
`relative_to` names the notice a relative deadline counts from: an audience of the same law,
or "<jurisdiction>:<audience>" of another (NY § 899-aa(9): "US-HIPAA:regulator").
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any


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
    # Permitted channels (ids from regulators.vocab.CHANNELS); () = not prescribed.
    channels: tuple[str, ...] = ()
    channel_rules: tuple[str, ...] = ()
    # "before:individuals", "not_after:individuals", "after:regulator" ...
    order: str | None = None
    notify_guardians: bool = False
    substitute_components: tuple[str, ...] = ()
    # The report's phase (regulators.rules.PHASES): each phase is its own obligation.
    phase: str = "initial"

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
