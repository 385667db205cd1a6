"""India: Digital Personal Data Protection Act 2023 s. 8(6) and DPDP Rules 2025 Rule 7.

References:
    * DPDP Act 2023 ss. 2, 8, text in GitHub Ansvar-Systems/india-law-mcp 22_2023.json
      (docs/law/rules.md S27) [V]
    * DPDP Rules 2025 Rule 7 text (dpdpaedu.org, dpdpa.co.in; S27) [V]
    * DPDP Rules 2025 r. 1: notified 13 November 2025 (G.S.R. 846(E)); Rule 7 applies eighteen
      months after publication, 13 May 2027 (easydp.in, dpdpacomplianceanalyser.com; some
      sources give 14 May) [S]
    * CERT-In Directions of 28 April 2022, 6-hour reporting (vratex.com note) [S]
"""

from __future__ import annotations

from datetime import UTC, datetime

from regulators.base import Regulator
from regulators.deadlines import Deadline
from regulators.facts import IncidentFacts, ObligationDraft, OrgFacts, Population
from regulators.rules import Duty, Encryption, Mark

WITHOUT_DELAY = Deadline("none", text="without delay")
# r. 1: Rule 7 applies eighteen months after the Rules' publication (13 November 2025) [S].
# The earlier of the dates sources give, so that the engine never treats it as not yet in force
# when it is.
RULE_7 = "2027-05-13"
RULE_7_FROM = datetime.fromisoformat(RULE_7).replace(tzinfo=UTC)
# Rule 7(1)(a)-(e), through the user account or a registered mode of communication [V].
INDIVIDUALS = Duty(
    "individuals", citation="DPDP Act s. 8(6); DPDP Rules 2025 r. 7(1)", verification="V",
    deadline=WITHOUT_DELAY,
    content=("what_happened", "date_of_breach", "likely_consequences", "measures_taken",
             "what_you_can_do", "contact"),
    channel_rules=("through the person's user account or a mode of communication she "
                   "registered (e-mail, mobile number, profile) (r. 7(1))",),
    in_force_from=RULE_7,
)
# Rule 7(2)(a): the Board without delay [V].
BOARD_INITIAL = Duty(
    "regulator", citation="DPDP Rules 2025 r. 7(2)(a)", verification="V",
    deadline=WITHOUT_DELAY, recipient="Data Protection Board of India", key="initial",
    content=("what_happened", "date_of_breach", "likely_consequences"),
    in_force_from=RULE_7,
)
# Rule 7(2)(b): within 72 hours of becoming aware (extendable on request) [V].
BOARD_REPORT = Duty(
    "regulator", citation="DPDP Rules 2025 r. 7(2)(b)", verification="V",
    deadline=Deadline("hours", 72, "awareness"), recipient="Data Protection Board of India",
    key="report", phase="final",
    content=("what_happened", "cause", "measures_taken", "perpetrator_findings",
             "intimation_report"),
    in_force_from=RULE_7,
)
# CERT-In Directions 2022: cyber incidents within 6 hours of noticing them [S].
CERT_IN = Duty(
    "regulator", citation="CERT-In Directions of 28 April 2022", verification="S",
    deadline=Deadline("hours", 6, "detection"),
    recipient="Indian Computer Emergency Response Team (CERT-In)", key="cert_in",
    content=("what_happened", "date_of_discovery", "organisation_details"),
)


class India(Regulator):
    """DPDP: every personal data breach, to the Board and each Data Principal."""

    code = "IN"
    name = "India (DPDP Act)"
    country = "IN"
    duties = (INDIVIDUALS, BOARD_INITIAL, BOARD_REPORT, CERT_IN)
    # No safe harbour and no risk-of-harm threshold (s. 8(6)) [V].
    encryption = Encryption("none", None, "DPDP Act s. 8(6)", "V")
    minors_rule = "the Data Principal includes a child's parent or lawful guardian (s. 2(j)) [V]"

    def triggered_by(self, categories: frozenset[str], incident: IncidentFacts) -> bool:  # noqa: ARG002
        return bool(categories)

    def obligations(
        self, *, incident: IncidentFacts, org: OrgFacts, population: Population  # noqa: ARG002
    ) -> list[ObligationDraft]:
        n = population.triggered
        early = incident.aware_at < RULE_7_FROM
        reasons = [f"personal data breach affecting {n:,} Data Principals; no harm threshold "
                   "or encryption exemption (s. 8(6))" if n else "no personal data involved"]
        starts = f"{RULE_7_FROM.day} {RULE_7_FROM:%B %Y}"
        if early:
            reasons.append(f"Rule 7 applies from {starts}, eighteen months after the Rules' "
                           "publication on 13 November 2025 (r. 1) [S]: before then s. 8(6) "
                           "applies without the Rule's form and manner; confirm")
        else:
            reasons.append(f"Rule 7 applies since {starts} (r. 1)")
        mark: Mark | None = "U" if early else None
        guardians = population.minors > 0
        ind_reasons = reasons + ([f"{population.minors:,} children: notify the parent or lawful "
                                  "guardian (s. 2(j))"] if guardians else [])
        return [
            self.draft(INDIVIDUALS, incident, required=n > 0, count=n, reasons=ind_reasons,
                       notify_guardians=guardians, verification=mark),
            self.draft(BOARD_INITIAL, incident, required=n > 0, count=n, reasons=reasons,
                       verification=mark),
            self.draft(BOARD_REPORT, incident, required=n > 0, count=n, reasons=reasons,
                       verification=mark),
            self.draft(CERT_IN, incident, required=True, count=n, reasons=[
                "cyber incidents are reported to CERT-In within 6 hours of noticing them, "
                "personal data or not [S]"]),
        ]
