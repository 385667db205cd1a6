"""China: PIPL Art. 57 (immediately, Art. 57(2) exemption, minors) and the 2025 CAC Measures."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import ClassVar

import pytest

from regulators import OrgFacts, get_regulator
from tests.regulators import facts
from tests.regulators.contract import RegulatorContract

CN = get_regulator("CN")
MEASURES = "国家网络安全事件报告管理办法 Art. 4 (CAC, effective 2025-11-01)"


def cac(out: dict[str, object]) -> object:
    return next(d for d in out["all"] if d.citation == MEASURES)  # type: ignore[attr-defined]


class TestChina(RegulatorContract):
    code = "CN"
    marks: ClassVar[dict[str, frozenset[str]]] = {
        "PIPL Art. 57": frozenset({"V", "U"}),  # U when the minors' guardian rule applies
        f"{MEASURES} (post-incident summary)": frozenset({"U"}),
        MEASURES: frozenset({"V", "U"}),  # V for Art. 4 and the 100M tier, U for lower tiers
        "GB/T 35273-2020 § 10.2; 网络数据安全管理条例 Art. 11": frozenset({"U"}),
    }

    def test_any_personal_information_art_57(self) -> None:
        assert CN.triggered_by(frozenset({"device_id"}), facts.BASE)
        integrity = facts.incident(breach_types=frozenset({"integrity"}))
        assert CN.triggered_by(frozenset({"email"}), integrity)  # tampering counts

    def test_immediately_to_individuals_and_regulator_art_57(self) -> None:
        out = facts.assess(CN, 3)
        for audience in ("individuals", "regulator"):
            assert out[audience].required and out[audience].deadline is None
            assert "立即" in out[audience].deadline_rule
        assert {"data_categories", "cause", "likely_consequences", "measures_taken",
                "what_you_can_do", "contact"} <= set(out["individuals"].content)

    def test_effective_measures_exemption_art_57_2(self) -> None:
        out = facts.assess(CN, 3, encrypted=True)
        assert not out["individuals"].required and out["individuals"].needs_review
        assert out["regulator"].required  # the regulator is still told
        keyless = facts.assess(CN, 3, encrypted=True, key_compromised=True)
        assert keyless["individuals"].required and not keyless["individuals"].needs_review

    def test_minors_and_guardians(self) -> None:
        individuals = facts.assess(CN, 30, minors=2)["individuals"]
        assert individuals.notify_guardians and individuals.needs_review
        assert individuals.verification == "U"

    # Annex grades: 较大 >= 1,000,000 [U], 重大 >= 10,000,000 [U], 特别重大 >= 100,000,000 [V].
    @pytest.mark.parametrize(("leaked", "required", "mark"), [
        (999_999, False, "U"),
        (1_000_000, True, "U"),
        (10_000_000, True, "U"),
        (99_999_999, True, "U"),
        (100_000_000, True, "V"),
    ])
    def test_cac_grade_thresholds(self, leaked: int, required: bool, mark: str) -> None:
        report = cac(facts.assess(CN, leaked))
        assert report.required is required and report.verification == mark  # type: ignore[attr-defined]
        assert report.needs_review is (mark == "U")  # type: ignore[attr-defined]

    @pytest.mark.parametrize(("org", "hours", "recipient"), [
        (facts.ORG, 4, "provincial CAC of the locality (属地省级网信部门)"),
        (OrgFacts(None, False, True), 1, "CII protection department and public security organ"),
        (OrgFacts(None, False, False, state_organ=True), 2,
         "the organ's own cyberspace-affairs unit"),
    ])
    def test_cac_hours_from_discovery_art_4(
        self, org: OrgFacts, hours: int, recipient: str
    ) -> None:
        report = cac(facts.assess(CN, 2_000_000, org=org))
        assert report.recipient == recipient  # type: ignore[attr-defined]
        assert report.deadline == datetime(2026, 11, 20, 8 + hours, tzinfo=UTC)  # type: ignore[attr-defined]

    def test_public_warning_when_people_cannot_be_reached(self) -> None:
        out = facts.assess(CN, 30, unreachable=4)
        assert out["public"].required and out["public"].count == 4 and out["public"].needs_review
        assert not facts.assess(CN, 30)["public"].required
