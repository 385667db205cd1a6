"""Florida, Fla. Stat. § 501.171: 30 days from determination, Department >= 500, CRAs > 1,000."""

from __future__ import annotations

from typing import ClassVar

import pytest

from regulators import get_regulator
from tests.regulators import facts
from tests.regulators.contract import RegulatorContract

FL = get_regulator("US-FL")


class TestFlorida(RegulatorContract):
    code = "US-FL"
    marks: ClassVar[dict[str, frozenset[str]]] = {
        "Fla. Stat. § 501.171(4)": frozenset({"S"}),
        "Fla. Stat. § 501.171(3)": frozenset({"S"}),
        "Fla. Stat. § 501.171(5)": frozenset({"S"}),
        "Fla. Stat. § 501.171(4)(f)": frozenset({"S"}),
    }

    @pytest.mark.parametrize(("residents", "required"), [(499, False), (500, True)])
    def test_department_at_least_500_3(self, residents: int, required: bool) -> None:
        assert facts.assess(FL, residents)["regulator"].required is required

    @pytest.mark.parametrize(("people", "required"), [(1000, False), (1001, True)])
    def test_credit_agencies_more_than_1000_5(self, people: int, required: bool) -> None:
        assert facts.assess(FL, people)["credit_agencies"].required is required

    def test_risk_of_harm_determination_is_a_recommendation_4c(self) -> None:
        individuals = facts.assess(FL, 10)["individuals"]
        assert individuals.required and individuals.needs_review
        assert any("consulting law enforcement" in r for r in individuals.reasons)

    def test_compromised_key_without_a_clause_needs_review(self) -> None:
        individuals = facts.assess(FL, 10, encrypted=True, key_compromised=True)["individuals"]
        assert individuals.required
        assert any("no explicit key-compromise clause" in r for r in individuals.reasons)
        assert not facts.assess(FL, 10, encrypted=True)["individuals"].required
