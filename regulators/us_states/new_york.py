"""New York SHIELD Act (N.Y. Gen. Bus. Law § 899-aa, as amended Dec 2024 / Feb 2025).

References:
    * GBL § 899-aa statute text, pre-Dec-2024 (docs/law/rules.md S15) [V]
    * S2659B/A8872A, S2376B/A4737B and the Feb 2025 chapter amendment: 30 days, medical and
      health-insurance data, DFS (alstonprivacy, mondaq, dataprotectionreport; S17) [S]
    * 23 NYCRR 500.17(a), <https://www.law.cornell.edu/regulations/new-york/23-NYCRR-500.17>
      (read 2026-12-06) [V]
"""

from __future__ import annotations

from regulators import methods as methods_
from regulators.deadlines import WITHOUT_UNREASONABLE_DELAY, Deadline
from regulators.facts import IncidentFacts, ObligationDraft, OrgFacts, Population
from regulators.rules import (
    Component,
    Duty,
    Encryption,
    SubstituteNotice,
    Threshold,
    public_duty,
)
from regulators.triggers import GOVERNMENT_IDS, HEALTH
from regulators.us_hipaa import UsHipaa
from regulators.us_states.base import UsState

GBL = "N.Y. Gen. Bus. Law § 899-aa"
# § 899-aa(2): within 30 days after discovery; only law-enforcement delay (since 2024-12-21)
# [S]; content § 899-aa(7) [V]; channels § 899-aa(5) [V].
INDIVIDUALS = Duty(
    "individuals", citation=f"{GBL}(2)", verification="S",
    deadline=Deadline("calendar_days", 30, "discovery"),
    content=("contact", "agency_contacts", "data_categories"),
    channels=("letter", "email", "voice"),
    channel_rules=("e-mail only to people who expressly consented to electronic notice; keep a "
                   "log (§ 899-aa(5)(b)) [V]", "telephone notice needs a log (§ 899-aa(5)(c))"),
)
# § 899-aa(8)(a): any resident notified -> AG, Department of State, State Police, without
# delaying the individual notice [V].
STATE_AGENCIES = Duty(
    "regulator", citation=f"{GBL}(8)(a)", verification="V", deadline=Deadline(
        "none", text="without delaying notice to residents"),
    recipient="New York Attorney General, Department of State and Division of State Police",
    content=("what_happened", "number_affected", "sample_notice", "notification_plan"),
    key="state",
)
# 23 NYCRR 500.17(a)(1): a DFS-regulated entity notifies the superintendent electronically "as
# promptly as possible but in no event later than 72 hours after determining that a
# cybersecurity incident has occurred", and updates it with material changes (a)(2) [V]. GBL
# § 899-aa(8)(a) as amended in Feb 2025 names DFS among the recipients for those entities [S].
DFS = Duty(
    "regulator", citation="23 NYCRR 500.17(a)", verification="V",
    deadline=Deadline("hours", 72, "determination"),
    recipient="Superintendent, New York Department of Financial Services", key="dfs",
    content=STATE_AGENCIES.content,
    channel_rules=("electronically, in the form on the Department's website; update the "
                   "superintendent with material changes or new information (500.17(a)(2))",),
)
# § 899-aa(9): a HIPAA covered entity notifying HHS tells the AG within 5 business days [V].
HIPAA_AG = Duty(
    "regulator", citation=f"{GBL}(9)", verification="V", key="hipaa",
    deadline=Deadline("business_days", 5, relative_to="US-HIPAA:regulator", country="US",
                      subdiv="NY", tz="America/New_York",
                      text="within 5 business days of notifying HHS"),
    recipient="New York Attorney General", content=("sample_notice", "number_affected"),
)
# § 899-aa(8)(b): more than 5,000 residents at one time -> CRAs [V].
CREDIT_AGENCIES = Duty(
    "credit_agencies", citation=f"{GBL}(8)(b)", verification="V",
    deadline=WITHOUT_UNREASONABLE_DELAY, recipient="consumer reporting agencies",
    threshold=Threshold(">", 5000, "New York residents notified at one time"),
    content=("number_affected", "sample_notice", "notification_plan"),
)
# § 899-aa(5)(d): shown to the AG: cost > $250,000, > 500,000 or insufficient contact [V].
SUBSTITUTE = SubstituteNotice(
    citation=f"{GBL}(5)(d)", verification="V",
    cost=Threshold(">", 250_000, "USD notice cost"),
    count=Threshold(">", 500_000, "people to notify"),
    components=(Component("email", detail="not for breached e-mail + password: show a notice "
                                          "at login from a known IP address or location"),
                Component("website"), Component("statewide_media"),
                Component("regulator_letter", detail="demonstrate the grounds to the AG")),
)


class NewYork(UsState):
    """New York: access or acquisition of private information; 30 days from discovery."""

    code = "US-NY"
    name = "New York"
    state = "New York"
    # § 899-aa(1)(b): SSN, DL / non-driver ID, account or card number (with or, where usable
    # without, a code), biometric [V]; medical and health insurance from 2025-03-21 [S].
    name_elements = GOVERNMENT_IDS | {"biometric"} | HEALTH
    financial_needs_code = False
    standalone_credentials = True
    # "Personal information" is any identifier, not only a name (§ 899-aa(1)(a)) [V].
    identifiers = frozenset({"name", "email", "phone", "postal_address", "username"})
    encryption = Encryption("trigger", True, f"{GBL}(1)(b)", "V")
    substitute = SUBSTITUTE
    methods = methods_.us_state("N.Y. Gen. Bus. Law § 899-aa(5)(a)-(c)", "V", telephone=True)
    duties = (INDIVIDUALS, STATE_AGENCIES, DFS, HIPAA_AG, CREDIT_AGENCIES,
              public_duty(SUBSTITUTE, INDIVIDUALS))
    credential_mailbox_rule = ("for a breached e-mail + password, do not notify that mailbox; "
                               "show a notice at login instead (§ 899-aa(5)(d)) [V]")
    law_enforcement_delay_citation = f"{GBL}(4)"

    def is_personal_information(self, categories: frozenset[str]) -> bool:
        named = categories | ({"name"} if categories & self.identifiers else set())
        return super().is_personal_information(frozenset(named))

    def extra_individual_reasons(
        self, incident: IncidentFacts, org: OrgFacts, population: Population
    ) -> list[str]:
        reasons = []
        if population.triggered and incident.cause == "insider_error":
            reasons.append("inadvertent disclosure by an authorised person: a written "
                           "determination that misuse is unlikely can remove the duty; keep it "
                           "5 years and, above 500 residents, send it to the AG within 10 days "
                           "(§ 899-aa(2)(a)) [V]")
        if org.hipaa_covered_entity:
            reasons.append("a notice under HIPAA/HITECH satisfies individual notice; the AG, "
                           "DOS, State Police and CRA notices are still due (§ 899-aa(2)(b))")
        return reasons

    def doubts(self, incident: IncidentFacts, population: Population) -> list[str]:  # noqa: ARG002
        cats = population.categories
        if cats & HEALTH and not self.is_personal_information(cats - HEALTH):
            return ["medical / health-insurance data became private information on 2025-03-21 "
                    "(some sources: 03-25) [S]"]
        return []

    def obligations(
        self, *, incident: IncidentFacts, org: OrgFacts, population: Population
    ) -> list[ObligationDraft]:
        drafts = super().obligations(incident=incident, org=org, population=population)
        out = []
        for draft in drafts:
            if draft.citation == DFS.citation:
                draft = self.draft(DFS, incident, required=draft.required and org.dfs_regulated,
                                   count=draft.count,
                                   reasons=(*draft.reasons, "the superintendent is told only by "
                                            "DFS-regulated entities (23 NYCRR 500.17(a))"))
            elif draft.citation == HIPAA_AG.citation:
                # § 899-aa(9) follows an actual notice to HHS: none is due for secured PHI.
                hhs = UsHipaa().hhs_notified(incident, org)
                draft = self.draft(HIPAA_AG, incident, required=hhs, count=population.subjects,
                                   reasons=("a HIPAA covered entity that notifies HHS of this "
                                            "breach tells the AG, even for data that is not "
                                            "private information" if hhs else
                                            "no notice to HHS is due for this breach (not a "
                                            "covered entity, no unsecured PHI)",))
            out.append(draft)
        return out
