"""Deadline arithmetic: hours, calendar days, business days across public holidays."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

import pytest

from regulators.deadlines import (
    Deadline,
    add_business_days,
    add_calendar_days,
    add_hours,
    is_business_day,
)
from tests.regulators import facts


def test_hours_and_calendar_days_stay_utc() -> None:
    cet = timezone(timedelta(hours=1))
    start = datetime(2026, 3, 28, 23, 0, tzinfo=cet)
    assert add_hours(start, 72) == datetime(2026, 3, 31, 22, 0, tzinfo=UTC)
    assert add_calendar_days(start, 30).tzinfo == UTC


def test_naive_datetimes_are_refused() -> None:
    with pytest.raises(ValueError, match="aware"):
        add_hours(datetime(2026, 1, 1), 1)  # noqa: DTZ001


# Brazil: 3 business days over Christmas (Dec 25 holiday, weekend), LGPD/Res. 15/2024.
@pytest.mark.parametrize(("start", "end"), [
    (datetime(2026, 12, 23, 15, 0, tzinfo=UTC), datetime(2026, 12, 29, 15, 0, tzinfo=UTC)),
    (datetime(2026, 12, 18, 15, 0, tzinfo=UTC), datetime(2026, 12, 23, 15, 0, tzinfo=UTC)),
])
def test_business_days_skip_brazilian_holidays(start: datetime, end: datetime) -> None:
    assert add_business_days(start, 3, country="BR", tz="America/Sao_Paulo") == end


def test_business_days_use_the_local_calendar() -> None:
    # 02:00 UTC on Thursday 2026-12-24 is still Wednesday evening in São Paulo.
    start = datetime(2026, 12, 24, 2, 0, tzinfo=UTC)
    assert add_business_days(start, 1, country="BR", tz="America/Sao_Paulo") == start + (
        timedelta(days=1))
    assert add_business_days(start, 1, country="BR") == start + timedelta(days=4)


def test_us_thanksgiving_is_not_a_business_day() -> None:
    assert not is_business_day(date(2026, 11, 26), country="US")
    assert is_business_day(date(2026, 11, 25), country="US")


@pytest.mark.parametrize(("deadline", "expected", "rule"), [
    (Deadline("hours", 72, "awareness"), datetime(2026, 11, 23, 10, 30, tzinfo=UTC),
     "72 hours from awareness"),
    (Deadline("calendar_days", 60, "determination"), datetime(2027, 1, 20, 9, 0, tzinfo=UTC),
     "60 calendar days from determination of the breach"),
    (Deadline("hours", 4, "detection"), datetime(2026, 11, 20, 12, 0, tzinfo=UTC),
     "4 hours from detection"),
    (Deadline("calendar_days", 15, relative_to="individuals"), None,
     "within 15 calendar days of notifying individuals"),
    (Deadline("none", text="without undue delay"), None, "without undue delay"),
])
def test_deadline_anchors(deadline: Deadline, expected: datetime | None, rule: str) -> None:
    assert deadline.due(facts.BASE) == expected
    assert deadline.rule == rule


def test_assessment_anchor_falls_back_to_determination() -> None:
    deadline = Deadline("calendar_days", 3, "assessment")
    assert deadline.due(facts.BASE) == facts.DETERMINED + timedelta(days=3)
    assessed = facts.incident(assessed_at=facts.DETERMINED + timedelta(days=10))
    assert deadline.due(assessed) == facts.DETERMINED + timedelta(days=13)


@pytest.mark.parametrize("bad", [
    {"unit": "hours", "amount": 0, "anchor": "awareness"},
    {"unit": "hours", "amount": 4},
    {"unit": "business_days", "amount": 3, "anchor": "awareness"},
    {"unit": "none"},
])
def test_malformed_deadlines_fail_at_import(bad: dict[str, object]) -> None:
    with pytest.raises(ValueError):
        Deadline(**bad)  # type: ignore[arg-type]
