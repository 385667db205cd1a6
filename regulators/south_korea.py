"""South Korea: PIPA Art. 34 (as amended 2023) and Enforcement Decree Arts. 39-40.

References:
    * 개인정보 보호법 Art. 34, 2020 text (lawnb.com; docs/law/rules.md S26) [V]
    * 2023 amendment (effective 2023-09-15) and Decree Arts. 39-40: 72 hours, PIPC/KISA report
      thresholds (itwiki.kr, lawguide.kr, wallpapers.co.kr; S26) [S; exact text U]
"""

from __future__ import annotations

from regulators.base import Regulator
from regulators.deadlines import Deadline
from regulators.facts import IncidentFacts, ObligationDraft, OrgFacts, Population
from regulators.rules import Component, Duty, Encryption, SubstituteNotice, Threshold, public_duty
from regulators.triggers import SPECIAL, present

SEVENTY_TWO = Deadline("hours", 72, "awareness")
# Art. 34(1) items 1-5 [V]; Decree Art. 39: within 72 hours of learning, in writing etc. [S].
INDIVIDUALS = Duty(
    "individuals", citation="PIPA Art. 34(1); Decree Art. 39", verification="S",
    deadline=SEVENTY_TWO,
    content=("data_categories", "what_happened", "date_of_breach", "what_you_can_do",
             "measures_taken", "remedy", "contact"),
)
# Decree Art. 40: PIPC or KISA within 72 hours for >= 1,000 people, sensitive or unique
# identifying information, or unlawful external access [S].
SCALE = Threshold(">=", 1000, "data subjects")
REGULATOR = Duty(
    "regulator", citation="PIPA Art. 34(3); Decree Art. 40", verification="S",
    deadline=SEVENTY_TWO, threshold=SCALE,
    recipient="Personal Information Protection Commission (PIPC) or KISA",
    content=("data_categories", "what_happened", "date_of_breach", "number_affected",
             "measures_taken", "contact"),
)
# Contact unknown -> website posting for at least 30 days [S]; premises without a site [U].
SUBSTITUTE = SubstituteNotice(
    citation="PIPA Decree Art. 39 (posting)", verification="S",
    components=(Component("website", 30, "or a conspicuous place at the business premises "
                                         "without a website [U]"),),
)
# PIPA Art. 23 sensitive information and Art. 24 unique identifiers (RRN, passport, DL).
SENSITIVE = SPECIAL | {"national_id", "passport", "drivers_license"}


class SouthKorea(Regulator):
    """PIPA: any leak, loss or theft notified to data subjects within 72 hours."""

    code = "KR"
    name = "South Korea (PIPA)"
    country = "KR"
    duties = (INDIVIDUALS, REGULATOR, public_duty(SUBSTITUTE, INDIVIDUALS))
    # No explicit encryption safe harbour [U].
    encryption = Encryption("none", None, "PIPA Art. 34", "U")
    substitute = SUBSTITUTE

    def triggered_by(self, categories: frozenset[str], incident: IncidentFacts) -> bool:
        # 유출등: leak, loss or theft (since 2023) -> confidentiality or availability.
        lost = incident.acquisition_possible or "availability" in incident.breach_types
        return lost and bool(categories)

    def obligations(
        self, *, incident: IncidentFacts, org: OrgFacts, population: Population  # noqa: ARG002
    ) -> list[ObligationDraft]:
        n = population.triggered
        grounds = []
        if SCALE.met(n):
            grounds.append(SCALE.verdict(n))
        if sensitive := present(population.categories, SENSITIVE):
            grounds.append(f"sensitive or unique identifying information: {', '.join(sensitive)}")
        if incident.cause == "external_attack":
            grounds.append("unlawful external access (hacking)")
        individuals = self.draft(
            INDIVIDUALS, incident, required=n > 0, count=n,
            reasons=[f"{n:,} data subjects' information leaked, lost or stolen (Art. 34(1))"
                     if n else "no leak, loss or theft of personal information"],
            substitute_notice=n > 0 and population.unreachable > 0,
        )
        regulator = self.draft(
            REGULATOR, incident, required=n > 0 and bool(grounds), count=n,
            reasons=grounds or [SCALE.verdict(n) + "; no sensitive data, not hacking"],
        )
        unreachable = population.unreachable if n else 0
        public = self.draft(
            self.duty("public"), incident, required=unreachable > 0, count=unreachable,
            substitute_notice=unreachable > 0,
            reasons=[f"{unreachable:,} data subjects without contact information: post on the "
                     "website for at least 30 days" if unreachable else "direct notice possible"],
        )
        return [individuals, regulator, public]
