"""Texas Identity Theft Enforcement and Protection Act (Tex. Bus. & Com. Code ch. 521).

References:
    * Tex. Bus. & Com. Code §§ 521.002, 521.053(a)-(b), 521.151 (docs/law/rules.md S15) [V]
    * SB 768 (2023), enrolled text: AG notice within 30 days, >= 250 Texans (addendum) [V]
    * dwt.com, jdsupra, eyeonprivacy, complianceiq on SB 768 and § 521.053(h) (S16) [S]
"""

from __future__ import annotations

from regulators import methods as methods_
from regulators.deadlines import WITHOUT_UNREASONABLE_DELAY, Deadline
from regulators.rules import (
    Component,
    Duty,
    Encryption,
    SubstituteNotice,
    Threshold,
    public_duty,
)
from regulators.triggers import HEALTH
from regulators.us_states.base import UsState

# § 521.053(b): not later than the 60th day after determining the breach occurred [V].
INDIVIDUALS = Duty(
    "individuals", citation="Tex. Bus. & Com. Code § 521.053(b)", verification="V",
    deadline=Deadline("calendar_days", 60, "determination"),
    # Content is not prescribed; S14 lists these as good practice [S].
    content=("what_happened", "date_of_breach", "data_categories", "contact"),
    channels=("letter", "email"),
    channel_rules=("written notice to the last known address, or electronic notice under "
                   "E-SIGN [S]",),
)
# § 521.053(i) (SB 768): at least 250 Texas residents, within 30 days of determination, by
# the AG's electronic form [V].
ATTORNEY_GENERAL = Duty(
    "regulator", citation="Tex. Bus. & Com. Code § 521.053(i)", verification="V",
    deadline=Deadline("calendar_days", 30, "determination"),
    recipient="Texas Attorney General",
    threshold=Threshold(">=", 250, "Texas residents"),
    content=("what_happened", "number_affected", "number_notified", "measures_taken",
             "law_enforcement_delay"),
    channel_rules=("electronic form on the Attorney General's website",),
)
# § 521.053(h): more than 10,000 persons notified at one time -> each nationwide CRA [S].
CREDIT_AGENCIES = Duty(
    "credit_agencies", citation="Tex. Bus. & Com. Code § 521.053(h)", verification="S",
    deadline=WITHOUT_UNREASONABLE_DELAY, recipient="each nationwide consumer reporting agency",
    threshold=Threshold(">", 10_000, "persons notified at one time"),
)
# § 521.053(f): cost > $250,000, > 500,000 persons or insufficient contact information;
# e-mail + website + major statewide media [S].
SUBSTITUTE = SubstituteNotice(
    citation="Tex. Bus. & Com. Code § 521.053(f)", verification="S",
    cost=Threshold(">", 250_000, "USD notice cost"),
    count=Threshold(">", 500_000, "persons to notify"),
    components=(Component("email"), Component("website"), Component("statewide_media")),
)


class Texas(UsState):
    """Texas: sensitive personal information, 60 days from determination, no harm test."""

    code = "US-TX"
    name = "Texas"
    state = "Texas"
    # § 521.002(a)(1): name + SSN, DL or government ID, account/card number with code [V].
    name_elements = frozenset(
        {"ssn", "drivers_license", "national_id", "passport", "military_id", "tax_id"}
    )
    # § 521.002(a)(2): health information identifying the person counts on its own [V].
    identifiers = frozenset({"name", "email", "phone", "postal_address", "ssn", "national_id",
                             "date_of_birth", "username"})
    # § 521.053(a): encrypted data counts when the accessor has the decryption key [V].
    encryption = Encryption("trigger", True, "Tex. Bus. & Com. Code § 521.053(a)", "V")
    substitute = SUBSTITUTE
    methods = methods_.us_state("Tex. Bus. & Com. Code § 521.053", "S")
    duties = (INDIVIDUALS, ATTORNEY_GENERAL, CREDIT_AGENCIES,
              public_duty(SUBSTITUTE, INDIVIDUALS))
    law_enforcement_delay_citation = "Tex. Bus. & Com. Code § 521.053(d)"

    def is_personal_information(self, categories: frozenset[str]) -> bool:
        if categories & HEALTH and categories & self.identifiers:
            return True
        return super().is_personal_information(categories)
