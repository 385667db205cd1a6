"""The 50-state table: every generic state passes the contract; comparators and orderings."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from regulators import OrgFacts, get_regulator
from regulators.registry import MODULES, REGULATORS
from regulators.us_states.table import BY_STATE, OWN_MODULE, ROWS, StateRow
from tests.regulators import facts
from tests.regulators.contract import RegulatorContract

GENERIC = [row for row in ROWS if row.state not in OWN_MODULE]



def row_marks(row: StateRow) -> dict[str, frozenset[str]]:
    """citation -> the marks the row gives the rules behind it (the contract's `marks`)."""
    marks = {row.mark, row.regulator_mark, row.cra_mark, row.substitute_mark} - {None}
    out = {row.citation: frozenset(marks)}
    for duty in row.more:
        out[duty.citation] = frozenset({duty.verification})
    return out


# One contract class per generic state (holidays runs CommonCountryTests per country).
for _row in GENERIC:
    globals()[f"TestUs{_row.state}"] = type(f"TestUs{_row.state}", (RegulatorContract,), {
        "code": f"US-{_row.state}", "marks": row_marks(_row),
    })


def test_table_has_50_states_dc_and_pr() -> None:
    assert len(ROWS) == 52 == len(BY_STATE)
    assert {"DC", "PR"} <= set(BY_STATE)


def test_own_modules_override_the_table() -> None:
    assert {f"US-{s}" for s in OWN_MODULE} == {c for c in MODULES if c.startswith("US-")} - {
        "US-HIPAA"}
    for state in OWN_MODULE:
        assert REGULATORS[f"US-{state}"] == MODULES[f"US-{state}"]


@pytest.mark.parametrize(("code", "residents", "required"), [
    ("US-DC", 49, False), ("US-DC", 50, True),  # AG >= 50
    ("US-DE", 500, False), ("US-DE", 501, True),  # AG > 500
    ("US-CO", 499, False), ("US-CO", 500, True),  # AG >= 500
    ("US-ND", 250, False), ("US-ND", 251, True),  # AG > 250
    ("US-CT", 1, True),  # AG for any resident
])
def test_regulator_comparators(code: str, residents: int, required: bool) -> None:
    assert facts.assess(get_regulator(code), residents)["regulator"].required is required


@pytest.mark.parametrize(("code", "people", "required"), [
    ("US-MN", 500, False), ("US-MN", 501, True),  # CRA > 500
    ("US-AL", 1000, False), ("US-AL", 1001, True),  # CRA more than 1,000 (§ 8-38-7)
    ("US-GA", 10_000, False), ("US-GA", 10_001, True),  # CRA > 10,000
])
def test_cra_comparators(code: str, people: int, required: bool) -> None:
    assert facts.assess(get_regulator(code), people)["credit_agencies"].required is required


@pytest.mark.parametrize(("code", "order"), [
    ("US-MD", "before:individuals"), ("US-NJ", "before:individuals"),
    ("US-CT", "not_after:individuals"), ("US-IL", "not_after:individuals"),
])
def test_ordering_constraints(code: str, order: str) -> None:
    assert facts.assess(get_regulator(code), 5)["regulator"].order == order


def test_iowa_five_business_days_after_consumers() -> None:
    ag = facts.assess(get_regulator("US-IA"), 600)["regulator"]
    assert ag.relative_to == "individuals" and ag.relative_days == 5 and ag.deadline is None


def test_vermont_14_business_days_across_thanksgiving() -> None:
    # Discovery Fri 2026-11-20; Thanksgiving Thu 11-26 is skipped: 14th business day 12-11.
    ag = facts.assess(get_regulator("US-VT"), 5)["regulator"]
    assert ag.deadline == datetime(2026, 12, 11, 10, 30, tzinfo=UTC)


def test_puerto_rico_ten_days_from_detection() -> None:
    daco = facts.assess(get_regulator("US-PR"), 5)["regulator"]
    assert daco.deadline == datetime(2026, 11, 30, 8, 0, tzinfo=UTC)


def test_wider_elements_apply_but_need_review() -> None:
    core = facts.assess(get_regulator("US-OH"), 5)["individuals"]
    wider = facts.assess(get_regulator("US-OH"), 5, data_categories=facts.HEALTH)["individuals"]
    assert core.required and wider.required
    assert wider.needs_review and any("[U]" in r for r in wider.reasons)


def test_virginia_ag_for_any_breach_not_s14s_1000() -> None:
    ag = facts.assess(get_regulator("US-VA"), 1)["regulator"]
    assert ag.required and ag.verification == "S" and not ag.needs_review


@pytest.mark.parametrize("code", ["US-KY", "US-WV", "US-WY", "US-IN", "US-MT", "US-NH", "US-HI"])
def test_risk_of_harm_tests_s14_missed_are_surfaced(code: str) -> None:
    individuals = facts.assess(get_regulator(code), 5)["individuals"]
    assert individuals.required and individuals.needs_review
    assert any("risk-of-harm exemption" in r for r in individuals.reasons)


def test_read_definitions_replace_the_dataset_default() -> None:
    kentucky = facts.assess(get_regulator("US-KY"), 5, data_categories=facts.HEALTH)
    assert not kentucky["individuals"].required  # health data is not personal information in KY
    ohio = facts.assess(get_regulator("US-OH"), 5, data_categories=facts.HEALTH)["individuals"]
    assert any("[U]" in r for r in ohio.reasons)  # an unread definition stays a doubt


def test_maryland_45_days_from_discovery() -> None:
    individuals = facts.assess(get_regulator("US-MD"), 5)["individuals"]
    assert individuals.deadline == datetime(2027, 1, 4, 10, 30, tzinfo=UTC)


def test_minnesota_cras_within_48_hours() -> None:
    cra = facts.assess(get_regulator("US-MN"), 501)["credit_agencies"]
    assert cra.required and cra.deadline == datetime(2026, 11, 22, 10, 30, tzinfo=UTC)


def test_illinois_notice_never_states_the_number() -> None:
    individuals = facts.assess(get_regulator("US-IL"), 5)["individuals"]
    assert "number_affected" in individuals.prohibited_content
    assert "fraud_alert_freeze_info" in individuals.content


def test_every_row_read_records_where_and_when() -> None:
    for row in ROWS:
        marks = {row.mark, row.regulator_mark, row.cra_mark, row.substitute_mark}
        if "V" in marks:
            assert row.source and row.source.startswith(("https://", "http://")), row.state
            assert row.read_on == "2026-12-06", row.state
        described = get_regulator(f"US-{row.state}").describe()
        if row.state not in OWN_MODULE:
            assert described["source"] == ({"url": row.source, "read_on": row.read_on}
                                           if row.source else None)


# Audit point 1: Oklahoma SB 626 (in force 2026-01-01).
@pytest.mark.parametrize(("residents", "required"), [(499, False), (500, True)])
def test_oklahoma_ag_500_or_more_60_days_after_residents(residents: int, required: bool) -> None:
    ag = facts.assess(get_regulator("US-OK"), residents)["regulator"]
    assert ag.required is required
    assert ag.relative_to == "individuals" and ag.relative_days == 60
    assert {"date_of_breach", "date_of_determination", "what_happened", "data_categories",
            "number_affected", "monetary_impact", "security_safeguards"} == set(ag.content)
    assert ag.verification == "S" and not ag.needs_review


# Audit point 2: Alabama §§ 8-38-6, 8-38-7 ("exceeds 1,000", "more than 1,000"), read.
@pytest.mark.parametrize(("people", "required"), [(1000, False), (1001, True)])
def test_alabama_ag_and_cras_more_than_1000(people: int, required: bool) -> None:
    out = facts.assess(get_regulator("US-AL"), people)
    for audience in ("regulator", "credit_agencies"):
        assert out[audience].required is required
        assert out[audience].verification == "V"
    assert {"what_happened", "number_affected", "remedy", "contact"} == set(
        out["regulator"].content)


# Audit point 9: content and routing the statutes prescribe.
def test_colorado_notice_content() -> None:
    co = get_regulator("US-CO")
    plain = facts.assess(co, 5)["individuals"]
    assert {"cra_contacts", "agency_contacts", "fraud_alert_freeze_info", "date_of_breach",
            "data_categories", "contact"} <= set(plain.content)
    assert "credential_reset" not in plain.content
    login = facts.assess(co, 5, data_categories=facts.CREDENTIALS)["individuals"]
    assert "credential_reset" in login.content


@pytest.mark.parametrize(("categories", "services"), [
    (frozenset({"name", "ssn"}), True), (frozenset({"name", "tax_id"}), True),
    (frozenset({"name", "drivers_license"}), False),
])
def test_connecticut_identity_theft_services_for_ssn_or_itin(
    categories: frozenset[str], services: bool
) -> None:
    individuals = facts.assess(get_regulator("US-CT"), 5, data_categories=categories)[
        "individuals"]
    assert individuals.required
    assert ("identity_theft_services" in individuals.content) is services
    assert ("security_freeze" in individuals.content) is services


def test_vermont_dfr_licensees_report_to_dfr_and_the_follow_up() -> None:
    vt = get_regulator("US-VT")
    plain = [d for d in facts.assess(vt, 5)["all"] if d.audience == "regulator"]
    assert len(plain) == 2 and all(d.required for d in plain)
    assert all(d.recipient in ("Vermont Attorney General",) for d in plain)
    follow_up = next(d for d in plain if d.order == "with:individuals")
    assert {"number_affected", "sample_notice"} == set(follow_up.content)
    licensee = OrgFacts("US", False, False, vt_dfr_regulated=True)
    routed = [d for d in facts.assess(vt, 5, org=licensee)["all"] if d.audience == "regulator"]
    assert {d.recipient for d in routed} == {"Vermont Department of Financial Regulation"}
    individuals = facts.assess(vt, 5)["individuals"]
    assert {"toll_free_number", "remain_vigilant", "measures_taken"} <= set(individuals.content)


def test_puerto_rico_bank_accounts_with_or_without_password_and_the_notice() -> None:
    pr = get_regulator("US-PR")
    assert pr.triggered_by(frozenset({"name", "financial_account"}), facts.BASE)
    assert not pr.triggered_by(frozenset({"name", "email"}), facts.BASE)
    individuals = facts.assess(pr, 5)["individuals"]
    assert {"toll_free_number", "info_website"} <= set(individuals.content)


# Audit point 10: regulator reports of the table states carry what their statutes prescribe.
@pytest.mark.parametrize("code", ["US-AL", "US-CT", "US-OK", "US-RI", "US-VT"])
def test_table_regulator_reports_have_content(code: str) -> None:
    regulator = facts.assess(get_regulator(code), 5_000)["regulator"]
    assert regulator.required and regulator.content


def test_rhode_island_ag_without_delaying_residents() -> None:
    ag = facts.assess(get_regulator("US-RI"), 501)["regulator"]
    assert ag.required and ag.deadline is None and ag.verification == "V"
