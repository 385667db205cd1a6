"""Singapore: PDPA Part 6A."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import ClassVar

import pytest

from regulators import get_regulator
from tests.regulators import facts
from tests.regulators.contract import RegulatorContract


class TestSingapore(RegulatorContract):
    code = "SG"
    marks: ClassVar[dict[str, frozenset[str]]] = {
        "PDPA s. 26D(1)": frozenset({"V", "S"}),  # S when notifiable by scale only (reg. 4)
        "PDPA s. 26D(2)": frozenset({"V"}),
    }

    @pytest.mark.parametrize(("subjects", "pdpc"), [(499, False), (500, True)])
    def test_significant_scale_500_reg_4(self, subjects: int, pdpc: bool) -> None:
        out = facts.assess(get_regulator("SG"), subjects, data_categories=facts.CONTACT_ONLY)
        assert out["regulator"].required is pdpc
        assert not out["individuals"].required  # scale alone: PDPC only

    def test_three_days_from_assessment_26d1(self) -> None:
        assessed = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)
        out = facts.assess(get_regulator("SG"), 5, data_categories=facts.CARD,
                           assessed_at=assessed)
        assert out["regulator"].deadline == datetime(2026, 11, 28, 9, 0, tzinfo=UTC)
        assert out["individuals"].required and out["individuals"].order == "not_before:regulator"

    def test_encryption_exempts_individuals_not_pdpc_26d5(self) -> None:
        out = facts.assess(get_regulator("SG"), 5, data_categories=facts.CARD, encrypted=True)
        assert out["regulator"].required
        assert not out["individuals"].required and out["individuals"].needs_review

    def test_three_days_run_to_the_end_of_the_third_day_said_so_26d1(self) -> None:
        # Audit point 11: the engine's deadline (72 hours) is earlier than the law's (end of
        # the third day after the day of assessment, Singapore time); it says so, and says
        # that the s. 26B(4) exclusion is not modelled.
        assessed = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)  # 17:00 in Singapore
        pdpc = facts.assess(get_regulator("SG"), 5, data_categories=facts.CARD,
                            assessed_at=assessed)["regulator"]
        assert pdpc.deadline == datetime(2026, 11, 28, 9, 0, tzinfo=UTC)
        assert any("2026-11-28 23:59 Singapore time" in r and "conservative" in r
                   for r in pdpc.reasons)
        assert any("s. 26B(4)" in r and "not model" in r for r in pdpc.reasons)
        assert "end of the third day" in pdpc.deadline_rule
