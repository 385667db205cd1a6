"""United Kingdom: UK GDPR Arts. 33-34 and the Data Protection Act 2018.

References:
    * UK GDPR Arts. 33-34, the EU text with "the Commissioner" (bifrostindex.ai UK breach guide;
      nibusinessinfo.co.uk; faqs.cps.scot; docs/law/rules.md S10) [S]
    * <https://ico.org.uk/for-organisations/report-a-breach/> (ICO reporting) [S]
    * PECR reg. 5A (24 hours to the ICO for communications providers) [U]
"""

from __future__ import annotations

from regulators.deadlines import WITHOUT_UNDUE_DELAY, Deadline
from regulators.eu_gdpr import EuGdpr
from regulators.facts import OrgFacts
from regulators.rules import Component, Duty, Encryption, SubstituteNotice, public_duty

ICO = "Information Commissioner's Office (ICO)"
# Art. 33(1): 72 hours from awareness; awareness = reasonable certainty (ICO) [S].
COMMISSIONER = Duty(
    "regulator", citation="UK GDPR Art. 33(1)", verification="S",
    deadline=Deadline("hours", 72, "awareness"), recipient=ICO,
    content=("what_happened", "data_categories", "number_affected", "dpo_contact",
             "likely_consequences", "measures_taken"),
)
# Art. 33(4) as in the EU text: further information in phases [S].
SUPPLEMENTARY = Duty(
    "regulator", citation="UK GDPR Art. 33(4)", verification="S",
    deadline=Deadline("none", text="in phases without undue further delay (Art. 33(4))"),
    recipient=ICO, key="supplementary", phase="supplementary",
    content=("what_happened", "cause", "number_affected", "number_notified",
             "notification_plan", "measures_taken"),
)
# Art. 34(1)-(2): likely high risk, without undue delay [S].
DATA_SUBJECTS = Duty(
    "individuals", citation="UK GDPR Art. 34(1)", verification="S",
    deadline=WITHOUT_UNDUE_DELAY,
    content=("what_happened", "dpo_contact", "likely_consequences", "measures_taken"),
)
# Art. 34(3)(c): public communication on disproportionate effort [S].
SUBSTITUTE = SubstituteNotice(
    citation="UK GDPR Art. 34(3)(c)", verification="S",
    components=(Component("public_announcement", detail="public communication or similar, "
                                                        "equally effective measure"),),
    judgment="individual communication would involve disproportionate effort",
)


class UkGdpr(EuGdpr):
    """UK GDPR: the EU rules with the ICO as the one supervisory authority."""

    code = "GB"
    name = "United Kingdom (UK GDPR)"
    country = "GB"
    duties = (COMMISSIONER, SUPPLEMENTARY, DATA_SUBJECTS, public_duty(SUBSTITUTE, DATA_SUBJECTS))
    encryption = Encryption("individuals", True, "UK GDPR Art. 34(3)(a)", "S")
    substitute = SUBSTITUTE
    authority_word = "Commissioner"

    def recipient(self, org: OrgFacts) -> tuple[str, bool, list[str]]:  # noqa: ARG002
        return ICO, False, ["the ICO is the supervisory authority for the UK; PECR providers report "
                     "within 24 hours instead (reg. 5A) [U]"]
