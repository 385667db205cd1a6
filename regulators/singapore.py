"""Singapore: PDPA Part 6A (ss. 26A-26E) and the PDP (Notification of Data Breaches) Regs 2021.

References:
    * <https://sso.agc.gov.sg/Act/PDPA2012> Part 6A, ss. 26A-26C (docs/law/rules.md S24) [V]
    * s. 26D (laws.sg, lawplayer.com) [V]; S 64/2021 regs 1-3 (SSO archive) [V partial]
    * reg. 4 significant scale of 500 (covarage blog) [S]; regs 5-6 content [U]
"""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from regulators.base import Regulator
from regulators.deadlines import Deadline, anchor_time
from regulators.facts import IncidentFacts, ObligationDraft, OrgFacts, Population
from regulators.rules import Duty, Encryption, Threshold
from regulators.triggers import FINANCIAL, HEALTH, LOGIN_IDS

SGT = ZoneInfo("Asia/Singapore")
# s. 26D(1): no later than 3 calendar days after the day of the assessment [V]. The law's limit
# is the end of the third day after the day of assessment; the engine counts 72 hours from the
# moment of assessment, which is earlier (conservative), and says so in every obligation.
PDPC = Duty(
    "regulator", citation="PDPA s. 26D(1)", verification="V",
    deadline=Deadline("calendar_days", 3, "assessment",
                      text="3 calendar days from assessment as notifiable (the law allows until "
                           "the end of the third day after the day of assessment)"),
    recipient="Personal Data Protection Commission (PDPC)",
    # reg. 5 content [U].
    content=("what_happened", "date_of_breach", "data_categories", "number_affected",
             "likely_consequences", "measures_taken", "timeline", "contact"),
)
# reg. 4: 500 or more affected individuals is a significant scale [S].
SCALE = Threshold(">=", 500, "affected individuals")
# s. 26D(2): significant-harm breaches only, on or after notifying the PDPC [V]; reg. 6 [U].
INDIVIDUALS = Duty(
    "individuals", citation="PDPA s. 26D(2)", verification="V",
    deadline=Deadline("none", text="as soon as practicable, on or after notifying the PDPC"),
    content=("what_happened", "data_categories", "likely_consequences", "measures_taken",
             "what_you_can_do", "contact"),
    order="not_before:regulator",
    channel_rules=("in any manner that is reasonable in the circumstances (s. 26D(2))",),
)
SCHEDULE = FINANCIAL | HEALTH


def legal_limit(incident: IncidentFacts) -> datetime:
    """The end (Singapore time) of the third calendar day after the day of assessment."""
    day = anchor_time(incident, "assessment").astimezone(SGT).date() + timedelta(days=3)
    return datetime.combine(day, time(23, 59, 59), tzinfo=SGT)


class Singapore(Regulator):
    """PDPA: significant harm (deemed by the Regulations) or significant scale."""

    code = "SG"
    name = "Singapore (PDPA)"
    country = "SG"
    duties = (PDPC, INDIVIDUALS)
    # s. 26D(5)(b): prior technological measures (encryption) -> no individual notice [V].
    encryption = Encryption("individuals", True, "PDPA s. 26D(5)(b)", "V")

    def triggered_by(self, categories: frozenset[str], incident: IncidentFacts) -> bool:  # noqa: ARG002
        """Reg. 3: significant harm is deemed for these combinations."""
        named = bool(categories & {"name", "national_id"})
        account = bool(categories & LOGIN_IDS) and bool(
            categories & {"password", "security_qa", "account_access_code", "biometric"})
        return (named and bool(categories & SCHEDULE)) or account

    def obligations(
        self, *, incident: IncidentFacts, org: OrgFacts, population: Population  # noqa: ARG002
    ) -> list[ObligationDraft]:
        harm = population.triggered
        scale = SCALE.met(population.subjects)
        reasons = []
        if harm:
            reasons.append(f"{harm:,} people with data deemed to cause significant harm "
                           "(reg. 3) (s. 26B(1)(a))")
        reasons.append(f"{SCALE.verdict(population.subjects)} (reg. 4) [S]")
        reasons.append("assess within 30 days of suspecting a breach (s. 26C) [U]")
        limit = legal_limit(incident)
        reasons.append("the 3 days run to the end of the third calendar day after the day of "
                       f"assessment ({limit:%Y-%m-%d %H:%M} Singapore time, s. 26D(1)); the "
                       "engine's deadline, 72 hours after the assessment, is earlier: "
                       "conservative")
        reasons.append("a breach confined within the organisation is deemed not notifiable "
                       "(s. 26B(4)); the engine does not model that exclusion and treats the "
                       "breach as notifiable: conservative")
        regulator = self.draft(
            PDPC, incident, required=bool(harm) or scale, count=population.subjects,
            reasons=reasons, verification=None if harm else "S",
        )
        exempt = incident.secured or incident.law_enforcement_delay
        why = [f"{harm:,} people face significant harm: notify them (s. 26D(2))"] if harm else [
            "scale alone does not require individual notice (s. 26D(2))"]
        if harm and incident.secured:
            why.append("encryption in place beforehand may make significant harm unlikely: "
                       "no individual notice (s. 26D(5)(b)); the PDPC is still notified")
        if harm and incident.law_enforcement_delay:
            why.append("a prescribed law-enforcement agency or the PDPC may forbid notifying "
                       "individuals (s. 26D(6))")
        individuals = self.draft(INDIVIDUALS, incident, required=bool(harm) and not exempt,
                                 count=harm, reasons=why, needs_review=bool(harm) and exempt)
        return [regulator, individuals]
