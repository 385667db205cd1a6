"""Deadline arithmetic: hours, calendar days and business days, from the moment each law names.

Business days skip Saturdays, Sundays and the public holidays of the law's country (the
`holidays` package), counted on the local calendar of `tz`; results are always UTC-aware.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from typing import TYPE_CHECKING, Literal
from zoneinfo import ZoneInfo

import holidays

if TYPE_CHECKING:
    from regulators.facts import IncidentFacts

Unit = Literal["hours", "calendar_days", "business_days", "none"]
Anchor = Literal["awareness", "discovery", "determination", "detection", "assessment"]

# What each anchor is called in a deadline rule; docs/contracts.md maps discovery to `aware_at`.
ANCHOR_WORDS: dict[str, str] = {
    "awareness": "awareness",
    "discovery": "discovery",
    "determination": "determination of the breach",
    "detection": "detection",
    "assessment": "assessment as notifiable",
}
UNIT_WORDS: dict[str, str] = {
    "hours": "hours",
    "calendar_days": "calendar days",
    "business_days": "business days",
}


def _require_aware(moment: datetime) -> None:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"deadline arithmetic needs an aware datetime, got {moment!r}")


def add_hours(start: datetime, hours: int) -> datetime:
    _require_aware(start)
    return (start + timedelta(hours=hours)).astimezone(UTC)


def add_calendar_days(start: datetime, days: int) -> datetime:
    _require_aware(start)
    return (start + timedelta(days=days)).astimezone(UTC)


@lru_cache(maxsize=64)
def _calendar(country: str, subdiv: str | None) -> holidays.HolidayBase:
    return holidays.country_holidays(country, subdiv=subdiv)


def is_business_day(day: date, *, country: str, subdiv: str | None = None) -> bool:
    return day.weekday() < 5 and day not in _calendar(country, subdiv)


def add_business_days(
    start: datetime, days: int, *, country: str, subdiv: str | None = None, tz: str = "UTC"
) -> datetime:
    """The same local time of day on the `days`-th business day after the start's local date."""
    _require_aware(start)
    local = start.astimezone(ZoneInfo(tz))
    day = local.date()
    counted = 0
    while counted < days:
        day += timedelta(days=1)
        if is_business_day(day, country=country, subdiv=subdiv):
            counted += 1
    end = datetime.combine(day, local.time(), tzinfo=ZoneInfo(tz))
    return end.astimezone(UTC)


def anchor_time(incident: IncidentFacts, anchor: Anchor) -> datetime:
    if anchor in ("awareness", "discovery"):
        return incident.aware_at
    if anchor == "determination":
        return incident.determined_at
    if anchor == "detection":
        return incident.detected_at
    return incident.assessed_at or incident.determined_at


@dataclass(frozen=True)
class Deadline:
    """A deadline as the law states it: unit, amount and anchor (or another notice)."""

    unit: Unit
    amount: int | None = None
    anchor: Anchor | None = None
    # Audience whose notice starts the clock ("15 days after notifying individuals").
    relative_to: str | None = None
    country: str | None = None
    subdiv: str | None = None
    tz: str = "UTC"
    # Wording of the law where the generated text would lose meaning ("immediately (立即)").
    text: str | None = None

    def __post_init__(self) -> None:
        timed = self.unit != "none"
        if timed and (self.amount is None or self.amount <= 0):
            raise ValueError(f"{self.unit} deadline needs a positive amount")
        if timed and (self.anchor is None) == (self.relative_to is None):
            raise ValueError("a timed deadline needs exactly one of anchor / relative_to")
        if self.unit == "business_days" and self.country is None:
            raise ValueError("business days need the country whose holidays apply")
        if not timed and self.text is None:
            raise ValueError("an untimed deadline needs the law's words in `text`")

    @property
    def rule(self) -> str:
        if self.text is not None:
            return self.text
        unit = UNIT_WORDS[self.unit]
        if self.amount == 1:
            unit = unit.removesuffix("s")
        if self.relative_to is not None:
            return f"within {self.amount} {unit} of notifying {self.relative_to}"
        return f"{self.amount} {unit} from {ANCHOR_WORDS[self.anchor or 'awareness']}"

    def due(self, incident: IncidentFacts) -> datetime | None:
        """Absolute UTC deadline, or None when untimed or counted from another notice."""
        if self.unit == "none" or self.anchor is None or self.amount is None:
            return None
        start = anchor_time(incident, self.anchor)
        if self.unit == "hours":
            return add_hours(start, self.amount)
        if self.unit == "calendar_days":
            return add_calendar_days(start, self.amount)
        return add_business_days(
            start, self.amount, country=self.country or "", subdiv=self.subdiv, tz=self.tz
        )

    def to_json(self) -> dict[str, object]:
        return {
            "unit": self.unit,
            "amount": self.amount,
            "anchor": self.anchor,
            "relative_to": self.relative_to,
            "holidays": self.country if self.unit == "business_days" else None,
            "rule": self.rule,
        }


IMMEDIATELY = Deadline("none", text="immediately")
WITHOUT_UNDUE_DELAY = Deadline("none", text="without undue delay")
WITHOUT_UNREASONABLE_DELAY = Deadline("none", text="without unreasonable delay")
