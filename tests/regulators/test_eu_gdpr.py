"""EU GDPR Arts. 33-34: 72 hours to the lead authority, high-risk communication, exemptions."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import ClassVar

import pytest

from regulators import OrgFacts, get_regulator
from tests.regulators import facts
from tests.regulators.contract import RegulatorContract

EU = get_regulator("EU")


class TestEuGdpr(RegulatorContract):
    code = "EU"
    marks: ClassVar[dict[str, frozenset[str]]] = {
        "GDPR Art. 33(1)": frozenset({"V"}),
        "GDPR Art. 33(4)": frozenset({"V"}),
        "GDPR Art. 34(1)": frozenset({"V"}),
        "GDPR Art. 34(3)(c)": frozenset({"V"}),
    }

    def test_any_personal_data_art_4_12(self) -> None:
        assert EU.triggered_by(frozenset({"ip_address"}), facts.BASE)
        assert EU.triggered_by(frozenset({"email"}), facts.incident(encrypted=True))

    def test_72_hours_from_awareness_art_33_1(self) -> None:
        sa = facts.assess(EU, 10, data_categories=facts.CONTACT_ONLY)["regulator"]
        assert sa.required
        assert sa.deadline == datetime(2026, 11, 23, 10, 30, tzinfo=UTC)
        assert any("reasons for the delay" in r for r in sa.reasons)

    def test_unlikely_to_result_in_a_risk_is_a_judgment_art_33_1(self) -> None:
        # Audit point 13: the exemption is a judgment like the other risk tests, so the
        # engine's recommendation (notify) goes to a person to confirm.
        sa = facts.assess(EU, 10, data_categories=facts.CONTACT_ONLY,
                          org=OrgFacts("IE", False, False))["regulator"]
        assert sa.required and sa.needs_review
        assert any("unlikely to result in a risk" in r and "recommends notifying" in r
                   for r in sa.reasons)

    @pytest.mark.parametrize(("establishment", "recipient", "one_stop_shop"), [
        ("IE", "Data Protection Commission (Ireland)", True),
        ("FR", "Commission nationale de l'informatique et des libertés (CNIL)", True),
        ("NO", "Datatilsynet (Norway)", True),  # EEA, not EU
        ("US", "supervisory authority of each member state where data subjects reside", False),
        (None, "supervisory authority of each member state where data subjects reside", False),
    ])
    def test_lead_authority_by_establishment_art_56(
        self, establishment: str | None, recipient: str, one_stop_shop: bool
    ) -> None:
        org = OrgFacts(establishment=establishment, hipaa_covered_entity=False,
                       critical_infrastructure=False)
        sa = facts.assess(EU, 10, org=org)["regulator"]
        assert sa.recipient == recipient
        assert any("no one-stop shop" in r for r in sa.reasons) is not one_stop_shop

    def test_unlikely_risk_is_a_recommendation_art_33_1(self) -> None:
        sa = facts.assess(EU, 10, encrypted=True)["regulator"]
        assert not sa.required and sa.needs_review

    # Art. 34(1): high risk recommended from the categories; always a judgment call.
    @pytest.mark.parametrize(("categories", "high"), [
        (facts.CONTACT_ONLY, False),
        (facts.CREDENTIALS, True),
        (facts.HEALTH, True),
        (facts.CARD, True),
        (frozenset({"name", "religion"}), True),
    ])
    def test_high_risk_recommendation_art_34_1(
        self, categories: frozenset[str], high: bool
    ) -> None:
        subjects = facts.assess(EU, 10, data_categories=categories)["individuals"]
        assert subjects.required is high
        assert subjects.needs_review and subjects.deadline is None
        assert subjects.deadline_rule == "without undue delay"

    def test_children_raise_the_risk(self) -> None:
        subjects = facts.assess(EU, 10, data_categories=facts.CONTACT_ONLY, minors=1)
        assert subjects["individuals"].required

    @pytest.mark.parametrize(("encrypted", "key", "required"), [
        (False, False, True), (True, False, False), (True, True, True),
    ])
    def test_encryption_exemption_art_34_3_a(
        self, encrypted: bool, key: bool, required: bool
    ) -> None:
        out = facts.assess(EU, 10, data_categories=facts.CREDENTIALS, encrypted=encrypted,
                           key_compromised=key)
        assert out["individuals"].required is required

    def test_disproportionate_effort_public_communication_art_34_3_c(self) -> None:
        out = facts.assess(EU, 100, data_categories=facts.CREDENTIALS, unreachable=7)
        assert out["public"].required and out["public"].count == 7
        assert out["public"].needs_review and out["individuals"].substitute_notice
        none = facts.assess(EU, 100, data_categories=facts.CONTACT_ONLY, unreachable=7)
        assert not none["public"].required

    def test_content_art_33_3_and_34_2(self) -> None:
        out = facts.assess(EU, 10)
        assert {"dpo_contact", "likely_consequences", "measures_taken", "number_affected",
                "data_categories"} <= set(out["regulator"].content)
        assert {"what_happened", "dpo_contact", "likely_consequences",
                "measures_taken"} == set(out["individuals"].content)
