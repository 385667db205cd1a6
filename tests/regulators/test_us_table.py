"""The 50-state table: every generic state passes the contract; comparators and orderings."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from regulators import get_regulator
from regulators.registry import MODULES, REGULATORS
from regulators.us_states.table import BY_STATE, OWN_MODULE, ROWS
from tests.regulators import facts
from tests.regulators.contract import RegulatorContract

GENERIC = [row for row in ROWS if row.state not in OWN_MODULE]

# One contract class per generic state (holidays runs CommonCountryTests per country).
for _row in GENERIC:
    _marks = {"S"} | ({"U"} if "U" in (_row.regulator_mark, _row.cra_mark) else set())
    globals()[f"TestUs{_row.state}"] = type(f"TestUs{_row.state}", (RegulatorContract,), {
        "code": f"US-{_row.state}", "marks": {_row.citation: frozenset(_marks)},
    })


def test_table_has_50_states_dc_and_pr() -> None:
    assert len(ROWS) == 52 == len(BY_STATE)
    assert {"DC", "PR"} <= set(BY_STATE)


def test_own_modules_override_the_table() -> None:
    assert {f"US-{s}" for s in OWN_MODULE} == {c for c in MODULES if c.startswith("US-")} - {
        "US-HIPAA"}
    for state in OWN_MODULE:
        assert REGULATORS[f"US-{state}"] == MODULES[f"US-{state}"]


@pytest.mark.parametrize(("code", "residents", "required"), [
    ("US-DC", 49, False), ("US-DC", 50, True),  # AG >= 50
    ("US-DE", 500, False), ("US-DE", 501, True),  # AG > 500
    ("US-CO", 499, False), ("US-CO", 500, True),  # AG >= 500
    ("US-ND", 250, False), ("US-ND", 251, True),  # AG > 250
    ("US-CT", 1, True),  # AG for any resident
])
def test_regulator_comparators(code: str, residents: int, required: bool) -> None:
    assert facts.assess(get_regulator(code), residents)["regulator"].required is required


@pytest.mark.parametrize(("code", "people", "required"), [
    ("US-MN", 500, False), ("US-MN", 501, True),  # CRA > 500
    ("US-AL", 999, False), ("US-AL", 1000, True),  # CRA >= 1,000
    ("US-GA", 10_000, False), ("US-GA", 10_001, True),  # CRA > 10,000
])
def test_cra_comparators(code: str, people: int, required: bool) -> None:
    assert facts.assess(get_regulator(code), people)["credit_agencies"].required is required


@pytest.mark.parametrize(("code", "order"), [
    ("US-MD", "before:individuals"), ("US-NJ", "before:individuals"),
    ("US-CT", "not_after:individuals"), ("US-IL", "not_after:individuals"),
])
def test_ordering_constraints(code: str, order: str) -> None:
    assert facts.assess(get_regulator(code), 5)["regulator"].order == order


def test_iowa_five_business_days_after_consumers() -> None:
    ag = facts.assess(get_regulator("US-IA"), 600)["regulator"]
    assert ag.relative_to == "individuals" and ag.relative_days == 5 and ag.deadline is None


def test_vermont_14_business_days_across_thanksgiving() -> None:
    # Discovery Fri 2026-11-20; Thanksgiving Thu 11-26 is skipped: 14th business day 12-11.
    ag = facts.assess(get_regulator("US-VT"), 5)["regulator"]
    assert ag.deadline == datetime(2026, 12, 11, 10, 30, tzinfo=UTC)


def test_puerto_rico_ten_days_from_detection() -> None:
    daco = facts.assess(get_regulator("US-PR"), 5)["regulator"]
    assert daco.deadline == datetime(2026, 11, 30, 8, 0, tzinfo=UTC)


def test_wider_elements_apply_but_need_review() -> None:
    core = facts.assess(get_regulator("US-OH"), 5)["individuals"]
    wider = facts.assess(get_regulator("US-OH"), 5, data_categories=facts.HEALTH)["individuals"]
    assert core.required and wider.required
    assert wider.needs_review and any("[U]" in r for r in wider.reasons)


def test_unverified_rows_are_flagged() -> None:
    assert facts.assess(get_regulator("US-VA"), 5)["regulator"].needs_review
    assert facts.assess(get_regulator("US-PA"), 600)["credit_agencies"].needs_review
