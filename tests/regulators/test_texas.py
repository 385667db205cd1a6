"""Texas, Tex. Bus. & Com. Code ch. 521: 60 days, AG >= 250 within 30 days, CRAs > 10,000."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import ClassVar

import pytest

from regulators import get_regulator
from tests.regulators import facts
from tests.regulators.contract import RegulatorContract

TX = get_regulator("US-TX")


class TestTexas(RegulatorContract):
    code = "US-TX"
    marks: ClassVar[dict[str, frozenset[str]]] = {
        "Tex. Bus. & Com. Code § 521.053(b)": frozenset({"V"}),
        "Tex. Bus. & Com. Code § 521.053(i)": frozenset({"V"}),
        "Tex. Bus. & Com. Code § 521.053(h)": frozenset({"S"}),
        "Tex. Bus. & Com. Code § 521.053(f)": frozenset({"S"}),
    }

    # § 521.002: Texas's definition differs from California's.
    @pytest.mark.parametrize(("categories", "expected"), [
        ({"name", "ssn"}, True),
        ({"email", "password"}, False),  # no standalone credentials in Texas
        ({"email", "health"}, True),  # health information identifying the person
        ({"name", "license_plate"}, False),
        ({"name", "financial_account", "account_access_code"}, True),
    ])
    def test_sensitive_personal_information_521_002(
        self, categories: set[str], expected: bool
    ) -> None:
        assert TX.triggered_by(frozenset(categories), facts.BASE) is expected

    def test_60_days_from_determination_521_053_b(self) -> None:
        individuals = facts.assess(TX, 10)["individuals"]
        assert individuals.deadline == datetime(2027, 1, 20, 9, 0, tzinfo=UTC)
        assert individuals.deadline_rule == "60 calendar days from determination of the breach"

    @pytest.mark.parametrize(("residents", "required"), [(249, False), (250, True), (251, True)])
    def test_attorney_general_at_least_250_521_053_i(self, residents: int, required: bool) -> None:
        ag = facts.assess(TX, residents)["regulator"]
        assert ag.required is required
        assert ag.deadline == datetime(2026, 12, 21, 9, 0, tzinfo=UTC)  # 30 days, determination

    @pytest.mark.parametrize(("people", "required"), [(10_000, False), (10_001, True)])
    def test_credit_agencies_more_than_10000_521_053_h(self, people: int, required: bool) -> None:
        assert facts.assess(TX, people)["credit_agencies"].required is required

    def test_key_in_hand_defeats_encryption_521_053_a(self) -> None:
        assert not facts.assess(TX, 10, encrypted=True)["individuals"].required
        assert facts.assess(TX, 10, encrypted=True, key_compromised=True)["individuals"].required
