"""Florida Information Protection Act (Fla. Stat. § 501.171).

References:
    * <https://www.swlaw.com/data-breach-map/view/state/fl> (Snell & Wilmer chart, S13) [S]
    * dwt.com/gcp/states/florida; wordsbywit.com/florida; complianceiq (S18) [S]
"""

from __future__ import annotations

from regulators import methods as methods_
from regulators.deadlines import WITHOUT_UNREASONABLE_DELAY, Deadline
from regulators.facts import IncidentFacts, OrgFacts, Population
from regulators.rules import (
    Component,
    Duty,
    Encryption,
    SubstituteNotice,
    Threshold,
    public_duty,
)
from regulators.us_states.base import UsState

# § 501.171(4)(a): no later than 30 days after determining a breach occurred (+15 days for
# good cause given in writing to the Department) [S].
INDIVIDUALS = Duty(
    "individuals", citation="Fla. Stat. § 501.171(4)", verification="S",
    deadline=Deadline("calendar_days", 30, "determination"),
    content=("date_of_breach", "data_categories", "contact"),
    channels=("letter", "email"),
)
# § 501.171(3): 500 or more individuals in Florida -> Department of Legal Affairs, 30 days [S].
LEGAL_AFFAIRS = Duty(
    "regulator", citation="Fla. Stat. § 501.171(3)", verification="S",
    deadline=Deadline("calendar_days", 30, "determination"),
    recipient="Florida Department of Legal Affairs (Attorney General)",
    threshold=Threshold(">=", 500, "individuals in Florida"),
    content=("what_happened", "number_affected", "remedy", "sample_notice", "contact"),
)
# § 501.171(5): more than 1,000 individuals at a single time -> nationwide CRAs [S].
CREDIT_AGENCIES = Duty(
    "credit_agencies", citation="Fla. Stat. § 501.171(5)", verification="S",
    deadline=WITHOUT_UNREASONABLE_DELAY, recipient="all nationwide consumer reporting agencies",
    threshold=Threshold(">", 1000, "individuals notified at a single time"),
)
# § 501.171(4)(f): > $250,000, > 500,000 or insufficient contact; website + print and
# broadcast media in the urban and rural areas where the people live [S].
SUBSTITUTE = SubstituteNotice(
    citation="Fla. Stat. § 501.171(4)(f)", verification="S",
    cost=Threshold(">", 250_000, "USD notice cost"),
    count=Threshold(">", 500_000, "individuals to notify"),
    components=(Component("website", detail="conspicuous notice on the website"),
                Component("media", detail="print and broadcast media, urban and rural areas "
                                          "where the individuals reside")),
)


class Florida(UsState):
    """Florida: access to personal information; 30 days from determination."""

    code = "US-FL"
    name = "Florida"
    state = "Florida"
    # § 501.171(1)(g): name + SSN, ID numbers, account with code, medical, health insurance [S].
    name_elements = frozenset({"ssn", "drivers_license", "national_id", "passport",
                               "military_id", "health", "health_insurance"})
    standalone_credentials = True
    # Unusable (encrypted) data is excluded; the sources relay no key-compromise clause [S].
    encryption = Encryption("trigger", None, "Fla. Stat. § 501.171(1)(g)(2)", "S")
    substitute = SUBSTITUTE
    methods = methods_.us_state("Fla. Stat. § 501.171(4)(d)", "S", email_without_consent=True)
    duties = (INDIVIDUALS, LEGAL_AFFAIRS, CREDIT_AGENCIES, public_duty(SUBSTITUTE, INDIVIDUALS))
    # § 501.171(4)(c): after consultation with law enforcement; written, kept 5 years, sent to
    # the Department within 30 days [S].
    risk_of_harm = ("no identity theft or other financial harm is reasonably likely, determined "
                    "after consulting law enforcement, in writing, kept 5 years and sent to the "
                    "Department within 30 days", "Fla. Stat. § 501.171(4)(c)", "S")
    law_enforcement_delay_citation = "Fla. Stat. § 501.171(4)(b)"

    def extra_individual_reasons(
        self, incident: IncidentFacts, org: OrgFacts, population: Population  # noqa: ARG002
    ) -> list[str]:
        # § 501.171(4)(a): 15 more days for good cause given in writing within the 30 [S].
        return ["15 more days are available for good cause given in writing to the Department "
                "within the 30 days (§ 501.171(4)(a))"] if population.triggered else []
