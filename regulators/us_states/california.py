"""California data breach notification (Cal. Civ. Code § 1798.82, businesses).

References:
    * Cal. Civ. Code § 1798.82(a)-(c), current text with the 30-day rule (docs/law/rules.md S11) [V]
    * SB 446 (Chapter 319, Statutes of 2025), chaptered 2025-10-03 (S11, S12) [V/S]
    * <https://oag.ca.gov/ecrime/databreach/reporting> (AG sample copy, > 500 residents) [V]
    * § 1798.82(d), (h), (j): format, content, definition, substitute notice (S13, S14) [S]
"""

from __future__ import annotations

from regulators import methods as methods_
from regulators.deadlines import Deadline
from regulators.facts import IncidentFacts, OrgFacts, Population
from regulators.rules import (
    Component,
    Duty,
    Encryption,
    NoticeFormat,
    SubstituteNotice,
    Threshold,
    public_duty,
)
from regulators.triggers import online_credentials
from regulators.us_states.base import UsState

# § 1798.82(a)(2) as amended by SB 446: 30 calendar days of discovery or notification [V].
INDIVIDUALS = Duty(
    "individuals",
    citation="Cal. Civ. Code § 1798.82(a)",
    verification="V",
    deadline=Deadline("calendar_days", 30, "discovery"),
    # § 1798.82(d)(2)(A)-(F) [S; item letters U].
    content=("contact", "data_categories", "date_of_breach", "notice_date",
             "law_enforcement_delay", "what_happened"),
    channels=("letter", "email"),
    channel_rules=("electronic notice must be consistent with E-SIGN, 15 U.S.C. § 7001 [S]",),
)
# § 1798.82(f): sample copy when MORE THAN 500 residents are notified [V]; within 15 calendar
# days of notifying them (SB 446) [S].
ATTORNEY_GENERAL = Duty(
    "regulator",
    citation="Cal. Civ. Code § 1798.82(f)",
    verification="S",
    deadline=Deadline("calendar_days", 15, relative_to="individuals",
                      text="within 15 calendar days of notifying residents"),
    recipient="California Attorney General",
    threshold=Threshold(">", 500, "California residents notified"),
    content=("sample_notice",),
    channel_rules=("electronic submission through the AG's web form",),
    order="after:individuals",
)
# § 1798.82(j)(3): cost exceeds $250,000, class exceeds 500,000, or insufficient contact
# information; then ALL of e-mail, 30-day website posting and statewide media [S].
SUBSTITUTE = SubstituteNotice(
    citation="Cal. Civ. Code § 1798.82(j)(3)",
    verification="S",
    cost=Threshold(">", 250_000, "USD notice cost"),
    count=Threshold(">", 500_000, "people to notify"),
    components=(
        Component("email", detail="where the business has an e-mail address"),
        Component("website", 30, "conspicuous posting, link on the home page"),
        Component("statewide_media", detail="notification to major statewide media"),
    ),
)


class California(UsState):
    """California: acquisition of unencrypted personal information; no risk-of-harm test."""

    code = "US-CA"
    name = "California"
    state = "California"
    # § 1798.82(h)(1): name + SSN, government ID numbers, medical, health insurance, biometric,
    # ALPR and genetic data [S]; (h)(2) online credentials stand alone [S].
    name_elements = frozenset(
        {"ssn", "drivers_license", "national_id", "tax_id", "passport", "military_id",
         "health", "health_insurance", "biometric", "license_plate", "genetic"}
    )
    standalone_credentials = True
    # § 1798.82(a): encrypted data counts only with the key and a belief it is usable [V].
    encryption = Encryption("trigger", True, "Cal. Civ. Code § 1798.82(a)", "V")
    substitute = SUBSTITUTE
    methods = methods_.us_state("Cal. Civ. Code § 1798.82(j)(1)-(2)", "S")
    duties = (INDIVIDUALS, ATTORNEY_GENERAL, public_duty(SUBSTITUTE, INDIVIDUALS))
    # § 1798.82(d)(1): title, five headings, 10-point type [S].
    notice_format = NoticeFormat(
        "Cal. Civ. Code § 1798.82(d)(1)", "S",
        title="Notice of Data Breach",
        headings=("What Happened", "What Information Was Involved", "What We Are Doing",
                  "What You Can Do", "For More Information"),
        min_font_pt=10,
    )
    credential_mailbox_rule = (
        "do not send the notice to a breached e-mail account the business provides; use another "
        "method or a notice shown at login from a known IP address or location "
        "(§ 1798.82(j)(4)-(5)) [S]"
    )
    law_enforcement_delay_citation = "Cal. Civ. Code § 1798.82(c)"

    def individual_content(self, population: Population) -> tuple[str, ...]:
        content = INDIVIDUALS.content
        # § 1798.82(d)(2)(G)-(H): SSN or ID number exposed -> CRA contacts and >= 12 months of
        # free identity-theft services when the business was the source [S].
        if population.categories & {"ssn", "drivers_license", "national_id"}:
            content += ("cra_contacts", "identity_theft_services")
        if online_credentials(population.categories):
            content += ("credential_reset",)
        return content

    def extra_individual_reasons(
        self, incident: IncidentFacts, org: OrgFacts, population: Population  # noqa: ARG002
    ) -> list[str]:
        reasons = []
        if population.triggered and population.categories & {"ssn", "drivers_license"}:
            reasons.append("SSN or ID number exposed: offer at least 12 months of free identity-"
                           "theft prevention services if the business was the source "
                           "(§ 1798.82(d)(2)(G)) [S]")
        if org.hipaa_covered_entity:
            reasons.append("a HIPAA covered entity complying with HITECH § 13402(f) is deemed to "
                           "meet the § 1798.82(d) content rules [S]")
        return reasons
