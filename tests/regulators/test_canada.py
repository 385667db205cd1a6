"""Canada: PIPEDA ss. 10.1-10.3."""

from __future__ import annotations

from typing import ClassVar

import pytest

from regulators import get_regulator
from tests.regulators import facts
from tests.regulators.contract import RegulatorContract


class TestCanada(RegulatorContract):
    code = "CA"
    marks: ClassVar[dict[str, frozenset[str]]] = {
        "PIPEDA s. 10.1(1)": frozenset({"V"}),
        "PIPEDA s. 10.1(3)": frozenset({"V"}),
        "SOR/2018-64 s. 5": frozenset({"V"}),
    }

    @pytest.mark.parametrize(("categories", "rrosh"), [
        (facts.CONTACT_ONLY, False), (facts.CARD, True), (facts.HEALTH, True),
    ])
    def test_real_risk_of_significant_harm_10_1(
        self, categories: frozenset[str], rrosh: bool
    ) -> None:
        out = facts.assess(get_regulator("CA"), 5, data_categories=categories)
        assert out["regulator"].required is rrosh and out["individuals"].required is rrosh
        assert out["regulator"].needs_review
        assert out["regulator"].recipient == "Office of the Privacy Commissioner of Canada"
