"""New York, GBL § 899-aa: access counts, 30 days, AG/DOS/State Police for any, CRAs > 5,000."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import ClassVar

import pytest

from regulators import OrgFacts, get_regulator
from tests.regulators import facts
from tests.regulators.contract import RegulatorContract

NY = get_regulator("US-NY")
GBL = "N.Y. Gen. Bus. Law § 899-aa"


def by_citation(out: dict[str, object], citation: str) -> object:
    return next(d for d in out["all"] if d.citation == citation)  # type: ignore[attr-defined]


class TestNewYork(RegulatorContract):
    code = "US-NY"
    marks: ClassVar[dict[str, frozenset[str]]] = {
        f"{GBL}(2)": frozenset({"S"}),
        f"{GBL}(8)(a)": frozenset({"V"}),
        "23 NYCRR 500.17(a)": frozenset({"V"}),
        f"{GBL}(9)": frozenset({"V"}),
        f"{GBL}(8)(b)": frozenset({"V"}),
        f"{GBL}(5)(d)": frozenset({"V"}),
    }

    @pytest.mark.parametrize(("categories", "expected"), [
        ({"email", "ssn"}, True),  # any identifier, not only a name
        ({"name", "payment_card"}, True),  # card number usable without a code
        ({"name", "health_insurance"}, True),  # since 2025-03-21
        ({"username", "security_qa"}, True),
        ({"name", "phone"}, False),
    ])
    def test_private_information_1(self, categories: set[str], expected: bool) -> None:
        assert NY.triggered_by(frozenset(categories), facts.BASE) is expected

    def test_any_resident_brings_in_the_three_agencies_8a(self) -> None:
        agencies = by_citation(facts.assess(NY, 1), f"{GBL}(8)(a)")
        assert agencies.required and "State Police" in agencies.recipient  # type: ignore[attr-defined]

    @pytest.mark.parametrize(("residents", "required"), [(5000, False), (5001, True)])
    def test_credit_agencies_more_than_5000_8b(self, residents: int, required: bool) -> None:
        assert facts.assess(NY, residents)["credit_agencies"].required is required

    def test_dfs_72_hours_after_determination_for_regulated_entities_500_17(self) -> None:
        # Audit point 4: 72 hours after determining that a cybersecurity incident occurred,
        # not "without delaying notice to residents".
        dfs = "23 NYCRR 500.17(a)"
        assert not by_citation(facts.assess(NY, 3), dfs).required  # type: ignore[attr-defined]
        regulated = OrgFacts("US", False, False, dfs_regulated=True)
        notice = by_citation(facts.assess(NY, 3, org=regulated), dfs)
        assert notice.required and notice.verification == "V"  # type: ignore[attr-defined]
        assert notice.deadline == datetime(2026, 11, 24, 9, 0, tzinfo=UTC)  # type: ignore[attr-defined]
        assert "Superintendent" in notice.recipient  # type: ignore[attr-defined]

    def test_hipaa_entity_tells_the_ag_5_business_days_after_hhs_9(self) -> None:
        hipaa = OrgFacts("US", True, False)
        notice = by_citation(facts.assess(NY, 3, org=hipaa, data_categories=facts.HEALTH),
                             f"{GBL}(9)")
        assert notice.required and notice.relative_to == "US-HIPAA:regulator"  # type: ignore[attr-defined]
        assert notice.relative_days == 5 and notice.deadline is None  # type: ignore[attr-defined]
        assert not by_citation(facts.assess(NY, 3), f"{GBL}(9)").required  # type: ignore[attr-defined]

    def test_no_hhs_notice_no_ag_notice_under_9(self) -> None:
        # Audit point 3: § 899-aa(9) follows an actual notice to HHS. Encrypted PHI with its key
        # intact is secured: HIPAA requires no HHS notice, so nor does (9).
        hipaa = OrgFacts("US", True, False)
        secured = by_citation(facts.assess(NY, 3, org=hipaa, data_categories=facts.HEALTH,
                                           encrypted=True), f"{GBL}(9)")
        assert not secured.required  # type: ignore[attr-defined]
        lost_key = by_citation(facts.assess(NY, 3, org=hipaa, data_categories=facts.HEALTH,
                                            encrypted=True, key_compromised=True), f"{GBL}(9)")
        assert lost_key.required  # type: ignore[attr-defined]

    def test_email_needs_consent_and_credentials_avoid_the_mailbox_5(self) -> None:
        individuals = facts.assess(NY, 3, data_categories=facts.CREDENTIALS)["individuals"]
        assert any("expressly consented" in r for r in individuals.channel_rules)
        assert any("login" in r for r in individuals.channel_rules)
        assert {"contact", "agency_contacts", "data_categories"} <= set(individuals.content)

    def test_inadvertent_disclosure_exception_2a(self) -> None:
        individuals = facts.assess(NY, 3, cause="insider_error")["individuals"]
        assert individuals.required and any("5 years" in r for r in individuals.reasons)
