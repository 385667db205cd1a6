"""Massachusetts security breach law (M.G.L. c. 93H, with 201 CMR 17.00).

References:
    * M.G.L. c. 93H §§ 1-6, full statute text (docs/law/rules.md S15) [V]
    * <https://malegislature.gov/Laws/GeneralLaws/PartI/TitleXV/Chapter93H/Section1> and
      Senate bill S.100 (2019), which proposed adding "that creates a substantial risk of
      identity theft or fraud" to § 3(b)(2) and was not enacted,
      <https://malegislature.gov/Bills/191/S100.Html> (both read 2026-12-06) [V]
"""

from __future__ import annotations

from regulators import methods as methods_
from regulators.deadlines import Deadline
from regulators.facts import IncidentFacts, OrgFacts, Population
from regulators.rules import Component, Duty, Encryption, SubstituteNotice, Threshold, public_duty
from regulators.us_states.base import UsState

ASAP = Deadline("none", text="as soon as practicable and without unreasonable delay")
# § 3(b): resident notice content, and what it must NOT say [V].
INDIVIDUALS = Duty(
    "individuals", citation="M.G.L. c. 93H § 3(b)", verification="V", deadline=ASAP,
    content=("police_report_right", "security_freeze", "remedy", "parent_affiliate"),
    prohibited_content=("what_happened", "number_affected"),
    channels=("letter", "email"),
    channel_rules=("electronic notice consistent with 15 U.S.C. § 7001(c) and ch. 110G [V]",),
)
# § 3(b): AG and the Director of OCABR for any resident notified, items (i)-(ix) [V].
REGULATORS = Duty(
    "regulator", citation="M.G.L. c. 93H § 3(b) (regulators)", verification="V", deadline=ASAP,
    recipient="Massachusetts Attorney General and Director of the Office of Consumer Affairs "
              "and Business Regulation (OCABR)",
    content=("what_happened", "number_affected", "contact", "reporter_details",
             "data_categories", "wisp_status", "measures_taken", "sample_notice"),
    order="with:individuals",
)
# § 3(b): OCABR names the CRAs and agencies to tell; the entity then tells them [V].
CREDIT_AGENCIES = Duty(
    "credit_agencies", citation="M.G.L. c. 93H § 3(b) (CRAs)", verification="V",
    deadline=Deadline("none", text="as soon as practicable after OCABR names them"),
    recipient="consumer reporting agencies and state agencies designated by OCABR",
)
# § 1 "substitute notice": > $250,000, > 500,000 residents, or insufficient contact; e-mail,
# home-page posting and media throughout the commonwealth [V].
SUBSTITUTE = SubstituteNotice(
    citation="M.G.L. c. 93H § 1 (substitute notice)", verification="V",
    cost=Threshold(">", 250_000, "USD notice cost"),
    count=Threshold(">", 500_000, "Massachusetts residents"),
    components=(Component("email"), Component("website", detail="clear and conspicuous posting "
                                                                "on the home page"),
                Component("statewide_media", detail="publication or broadcast throughout the "
                                                    "commonwealth")),
)


class Massachusetts(UsState):
    """Massachusetts: substantial risk of identity theft built into the definition of breach."""

    code = "US-MA"
    name = "Massachusetts"
    state = "Massachusetts"
    # § 1: name + SSN, DL / state ID, or financial account / card number with or without a
    # code [V].
    name_elements = frozenset({"ssn", "drivers_license", "national_id"})
    financial_needs_code = False
    # § 1: "encrypted" = 128-bit or higher; encrypted data with its key counts [V].
    encryption = Encryption("trigger", True, "M.G.L. c. 93H § 1", "V",
                            standard="128-bit or higher algorithmic process")
    substitute = SUBSTITUTE
    methods = methods_.us_state("M.G.L. c. 93H § 1(a) (\"notice\")", "V")
    duties = (INDIVIDUALS, REGULATORS, CREDIT_AGENCIES, public_duty(SUBSTITUTE, INDIVIDUALS))
    # § 3(b) has two triggers: (1) a "breach of security", whose definition carries the
    # substantial-risk test (§ 1), and (2) personal information "acquired or used by an
    # unauthorized person or used for an unauthorized purpose", which has none. The engine only
    # triggers on acquisition, so no risk finding removes the duty [V].
    risk_of_harm = None
    law_enforcement_delay_citation = "M.G.L. c. 93H § 4 (the agency tells the AG in writing)"

    def individual_content(self, population: Population) -> tuple[str, ...]:
        # § 3A: SSN involved -> at least 18 months of free credit monitoring [V].
        extra = ("credit_monitoring",) if "ssn" in population.categories else ()
        return INDIVIDUALS.content + extra

    def extra_individual_reasons(
        self, incident: IncidentFacts, org: OrgFacts, population: Population  # noqa: ARG002
    ) -> list[str]:
        reasons = ["personal information acquired or used by an unauthorized person must be "
                   "notified whatever the risk (§ 3(b)(2)): the substantial-risk test of a "
                   "'breach of security' (§ 1) does not remove this duty",
                   "do not state the nature of the breach or the number of residents affected "
                   "(§ 3(b)); notice may not wait for the number to be known"]
        if "ssn" in population.categories:
            reasons.append("SSNs involved: offer at least 18 months of free credit monitoring "
                           "(42 if the breached entity is a CRA) and certify it (§ 3A)")
        return reasons
