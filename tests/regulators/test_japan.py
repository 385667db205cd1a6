"""Japan: APPI Art. 26."""

from __future__ import annotations

from typing import ClassVar

import pytest

from regulators import get_regulator
from tests.regulators import facts
from tests.regulators.contract import RegulatorContract


class TestJapan(RegulatorContract):
    code = "JP"
    marks: ClassVar[dict[str, frozenset[str]]] = {
        "APPI Art. 26(1); PPC Rules Art. 8(1)": frozenset({"V"}),
        "APPI Art. 26(1); PPC Rules Art. 8(2)": frozenset({"V"}),
        "APPI Art. 26(2)": frozenset({"V"}),
        "APPI Art. 26(2) proviso": frozenset({"V"}),
    }

    @pytest.mark.parametrize(("subjects", "cause", "categories", "reportable"), [
        (1000, "insider_error", facts.CONTACT_ONLY, False),
        (1001, "insider_error", facts.CONTACT_ONLY, True),  # more than 1,000
        (1, "insider_error", facts.HEALTH, True),  # sensitive, even one person
        (1, "external_attack", facts.CONTACT_ONLY, True),  # wrongful purpose
    ])
    def test_reportable_situations_rules_art_7(
        self, subjects: int, cause: str, categories: frozenset[str], reportable: bool
    ) -> None:
        out = facts.assess(get_regulator("JP"), subjects, cause=cause, data_categories=categories)
        assert out["regulator"].required is reportable
        assert out["individuals"].required is reportable

    @pytest.mark.parametrize(("cause", "days"), [("insider_error", 30), ("external_attack", 60)])
    def test_final_report_30_or_60_days_rules_art_8(self, cause: str, days: int) -> None:
        out = facts.assess(get_regulator("JP"), 5, cause=cause, data_categories=facts.HEALTH)
        final = [d for d in out["all"] if d.citation.endswith("Art. 8(2)")]
        assert len(final) == 1
        assert final[0].deadline_rule == f"{days} calendar days from awareness"

    def test_advanced_encryption_is_out_of_scope(self) -> None:
        out = facts.assess(get_regulator("JP"), 5000, encrypted=True)
        assert not out["regulator"].required
