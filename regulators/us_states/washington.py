"""Washington data breach notification (RCW 19.255.010, private entities).

References:
    * <https://www.atg.wa.gov/washington-s-data-breach-notification-laws> (official, S19) [V]
    * alstonprivacy.com on the 2015 amendment; terms.law; complianceiq (S19) [S]
    * S14 dataset for the 2019 elements [S]; its CRA rule is not in the statute (none)
"""

from __future__ import annotations

from regulators import methods as methods_
from regulators.deadlines import Deadline
from regulators.rules import (
    Component,
    Duty,
    Encryption,
    SubstituteNotice,
    Threshold,
    public_duty,
)
from regulators.us_states.base import UsState

RCW = "RCW 19.255.010"
# (8): most expedient time and within 30 days after discovery [V]; content [S/U].
INDIVIDUALS = Duty(
    "individuals", citation=f"{RCW}(8)", verification="V",
    deadline=Deadline("calendar_days", 30, "discovery"),
    content=("contact", "data_categories", "date_of_breach", "date_of_discovery",
             "cra_contacts"),
    channels=("letter", "email"),
)
# (7): more than 500 Washington residents -> AG within 30 days of discovery, web form [V].
ATTORNEY_GENERAL = Duty(
    "regulator", citation=f"{RCW}(7)", verification="V",
    deadline=Deadline("calendar_days", 30, "discovery"),
    recipient="Washington Attorney General",
    threshold=Threshold(">", 500, "Washington residents"),
    content=("number_affected", "data_categories", "date_of_breach", "measures_taken",
             "sample_notice"),
    channel_rules=("electronic submission through the AG's web form",),
)
# No CRA duty: RCW 19.255.010 and the Attorney General's page (S19) name none. The > 500 of
# S14 and the > 1,000 of complianceiq are not in the statute.
SUBSTITUTE = SubstituteNotice(
    citation=f"{RCW}(9)(c)", verification="S",
    cost=Threshold(">", 250_000, "USD notice cost"),
    count=Threshold(">", 500_000, "people to notify"),
    components=(Component("email"), Component("website"), Component("statewide_media")),
)


class Washington(UsState):
    """Washington: acquisition of unsecured personal information likely to cause harm."""

    code = "US-WA"
    name = "Washington"
    state = "Washington"
    # RCW 19.255.005: name + SSN, ID numbers, account with code, full date of birth,
    # student/military/passport ID, health insurance, medical, biometric [S].
    name_elements = frozenset({"ssn", "drivers_license", "national_id", "date_of_birth",
                               "military_id", "passport", "health_insurance", "health",
                               "biometric"})
    standalone_credentials = True
    # Encrypted data with a compromised key counts [S terms.law; U exact text].
    encryption = Encryption("trigger", True, f"{RCW}(1)", "S")
    substitute = SUBSTITUTE
    methods = methods_.us_state("RCW 19.255.010", "S")
    duties = (INDIVIDUALS, ATTORNEY_GENERAL, public_duty(SUBSTITUTE, INDIVIDUALS))
    # (1): only a breach "reasonably likely to subject consumers to a risk of harm" [V].
    risk_of_harm = ("the breach must be reasonably likely to subject consumers to a risk of "
                    "harm", f"{RCW}(1)", "V")
    law_enforcement_delay_citation = f"{RCW}(3)"
