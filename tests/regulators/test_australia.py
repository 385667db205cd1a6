"""Australia: Privacy Act 1988 Part IIIC."""

from __future__ import annotations

from typing import ClassVar

from regulators import get_regulator
from tests.regulators import facts
from tests.regulators.contract import RegulatorContract


class TestAustralia(RegulatorContract):
    code = "AU"
    marks: ClassVar[dict[str, frozenset[str]]] = {
        "Privacy Act 1988 s. 26WK": frozenset({"V"}),
        "Privacy Act 1988 s. 26WL": frozenset({"V"}),
        "Privacy Act 1988 s. 26WL(2)(c)": frozenset({"V"}),
    }

    def test_statement_then_individuals_26wk_26wl(self) -> None:
        out = facts.assess(get_regulator("AU"), 5, data_categories=facts.CARD, unreachable=2)
        assert out["regulator"].required and out["individuals"].order == "after:regulator"
        assert out["public"].required and out["public"].count == 2
        assert any("2026-12-20" in r for r in out["regulator"].reasons)  # s. 26WH 30 days
