"""South Korea: PIPA Art. 34."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import ClassVar

import pytest

from regulators import get_regulator
from tests.regulators import facts
from tests.regulators.contract import RegulatorContract


class TestSouthKorea(RegulatorContract):
    code = "KR"
    marks: ClassVar[dict[str, frozenset[str]]] = {
        "PIPA Art. 34(1); Decree Art. 39": frozenset({"S"}),
        "PIPA Art. 34(3); Decree Art. 40": frozenset({"S"}),
        "PIPA Decree Art. 39 (posting)": frozenset({"S"}),
    }

    @pytest.mark.parametrize(("subjects", "cause", "categories", "report"), [
        (999, "insider_error", facts.CONTACT_ONLY, False),
        (1000, "insider_error", facts.CONTACT_ONLY, True),
        (1, "insider_error", frozenset({"name", "national_id"}), True),
        (1, "external_attack", facts.CONTACT_ONLY, True),
    ])
    def test_pipc_report_thresholds_decree_40(
        self, subjects: int, cause: str, categories: frozenset[str], report: bool
    ) -> None:
        out = facts.assess(get_regulator("KR"), subjects, cause=cause, data_categories=categories)
        assert out["regulator"].required is report
        assert out["individuals"].required
        assert out["individuals"].deadline == datetime(2026, 11, 23, 10, 30, tzinfo=UTC)
