"""HIPAA, 45 CFR 164.400-414: 60 days, HHS >= 500 vs media > 500 in one State, substitute."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import ClassVar

import pytest

from regulators import OrgFacts, Population, get_regulator, jurisdictions_for
from tests.regulators import facts
from tests.regulators.contract import RegulatorContract

HIPAA = get_regulator("US-HIPAA")
COVERED = OrgFacts("US", hipaa_covered_entity=True, critical_infrastructure=False)


def run(by_region: tuple[tuple[str, int], ...], **kw: object) -> dict[str, object]:
    total = sum(n for _, n in by_region)
    pop = Population(total, total, facts.HEALTH, 0, int(kw.pop("unreachable", 0)), None,  # type: ignore[call-overload]
                     by_region=by_region)
    incident = facts.incident(data_categories=facts.HEALTH)
    out: dict[str, object] = {}
    for draft in HIPAA.obligations(incident=incident, org=COVERED, population=pop):
        out.setdefault(f"{draft.audience}:{draft.citation}", draft)
    return out


class TestUsHipaa(RegulatorContract):
    code = "US-HIPAA"
    marks: ClassVar[dict[str, frozenset[str]]] = {
        "45 CFR 164.404": frozenset({"V", "U"}),  # U with minors / law-enforcement delay
        "45 CFR 164.406": frozenset({"V"}),
        "45 CFR 164.408(b)": frozenset({"V"}),
        "45 CFR 164.408(c)": frozenset({"V"}),
        "45 CFR 164.404(d)(2)": frozenset({"V"}),
    }

    def test_unsecured_phi_only_164_402(self) -> None:
        assert HIPAA.triggered_by(facts.HEALTH, facts.BASE)
        assert not HIPAA.triggered_by(facts.HEALTH, facts.incident(encrypted=True))
        assert HIPAA.triggered_by(facts.HEALTH, facts.incident(encrypted=True,
                                                               key_compromised=True))
        assert not HIPAA.triggered_by(facts.ID_THEFT, facts.BASE)

    def test_identifiers_in_records_of_care_are_phi_160_103(self) -> None:
        # Audit point 8: at a covered entity, name + SSN held in a patient record is PHI. The
        # incident says so with `records_of_care`; without it, only health data counts.
        care = facts.incident(records_of_care=True)
        assert HIPAA.triggered_by(facts.ID_THEFT, care)
        assert not HIPAA.triggered_by(facts.ID_THEFT, facts.BASE)
        assert not HIPAA.triggered_by(facts.ID_THEFT, facts.incident(records_of_care=True,
                                                                     encrypted=True))
        out = facts.assess(HIPAA, 40, org=COVERED, records_of_care=True)
        assert out["individuals"].required
        assert any("records of care" in r and "160.103" in r for r in out["individuals"].reasons)
        assert jurisdictions_for(country="US", region="US-CA", categories=facts.ID_THEFT,
                                 org=COVERED, records_of_care=True) == ["US-CA", "US-HIPAA"]

    def test_sixty_days_from_discovery_164_404(self) -> None:
        individuals = run((("US-CA", 20),))["individuals:45 CFR 164.404"]
        assert individuals.deadline == datetime(2027, 1, 19, 10, 30, tzinfo=UTC)  # type: ignore[attr-defined]
        assert individuals.needs_review  # type: ignore[attr-defined]  # 4-factor assessment

    # 500 in one State: HHS now (>= 500) but no media notice (> 500 in a State).
    @pytest.mark.parametrize(("regions", "hhs", "media"), [
        ((("US-CA", 499),), False, False),
        ((("US-CA", 500),), True, False),
        ((("US-CA", 501),), True, True),
        ((("US-CA", 300), ("US-NV", 300)), True, False),
    ])
    def test_hhs_versus_media_thresholds(
        self, regions: tuple[tuple[str, int], ...], hhs: bool, media: bool
    ) -> None:
        out = run(regions)
        assert out["regulator:45 CFR 164.408(b)"].required is hhs  # type: ignore[attr-defined]
        assert out["regulator:45 CFR 164.408(c)"].required is (not hhs)  # type: ignore[attr-defined]
        assert out["media:45 CFR 164.406"].required is media  # type: ignore[attr-defined]

    def test_small_breach_goes_in_the_annual_log_164_408c(self) -> None:
        log = run((("US-CA", 10),))["regulator:45 CFR 164.408(c)"]
        assert log.deadline == datetime(2027, 3, 2, tzinfo=UTC)  # type: ignore[attr-defined]

    def test_media_names_the_states(self) -> None:
        media = run((("US-CA", 900), ("US-NV", 20)))["media:45 CFR 164.406"]
        assert media.recipient == "prominent media outlets serving US-CA"  # type: ignore[attr-defined]
        assert media.count == 900  # type: ignore[attr-defined]

    @pytest.mark.parametrize(("unreachable", "public"), [(0, False), (9, False), (10, True)])
    def test_substitute_notice_ten_or_more_164_404d2(self, unreachable: int, public: bool) -> None:
        out = run((("US-CA", 40),), unreachable=unreachable)
        assert out["public:45 CFR 164.404(d)(2)"].required is public  # type: ignore[attr-defined]
        if public:
            assert "toll_free for at least 90 days" in " ".join(
                out["public:45 CFR 164.404(d)(2)"].substitute_components)  # type: ignore[attr-defined]

    def test_minors_go_to_the_personal_representative(self) -> None:
        individuals = facts.assess(HIPAA, 30, minors=3, data_categories=facts.HEALTH)[
            "individuals"]
        assert individuals.notify_guardians and individuals.needs_review

    def test_a_person_under_hipaa_and_a_state(self) -> None:
        codes = jurisdictions_for(country="US", region="US-CA", categories=facts.HEALTH,
                                  org=COVERED)
        assert codes == ["US-CA", "US-HIPAA"]
        assert jurisdictions_for(country="US", region="US-CA", categories=facts.ID_THEFT,
                                 org=COVERED) == ["US-CA"]
