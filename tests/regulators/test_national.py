"""Canada, Australia, Brazil, Singapore, Japan, South Korea and India."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import ClassVar

import pytest

from regulators import Population, get_regulator
from tests.regulators import facts
from tests.regulators.contract import RegulatorContract


class TestCanada(RegulatorContract):
    code = "CA"
    marks: ClassVar[dict[str, frozenset[str]]] = {
        "PIPEDA s. 10.1(1)": frozenset({"V"}),
        "PIPEDA s. 10.1(3)": frozenset({"V"}),
        "SOR/2018-64 s. 5": frozenset({"V"}),
    }

    @pytest.mark.parametrize(("categories", "rrosh"), [
        (facts.CONTACT_ONLY, False), (facts.CARD, True), (facts.HEALTH, True),
    ])
    def test_real_risk_of_significant_harm_10_1(
        self, categories: frozenset[str], rrosh: bool
    ) -> None:
        out = facts.assess(get_regulator("CA"), 5, data_categories=categories)
        assert out["regulator"].required is rrosh and out["individuals"].required is rrosh
        assert out["regulator"].needs_review
        assert out["regulator"].recipient == "Office of the Privacy Commissioner of Canada"


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


class TestBrazil(RegulatorContract):
    code = "BR"
    marks: ClassVar[dict[str, frozenset[str]]] = {
        "LGPD Art. 48; Res. CD/ANPD 15/2024": frozenset({"S"}),
        "LGPD Art. 48; Res. CD/ANPD 15/2024 (titulares)": frozenset({"S"}),
        "Res. CD/ANPD 15/2024 (comunicação pública)": frozenset({"S"}),
    }

    def test_three_business_days_across_christmas(self) -> None:
        aware = datetime(2026, 12, 23, 15, 0, tzinfo=UTC)
        out = facts.assess(get_regulator("BR"), 5, aware_at=aware, data_categories=facts.CARD)
        for audience in ("regulator", "individuals"):
            assert out[audience].deadline == datetime(2026, 12, 29, 15, 0, tzinfo=UTC)

    @pytest.mark.parametrize(("categories", "minors", "relevant"), [
        (facts.CONTACT_ONLY, 0, False),
        (facts.CONTACT_ONLY, 1, True),  # children's data
        (facts.CREDENTIALS, 0, True),  # authentication data
        (frozenset({"name", "religion"}), 0, True),  # sensitive data
    ])
    def test_relevant_risk_criteria_res_15(
        self, categories: frozenset[str], minors: int, relevant: bool
    ) -> None:
        out = facts.assess(get_regulator("BR"), 5, data_categories=categories, minors=minors)
        assert out["regulator"].required is relevant and out["regulator"].needs_review

    def test_elderly_people_and_large_scale_are_relevant_risk_res_15_art_5(self) -> None:
        # Audit point 7: data of elderly people and large scale are criteria too.
        brazil = get_regulator("BR")
        facts_ = facts.incident(data_categories=facts.CONTACT_ONLY)
        pop = Population(5, 5, facts.CONTACT_ONLY, 0, 0, None, elderly=1)
        anpd = brazil.obligations(incident=facts_, org=facts.ORG, population=pop)[0]
        assert anpd.required and any("elderly" in r for r in anpd.reasons)
        assert brazil.elderly_age == 60
        many = facts.assess(brazil, 1000, data_categories=facts.CONTACT_ONLY)["regulator"]
        few = facts.assess(brazil, 999, data_categories=facts.CONTACT_ONLY)["regulator"]
        assert many.required and not few.required and many.needs_review and few.needs_review
        assert any("large scale" in r for r in many.reasons)

    def test_small_agents_double_time_stated_conservative(self) -> None:
        out = facts.assess(get_regulator("BR"), 5, data_categories=facts.CARD)
        assert any("6 business days" in r and "conservative" in r
                   for r in out["regulator"].reasons)

    def test_public_communication_90_days(self) -> None:
        public = facts.assess(get_regulator("BR"), 5, data_categories=facts.CARD,
                              unreachable=3)["public"]
        assert public.required and any("90 days" in c for c in public.substitute_components)


class TestSingapore(RegulatorContract):
    code = "SG"
    marks: ClassVar[dict[str, frozenset[str]]] = {
        "PDPA s. 26D(1)": frozenset({"V", "S"}),  # S when notifiable by scale only (reg. 4)
        "PDPA s. 26D(2)": frozenset({"V"}),
    }

    @pytest.mark.parametrize(("subjects", "pdpc"), [(499, False), (500, True)])
    def test_significant_scale_500_reg_4(self, subjects: int, pdpc: bool) -> None:
        out = facts.assess(get_regulator("SG"), subjects, data_categories=facts.CONTACT_ONLY)
        assert out["regulator"].required is pdpc
        assert not out["individuals"].required  # scale alone: PDPC only

    def test_three_days_from_assessment_26d1(self) -> None:
        assessed = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)
        out = facts.assess(get_regulator("SG"), 5, data_categories=facts.CARD,
                           assessed_at=assessed)
        assert out["regulator"].deadline == datetime(2026, 11, 28, 9, 0, tzinfo=UTC)
        assert out["individuals"].required and out["individuals"].order == "not_before:regulator"

    def test_three_days_run_to_the_end_of_the_third_day_said_so_26d1(self) -> None:
        # Audit point 11: the engine's deadline (72 hours) is earlier than the law's (end of
        # the third day after the day of assessment, Singapore time); it says so, and says
        # that the s. 26B(4) exclusion is not modelled.
        assessed = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)  # 17:00 in Singapore
        pdpc = facts.assess(get_regulator("SG"), 5, data_categories=facts.CARD,
                            assessed_at=assessed)["regulator"]
        assert pdpc.deadline == datetime(2026, 11, 28, 9, 0, tzinfo=UTC)
        assert any("2026-11-28 23:59 Singapore time" in r and "conservative" in r
                   for r in pdpc.reasons)
        assert any("s. 26B(4)" in r and "not model" in r for r in pdpc.reasons)
        assert "end of the third day" in pdpc.deadline_rule

    def test_encryption_exempts_individuals_not_pdpc_26d5(self) -> None:
        out = facts.assess(get_regulator("SG"), 5, data_categories=facts.CARD, encrypted=True)
        assert out["regulator"].required
        assert not out["individuals"].required and out["individuals"].needs_review


class TestJapan(RegulatorContract):
    code = "JP"
    marks: ClassVar[dict[str, frozenset[str]]] = {
        "APPI Art. 26(1); PPC Rules Art. 8(1)": frozenset({"V"}),
        "APPI Art. 26(1); PPC Rules Art. 8(2)": frozenset({"V"}),
        "APPI Art. 26(2)": frozenset({"V"}),
        "APPI Art. 26(2) proviso": frozenset({"V"}),
    }

    @pytest.mark.parametrize(("subjects", "cause", "categories", "reportable"), [
        (1000, "insider_error", facts.CONTACT_ONLY, False),
        (1001, "insider_error", facts.CONTACT_ONLY, True),  # more than 1,000
        (1, "insider_error", facts.HEALTH, True),  # sensitive, even one person
        (1, "external_attack", facts.CONTACT_ONLY, True),  # wrongful purpose
    ])
    def test_reportable_situations_rules_art_7(
        self, subjects: int, cause: str, categories: frozenset[str], reportable: bool
    ) -> None:
        out = facts.assess(get_regulator("JP"), subjects, cause=cause, data_categories=categories)
        assert out["regulator"].required is reportable
        assert out["individuals"].required is reportable

    @pytest.mark.parametrize(("cause", "days"), [("insider_error", 30), ("external_attack", 60)])
    def test_final_report_30_or_60_days_rules_art_8(self, cause: str, days: int) -> None:
        out = facts.assess(get_regulator("JP"), 5, cause=cause, data_categories=facts.HEALTH)
        final = [d for d in out["all"] if d.citation.endswith("Art. 8(2)")]
        assert len(final) == 1
        assert final[0].deadline_rule == f"{days} calendar days from awareness"

    def test_advanced_encryption_is_out_of_scope(self) -> None:
        out = facts.assess(get_regulator("JP"), 5000, encrypted=True)
        assert not out["regulator"].required


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


class TestIndia(RegulatorContract):
    code = "IN"
    marks: ClassVar[dict[str, frozenset[str]]] = {
        "DPDP Act s. 8(6); DPDP Rules 2025 r. 7(1)": frozenset({"V", "U"}),
        "DPDP Rules 2025 r. 7(2)(a)": frozenset({"V", "U"}),
        "DPDP Rules 2025 r. 7(2)(b)": frozenset({"V", "U"}),
        "CERT-In Directions of 28 April 2022": frozenset({"S"}),
    }

    def test_everything_is_notified_even_encrypted_8_6(self) -> None:
        out = facts.assess(get_regulator("IN"), 5, encrypted=True,
                           data_categories=facts.CONTACT_ONLY)
        assert out["individuals"].required

    @pytest.mark.parametrize(("aware", "mark"), [
        (datetime(2026, 11, 20, tzinfo=UTC), "U"), (datetime(2027, 6, 1, tzinfo=UTC), "V"),
    ])
    def test_rule_7_commencement(self, aware: datetime, mark: str) -> None:
        out = facts.assess(get_regulator("IN"), 5, aware_at=aware,
                           detected_at=aware, determined_at=aware)
        assert out["individuals"].verification == mark
        assert out["individuals"].needs_review is (mark == "U")

    def test_rule_7_commencement_is_stated(self) -> None:
        # Audit point 12: the commencement date is in the rule and in its output.
        duties = {d["citation"]: d for d in get_regulator("IN").describe()["duties"]}
        assert duties["DPDP Rules 2025 r. 7(2)(b)"]["in_force_from"] == "2027-05-13"
        early = facts.assess(get_regulator("IN"), 5)["individuals"]
        assert any("13 May 2027" in r for r in early.reasons)
        aware = datetime(2027, 5, 13, tzinfo=UTC)
        later = facts.assess(get_regulator("IN"), 5, aware_at=aware, detected_at=aware,
                             determined_at=aware)["individuals"]
        assert later.verification == "V" and any("since 13 May 2027" in r for r in later.reasons)

    def test_board_within_72_hours_and_cert_in_within_6(self) -> None:
        out = facts.assess(get_regulator("IN"), 5)
        deadlines = {d.citation: d.deadline for d in out["all"]}
        assert deadlines["DPDP Rules 2025 r. 7(2)(b)"] == datetime(2026, 11, 23, 10, 30, tzinfo=UTC)
        assert deadlines["CERT-In Directions of 28 April 2022"] == datetime(
            2026, 11, 20, 14, 0, tzinfo=UTC)

    def test_guardians_are_data_principals_2j(self) -> None:
        assert facts.assess(get_regulator("IN"), 5, minors=1)["individuals"].notify_guardians
