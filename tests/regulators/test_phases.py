"""Phased reports: every law with phases gives one obligation per phase, each with its own
deadline, citation and mark (an unverified phase needs review)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from regulators import get_regulator
from regulators.rules import EARLY_PHASES, PHASES
from tests.regulators import facts


def _phases(code: str, subjects: int = 5000, **changes: object) -> dict[str, object]:
    drafts = facts.assess(get_regulator(code), subjects, **changes)["all"]
    return {d.phase: d for d in drafts if d.audience == "regulator" and d.required}


def test_gdpr_initial_within_72_hours_then_supplementary_under_art_33_4():
    phases = _phases("EU")
    initial, later = phases["initial"], phases["supplementary"]
    assert initial.deadline == datetime(2026, 11, 23, 10, 30, tzinfo=UTC)
    assert (later.citation, later.verification, later.deadline) == ("GDPR Art. 33(4)", "V", None)
    assert "undue further delay" in later.deadline_rule
    assert "number_notified" in later.content


def test_uk_gdpr_has_the_same_phases_with_the_commissioner():
    phases = _phases("GB")
    assert set(phases) == {"initial", "supplementary"}
    assert phases["supplementary"].citation == "UK GDPR Art. 33(4)"
    assert phases["supplementary"].recipient == phases["initial"].recipient


@pytest.mark.parametrize(("cause", "days"), [("external_attack", 60), ("insider_error", 30)])
def test_japan_preliminary_promptly_and_final_within_30_or_60_days(cause, days):
    phases = _phases("JP", cause=cause, data_categories=frozenset({"name", "payment_card"}))
    assert phases["preliminary"].deadline is None
    assert "速やかに" in phases["preliminary"].deadline_rule
    assert phases["final"].deadline == facts.AWARE + timedelta(days=days)
    assert "number_notified" in phases["final"].content


def test_vermont_preliminary_within_14_business_days_then_the_follow_up():
    phases = _phases("US-VT")
    preliminary = phases["preliminary"]
    # 14 business days from Friday 20 November 2026 (Thanksgiving 26 November is no business day).
    assert preliminary.deadline == datetime(2026, 12, 11, 10, 30, tzinfo=UTC)
    assert phases["final"].citation.endswith("(follow-up)")
    assert phases["final"].deadline != preliminary.deadline


def test_china_cac_initial_within_4_hours_then_an_unverified_summary():
    drafts = facts.assess(get_regulator("CN"), 1_200_000)["all"]
    cac = [d for d in drafts if d.audience == "regulator" and "办法" in d.citation]
    by_phase = {d.phase: d for d in cac}
    assert by_phase["initial"].deadline == datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
    summary = by_phase["final"]
    assert summary.deadline is None and "30 days after" in summary.deadline_rule
    assert summary.verification == "U" and summary.needs_review


def test_brazil_supplement_within_20_business_days_and_india_72_hour_report():
    brazil = _phases("BR")
    assert brazil["supplementary"].deadline is not None
    assert brazil["supplementary"].deadline > brazil["initial"].deadline
    board = [
        d
        for d in facts.assess(get_regulator("IN"), 50, aware_at=datetime(2027, 6, 1, tzinfo=UTC))["all"]
        if d.recipient == "Data Protection Board of India"
    ]
    assert [(d.phase, d.deadline) for d in board] == [
        ("initial", None),
        ("final", datetime(2027, 6, 4, tzinfo=UTC)),
    ]


def test_phases_are_a_closed_vocabulary_and_early_ones_are_drafted_first():
    assert set(PHASES) > EARLY_PHASES
    with pytest.raises(ValueError, match="phase"):
        from regulators.deadlines import IMMEDIATELY
        from regulators.rules import Duty

        Duty("regulator", citation="x", verification="V", deadline=IMMEDIATELY, phase="later")
