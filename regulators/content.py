"""Notice element ids: templates mark their sections with these, tests check each law's list.

A jurisdiction's `Duty.content` names the elements its notice must carry; `prohibited_content`
names those it must not (Massachusetts). Ids are stable: templates and golden files use them.
"""

from __future__ import annotations

from typing import Final

# The least a monitoring or identity-theft service must run, where a law sets it: jurisdiction
# -> (months, citation). Checked against the org's offer; the notice states the offer's months.
REMEDY_MINIMUM_MONTHS: Final[dict[str, tuple[int, str]]] = {
    "US-CA": (12, "Cal. Civ. Code § 1798.82(d)(2)(G)"),
    "US-CT": (24, "Conn. Gen. Stat. § 36a-701b(b)(2)(B)"),
    "US-DC": (18, "D.C. Code § 28-3852.02"),
    "US-MA": (18, "M.G.L. c. 93H § 3A"),
}
# The elements that promise such a service.
REMEDY_SERVICE_ELEMENTS: Final = frozenset({"identity_theft_services", "credit_monitoring"})


def remedy_shortfalls(jurisdictions: list[str] | tuple[str, ...], elements: frozenset[str],
                      months: int | None) -> list[str]:
    """Why an offer of `months` falls short of the laws whose notice promises a service."""
    if not elements & REMEDY_SERVICE_ELEMENTS:
        return []
    found = []
    for code in jurisdictions:
        if code in REMEDY_MINIMUM_MONTHS:
            least, citation = REMEDY_MINIMUM_MONTHS[code]
            if months is None or months < least:
                offered = "no stated duration" if months is None else f"{months} months"
                found.append(f"{citation} wants at least {least} months; the offer has {offered}")
    return found


ELEMENTS: Final[dict[str, str]] = {
    # What happened and to what.
    "what_happened": "general description / nature of the breach, as far as determinable",
    "cause": "cause of the incident, if known",
    "data_categories": "the types (items) of personal information involved",
    "date_of_breach": "date, estimated date or date range of the breach",
    "date_of_discovery": "date the breach was discovered",
    "date_of_determination": "date the organisation determined that a breach occurred",
    "notice_date": "date of the notice",
    "number_affected": "approximate number of people (and records) affected",
    "likely_consequences": "likely consequences / possible harm to the people affected",
    "reasons_for_delay": "reasons for any delay in notifying",
    "law_enforcement_delay": "whether notice was delayed by a law-enforcement investigation",
    "protection_measures": "technical and security measures that protected the data",
    "monetary_impact": "estimated monetary impact of the breach, as far as it can be determined",
    "security_safeguards": "the reasonable safeguards the organisation employs",
    # What the organisation does and offers.
    "measures_taken": "measures taken or proposed to address the breach and mitigate harm",
    "remedy": "remedies / mitigation services offered to the people affected",
    "identity_theft_services": "free identity-theft prevention and mitigation services offer",
    "credit_monitoring": "free credit monitoring offer with enrolment information",
    # What the person can do.
    "what_you_can_do": "steps the person can take to protect themselves",
    "credential_reset": "prompt to change the password / security question and answer",
    "remain_vigilant": "advice to remain vigilant: review account statements, monitor free "
                       "credit reports",
    "fraud_alert_freeze_info": "that the person can get information on fraud alerts and security "
                               "freezes from the FTC and the consumer reporting agencies",
    "police_report_right": "the right to obtain a police report",
    "security_freeze": "how to request a security freeze, that it is free, what it needs",
    # Whom to contact.
    "contact": "name and contact information of the notifying organisation",
    "dpo_contact": "contact of the data protection officer or other contact point",
    "toll_free_number": "a toll-free telephone number for questions",
    "info_website": "a website where the person can get information and assistance",
    "cra_contacts": "toll-free numbers and addresses of the major credit reporting agencies",
    "agency_contacts": "telephone numbers and websites of state and federal identity-theft agencies",
    "fcra_rights": "the person's rights under the federal Fair Credit Reporting Act",
    "regulator_contact": "the right to complain to the regulator and how to reach it",
    "complaint_process": "the organisation's internal complaint process",
    "parent_affiliate": "name of the parent or affiliate of the breached organisation",
    # Regulator reports.
    "sample_notice": "a sample copy of the notice sent to individuals (without personal data)",
    "number_notified": "number of people notified, and by which method",
    "notification_plan": "steps taken or planned to notify the people affected",
    "organisation_details": "the unit's name and basic facts of the affected system or platform",
    "trend_and_impact": "trend of the incident and its possible further impact",
    "investigation_leads": "investigation leads: attacker, attack path, vulnerabilities",
    "scene_preservation": "how the scene (evidence) was preserved",
    "reporter_details": "name, title and type of the person reporting, and relation to the entity",
    "wisp_status": "whether a written information security program is maintained",
    "perpetrator_findings": "findings about the person who caused the breach",
    "intimation_report": "report on the intimations given to the people affected",
    "timeline": "timeline of the breach and of the organisation's response",
    "affected_names": "the names of the residents affected (Louisiana; attached by the organisation)",
}


def unknown_elements(ids: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(i for i in ids if i not in ELEMENTS)


def check_notice(
    present: frozenset[str], *, required: tuple[str, ...], prohibited: tuple[str, ...] = ()
) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(missing required elements, prohibited elements present) for one rendered notice."""
    return (tuple(i for i in required if i not in present),
            tuple(i for i in prohibited if i in present))
