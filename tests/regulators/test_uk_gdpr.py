"""United Kingdom: UK GDPR Arts. 33-34 with the ICO, marked [S]."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import ClassVar

from regulators import get_regulator
from tests.regulators import facts
from tests.regulators.contract import RegulatorContract

GB = get_regulator("GB")


class TestUkGdpr(RegulatorContract):
    code = "GB"
    marks: ClassVar[dict[str, frozenset[str]]] = {
        "UK GDPR Art. 33(1)": frozenset({"S"}),
        "UK GDPR Art. 33(4)": frozenset({"S"}),
        "UK GDPR Art. 34(1)": frozenset({"S"}),
        "UK GDPR Art. 34(3)(c)": frozenset({"S"}),
    }

    def test_ico_within_72_hours_whatever_the_establishment_art_33(self) -> None:
        ico = facts.assess(GB, 5)["regulator"]
        assert ico.recipient == "Information Commissioner's Office (ICO)"
        assert ico.deadline == datetime(2026, 11, 23, 10, 30, tzinfo=UTC)
        assert ico.required
        # Art. 33(1) "unlikely to result in a risk" is a judgment: recommended, for review.
        assert ico.needs_review and any("recommends notifying" in r for r in ico.reasons)

    def test_high_risk_and_encryption_exemption_art_34(self) -> None:
        assert facts.assess(GB, 5, data_categories=facts.HEALTH)["individuals"].required
        assert not facts.assess(GB, 5, data_categories=facts.HEALTH, encrypted=True)[
            "individuals"].required
        assert not facts.assess(GB, 5, data_categories=facts.CONTACT_ONLY)["individuals"].required
