"""Brazil: LGPD Art. 48."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import ClassVar

import pytest

from regulators import Population, get_regulator
from tests.regulators import facts
from tests.regulators.contract import RegulatorContract


class TestBrazil(RegulatorContract):
    code = "BR"
    marks: ClassVar[dict[str, frozenset[str]]] = {
        "LGPD Art. 48; Res. CD/ANPD 15/2024": frozenset({"S"}),
        "LGPD Art. 48; Res. CD/ANPD 15/2024 (complementação)": frozenset({"S"}),
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

    def test_elderly_people_and_large_scale_are_relevant_risk_res_15_art_5(self) -> None:
        # Audit point 7: data of elderly people and large scale are criteria too.
        brazil = get_regulator("BR")
        facts_ = facts.incident(data_categories=facts.CONTACT_ONLY)
        pop = Population(5, 5, facts.CONTACT_ONLY, 0, 0, None, elderly=1)
        anpd = brazil.obligations(incident=facts_, org=facts.ORG, population=pop)[0]
        assert anpd.required and any("elderly" in r for r in anpd.reasons)
        assert brazil.elderly_age == 60
        many = facts.assess(brazil, 1000, data_categories=facts.CONTACT_ONLY)["regulator"]
        few = facts.assess(brazil, 999, data_categories=facts.CONTACT_ONLY)["regulator"]
        assert many.required and not few.required and many.needs_review and few.needs_review
        assert any("large scale" in r for r in many.reasons)

    def test_small_agents_double_time_stated_conservative(self) -> None:
        out = facts.assess(get_regulator("BR"), 5, data_categories=facts.CARD)
        assert any("6 business days" in r and "conservative" in r
                   for r in out["regulator"].reasons)
