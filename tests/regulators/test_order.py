"""Order constraints and law-enforcement delays as data, with citations and marks."""

from __future__ import annotations

from regulators.order import constraints, law_enforcement_delay


def test_new_jersey_tells_its_state_police_before_the_customers():
    (police,) = constraints("US-NJ")
    assert police.kind == "before" and police.holds_individuals
    assert police.citation == "N.J.S.A. 56:8-163(c)(1)" and police.verification == "V"
    assert "Division of State Police" in (police.recipient or "")


def test_california_sends_the_attorney_general_a_copy_within_15_days_after_the_residents():
    (copy,) = constraints("US-CA")
    assert (copy.kind, copy.days, copy.holds_individuals) == ("after", 15, False)
    assert copy.citation == "Cal. Civ. Code § 1798.82(f)"


def test_massachusetts_tells_its_regulators_at_the_same_time():
    assert [c.kind for c in constraints("US-MA")] == ["with"]


def test_which_clocks_a_law_enforcement_delay_pauses():
    assert law_enforcement_delay("EU") is None and law_enforcement_delay("GB") is None
    california = law_enforcement_delay("US-CA")
    assert california is not None and california.citation == "Cal. Civ. Code § 1798.82(c)"
    assert not california.needs_review
    hipaa = law_enforcement_delay("US-HIPAA")
    assert hipaa is not None and hipaa.citation == "45 CFR 164.412"
    # The 50-state table does not record the clause: applied, and put up for review.
    ohio = law_enforcement_delay("US-OH")
    assert ohio is not None and ohio.needs_review
