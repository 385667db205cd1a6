"""California, Cal. Civ. Code § 1798.82: triggers, 30 days, AG > 500, substitute notice."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import ClassVar

import pytest

from regulators import get_regulator
from tests.regulators import facts
from tests.regulators.contract import RegulatorContract

CA = get_regulator("US-CA")


class TestCalifornia(RegulatorContract):
    code = "US-CA"
    marks: ClassVar[dict[str, frozenset[str]]] = {
        "Cal. Civ. Code § 1798.82(a)": frozenset({"V"}),  # addendum: 30 days [V]
        "Cal. Civ. Code § 1798.82(f)": frozenset({"S"}),  # >500 [V], 15 days [S]
        "Cal. Civ. Code § 1798.82(j)(3)": frozenset({"S"}),  # substitute [S]
    }

    # § 1798.82(h): which of a person's categories make "personal information".
    @pytest.mark.parametrize(("categories", "expected"), [
        ({"name", "ssn"}, True),
        ({"name", "drivers_license"}, True),
        ({"name", "health"}, True),
        ({"name", "license_plate"}, True),  # ALPR data
        ({"ssn"}, False),  # no name
        ({"name", "email", "phone"}, False),
        ({"email", "password"}, True),  # (h)(2) online credentials, no name needed
        ({"username", "security_qa"}, True),
        ({"name", "payment_card"}, False),  # card number without its code
        ({"name", "payment_card", "account_access_code"}, True),
    ])
    def test_personal_information_h(self, categories: set[str], expected: bool) -> None:
        assert CA.triggered_by(frozenset(categories), facts.BASE) is expected

    # § 1798.82(a): encrypted data counts only when the key was acquired too.
    @pytest.mark.parametrize(("encrypted", "key", "expected"), [
        (False, False, True), (True, False, False), (True, True, True),
    ])
    def test_encryption_safe_harbour_a(self, encrypted: bool, key: bool, expected: bool) -> None:
        incident = facts.incident(encrypted=encrypted, key_compromised=key)
        assert CA.triggered_by(facts.ID_THEFT, incident) is expected
        assert facts.assess(CA, 10, encrypted=encrypted, key_compromised=key)[
            "individuals"].required is expected

    def test_acquisition_needs_a_confidentiality_breach_a(self) -> None:
        availability = facts.incident(breach_types=frozenset({"availability"}))
        assert not CA.triggered_by(facts.ID_THEFT, availability)

    def test_thirty_calendar_days_from_discovery_a2(self) -> None:
        individuals = facts.assess(CA, 640)["individuals"]
        assert individuals.deadline == datetime(2026, 12, 20, 10, 30, tzinfo=UTC)
        assert individuals.deadline_rule == "30 calendar days from discovery"
        assert not individuals.needs_review  # no risk-of-harm test in California

    # § 1798.82(f): more than 500 residents, not 500 or more.
    @pytest.mark.parametrize(("residents", "required"), [(499, False), (500, False), (501, True)])
    def test_attorney_general_more_than_500_f(self, residents: int, required: bool) -> None:
        ag = facts.assess(CA, residents)["regulator"]
        assert ag.required is required
        assert ag.recipient == "California Attorney General"
        assert ag.deadline is None and ag.relative_to == "individuals" and ag.relative_days == 15
        assert ag.deadline_rule == "within 15 calendar days of notifying residents"

    # § 1798.82(j)(3): cost > $250,000, class > 500,000, or insufficient contact information.
    @pytest.mark.parametrize(("subjects", "cost", "unreachable", "allowed"), [
        (500_000, 250_000.0, 0, False),
        (500_001, None, 0, True),
        (1_000, 250_001.0, 0, True),
        (1_000, None, 1, True),
        (1_000, None, 0, False),
    ])
    def test_substitute_notice_j(
        self, subjects: int, cost: float | None, unreachable: int, allowed: bool
    ) -> None:
        out = facts.assess(CA, subjects, cost=cost, unreachable=unreachable)
        assert out["individuals"].substitute_notice is allowed
        assert out["public"].substitute_notice is allowed
        assert out["public"].required is (allowed and unreachable > 0)
        if allowed:
            assert any("30 days" in c for c in out["public"].substitute_components)

    def test_content_adds_cra_and_id_theft_services_for_ssn_d2(self) -> None:
        ssn = facts.assess(CA, 10)["individuals"].content
        card = facts.assess(CA, 10, data_categories=facts.CARD)["individuals"].content
        assert {"cra_contacts", "identity_theft_services"} <= set(ssn)
        assert "cra_contacts" not in card
        assert {"contact", "data_categories", "date_of_breach", "notice_date",
                "law_enforcement_delay", "what_happened"} <= set(card)

    def test_credential_breach_keeps_off_the_breached_mailbox(self) -> None:
        drafts = facts.assess(CA, 10, data_categories=facts.CREDENTIALS)
        assert "credential_reset" in drafts["individuals"].content
        assert any("breached e-mail account" in r for r in drafts["individuals"].channel_rules)

    def test_notice_format_d1(self) -> None:
        fmt = CA.notice_format
        assert fmt is not None and fmt.title == "Notice of Data Breach"
        assert fmt.min_font_pt == 10 and len(fmt.headings) == 5

    def test_law_enforcement_delay_is_flagged_c(self) -> None:
        individuals = facts.assess(CA, 10, law_enforcement_delay=True)["individuals"]
        assert individuals.needs_review
        assert any("1798.82(c)" in r for r in individuals.reasons)
