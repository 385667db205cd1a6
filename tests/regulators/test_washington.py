"""Washington, RCW 19.255.010: 30 days, AG > 500 within 30 days, disputed CRA rule."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import ClassVar

import pytest

from regulators import get_regulator
from tests.regulators import facts
from tests.regulators.contract import RegulatorContract

WA = get_regulator("US-WA")


class TestWashington(RegulatorContract):
    code = "US-WA"
    marks: ClassVar[dict[str, frozenset[str]]] = {
        "RCW 19.255.010(8)": frozenset({"V"}),
        "RCW 19.255.010(7)": frozenset({"V"}),
        "RCW 19.255.010(9)(c)": frozenset({"S"}),
    }

    @pytest.mark.parametrize(("residents", "required"), [(500, False), (501, True)])
    def test_attorney_general_more_than_500_7(self, residents: int, required: bool) -> None:
        ag = facts.assess(WA, residents)["regulator"]
        assert ag.required is required
        assert ag.deadline == datetime(2026, 12, 20, 10, 30, tzinfo=UTC)

    def test_full_date_of_birth_counts(self) -> None:
        assert WA.triggered_by(frozenset({"name", "date_of_birth"}), facts.BASE)

    def test_no_credit_agency_duty(self) -> None:
        # Audit point 6: neither the statute nor the AG's page sets a CRA duty.
        out = facts.assess(WA, 10_000)
        assert "credit_agencies" not in out
        assert not any(d.audience == "credit_agencies" for d in WA.duties)
