"""India: DPDP Act s. 8(6)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import ClassVar

import pytest

from regulators import get_regulator
from tests.regulators import facts
from tests.regulators.contract import RegulatorContract


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

    def test_board_within_72_hours_and_cert_in_within_6(self) -> None:
        out = facts.assess(get_regulator("IN"), 5)
        deadlines = {d.citation: d.deadline for d in out["all"]}
        assert deadlines["DPDP Rules 2025 r. 7(2)(b)"] == datetime(2026, 11, 23, 10, 30, tzinfo=UTC)
        assert deadlines["CERT-In Directions of 28 April 2022"] == datetime(
            2026, 11, 20, 14, 0, tzinfo=UTC)

    def test_guardians_are_data_principals_2j(self) -> None:
        assert facts.assess(get_regulator("IN"), 5, minors=1)["individuals"].notify_guardians

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
