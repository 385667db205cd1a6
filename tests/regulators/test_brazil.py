"""Brazil: LGPD Art. 48."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import ClassVar

import pytest

from regulators import get_regulator
from tests.regulators import facts
from tests.regulators.contract import RegulatorContract


class TestBrazil(RegulatorContract):
    code = "BR"
    marks: ClassVar[dict[str, frozenset[str]]] = {
        "LGPD Art. 48; Res. CD/ANPD 15/2024": frozenset({"S"}),
        "LGPD Art. 48; Res. CD/ANPD 15/2024 (titulares)": frozenset({"S"}),
        "Res. CD/ANPD 15/2024 (comunicação pública)": frozenset({"S"}),
    }

    def test_three_business_days_across_christmas(self) -> None:
        aware = datetime(2026, 12, 23, 15, 0, tzinfo=UTC)
        out = facts.assess(get_regulator("BR"), 5, aware_at=aware, data_categories=facts.CARD)
        for audience in ("regulator", "individuals"):
            assert out[audience].deadline == datetime(2026, 12, 29, 15, 0, tzinfo=UTC)

    @pytest.mark.parametrize(("categories", "minors", "relevant"), [
        (facts.CONTACT_ONLY, 0, False),
        (facts.CONTACT_ONLY, 1, True),  # children's data
        (facts.CREDENTIALS, 0, True),  # authentication data
        (frozenset({"name", "religion"}), 0, True),  # sensitive data
    ])
    def test_relevant_risk_criteria_res_15(
        self, categories: frozenset[str], minors: int, relevant: bool
    ) -> None:
        out = facts.assess(get_regulator("BR"), 5, data_categories=categories, minors=minors)
        assert out["regulator"].required is relevant and out["regulator"].needs_review

    def test_public_communication_90_days(self) -> None:
        public = facts.assess(get_regulator("BR"), 5, data_categories=facts.CARD,
                              unreachable=3)["public"]
        assert public.required and any("90 days" in c for c in public.substitute_components)
