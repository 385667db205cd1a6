"""Massachusetts, M.G.L. c. 93H: content prohibitions, credit monitoring, AG + OCABR for any."""

from __future__ import annotations

from typing import ClassVar

import pytest

from regulators import get_regulator
from tests.regulators import facts
from tests.regulators.contract import RegulatorContract

MA = get_regulator("US-MA")


class TestMassachusetts(RegulatorContract):
    code = "US-MA"
    marks: ClassVar[dict[str, frozenset[str]]] = {
        "M.G.L. c. 93H § 3(b)": frozenset({"V"}),
        "M.G.L. c. 93H § 3(b) (regulators)": frozenset({"V"}),
        "M.G.L. c. 93H § 3(b) (CRAs)": frozenset({"V"}),
        "M.G.L. c. 93H § 1 (substitute notice)": frozenset({"V"}),
    }

    @pytest.mark.parametrize(("categories", "expected"), [
        ({"name", "financial_account"}, True),  # with or without a code
        ({"name", "ssn"}, True),
        ({"email", "password"}, False),
        ({"name", "health"}, False),
    ])
    def test_personal_information_1(self, categories: set[str], expected: bool) -> None:
        assert MA.triggered_by(frozenset(categories), facts.BASE) is expected

    def test_notice_must_not_state_nature_or_number_3b(self) -> None:
        individuals = facts.assess(MA, 10)["individuals"]
        assert {"what_happened", "number_affected"} <= set(individuals.prohibited_content)
        assert {"police_report_right", "security_freeze"} <= set(individuals.content)
        assert individuals.deadline is None

    def test_ssn_brings_credit_monitoring_3a(self) -> None:
        assert "credit_monitoring" in facts.assess(MA, 10)["individuals"].content
        card = facts.assess(MA, 10, data_categories=facts.CARD)["individuals"]
        assert "credit_monitoring" not in card.content

    def test_no_risk_of_harm_exemption_for_acquired_data_3b(self) -> None:
        # Audit point 5: data acquired or used by an unauthorized person must be notified
        # whatever the risk; a "no substantial risk" finding does not remove the duty.
        individuals = facts.assess(MA, 10)["individuals"]
        assert individuals.required and not individuals.needs_review
        assert not any("determination" in r and "risk" in r for r in individuals.reasons)
        assert any("whatever the risk" in r for r in individuals.reasons)

    def test_ag_and_ocabr_for_a_single_resident(self) -> None:
        regulator = facts.assess(MA, 1)["regulator"]
        assert regulator.required and "OCABR" in (regulator.recipient or "")
        assert "wisp_status" in regulator.content
