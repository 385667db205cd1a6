"""US HIPAA Breach Notification Rule (45 CFR 164.400-414), for covered entities.

References:
    * 45 CFR 160.103 "protected health information" / "individually identifiable health
      information", verbatim copy at <https://www.brickergraydon.com/insights/resources/key/
      HIPAA-Regulations-Definitions-Individually-Identifiable-Health-Information-160-103>
      (read 2026-12-06) [V]
    * 45 CFR 164.514(b)(2)(i) identifiers, <http://edocket.access.gpo.gov/cfr_2006/octqtr/
      45cfr164.514.htm> (GPO, read 2026-12-06) [V]
    * 45 CFR 164.402, 164.404, 164.406, 164.408, verbatim eCFR copy in GitHub
      aptible/www.aptible.com source/hipaa/regulations/ (commit 02d10fd3; docs/law/rules.md addendum) [V]
    * 45 CFR 164.410-414 and 164.502(g) (business associates, law-enforcement delay, burden of
      proof, personal representatives) [U]
    * HHS guidance on unsecured PHI, 74 FR 19006 (NIST SP 800-111 / 800-88) [U]
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

from regulators import methods as methods_
from regulators.base import Regulator
from regulators.deadlines import Deadline
from regulators.facts import IncidentFacts, ObligationDraft, OrgFacts, Population
from regulators.rules import Component, Duty, Encryption, SubstituteNotice, Threshold, public_duty
from regulators.triggers import HEALTH

# § 160.103: individually identifiable health information includes "demographic information
# collected from an individual" that is created or received by a health care provider or plan
# and relates to the provision of or payment for care, and that identifies the individual. In
# records of care, an identifier is therefore PHI on its own. The identifiers are those of
# § 164.514(b)(2)(i) that the data-category vocabulary names.
IDENTIFIERS = frozenset({
    "name", "postal_address", "date_of_birth", "phone", "email", "ssn", "health_insurance",
    "financial_account", "payment_card", "drivers_license", "national_id", "passport",
    "military_id", "tax_id", "license_plate", "device_id", "ip_address", "biometric", "photo",
    "username",
})


def is_phi(categories: frozenset[str], *, records_of_care: bool) -> bool:
    """Health, insurance or genetic data; or, from records of care, any identifier (§ 160.103)."""
    return bool(categories & HEALTH) or (records_of_care and bool(categories & IDENTIFIERS))

SIXTY_DAYS = Deadline("calendar_days", 60, "discovery")
# § 164.404(b)-(c): no later than 60 calendar days after discovery; content (A)-(E) [V].
INDIVIDUALS = Duty(
    "individuals", citation="45 CFR 164.404", verification="V", deadline=SIXTY_DAYS,
    content=("what_happened", "date_of_breach", "date_of_discovery", "data_categories",
             "what_you_can_do", "measures_taken", "contact"),
    channels=("letter", "email", "voice"),
    channel_rules=("first-class mail, or e-mail if the individual agreed to electronic notice "
                   "[V]", "telephone only in addition to written notice, in urgent cases [V]"),
)
# § 164.406: more than 500 residents of a State -> prominent media outlets, within 60 days [V].
MEDIA = Duty(
    "media", citation="45 CFR 164.406", verification="V", deadline=SIXTY_DAYS,
    recipient="prominent media outlets serving the State",
    threshold=Threshold(">", 500, "residents of one State"), content=INDIVIDUALS.content,
)
# § 164.408(b): 500 or more in total -> HHS contemporaneously with individual notice [V].
HHS = Duty(
    "regulator", citation="45 CFR 164.408(b)", verification="V", deadline=SIXTY_DAYS,
    recipient="Secretary of HHS (OCR breach portal)", key="now",
    threshold=Threshold(">=", 500, "individuals"), order="with:individuals",
    content=("what_happened", "number_affected", "data_categories", "measures_taken"),
)
# § 164.408(c): fewer than 500 -> log, report within 60 days after the end of the year [V].
HHS_LOG = Duty(
    "regulator", citation="45 CFR 164.408(c)", verification="V", key="annual",
    deadline=Deadline("none", text="within 60 days after the end of the calendar year"),
    recipient="Secretary of HHS (OCR breach portal)", content=HHS.content,
)
# § 164.404(d)(2): insufficient contact for 10 or more -> home page 90 days or major media,
# plus a toll-free number for at least 90 days; fewer than 10 -> alternative notice [V].
SUBSTITUTE = SubstituteNotice(
    citation="45 CFR 164.404(d)(2)", verification="V",
    components=(Component("website", 90, "conspicuous home-page posting, or major print or "
                                         "broadcast media where the individuals likely reside"),
                Component("toll_free", 90, "toll-free number active at least 90 days")),
)


class UsHipaa(Regulator):
    """HIPAA: unsecured PHI; breach presumed unless a 4-factor assessment shows low risk."""

    code = "US-HIPAA"
    name = "US HIPAA (covered entities)"
    country = "US"
    duties = (INDIVIDUALS, MEDIA, HHS, HHS_LOG, public_duty(SUBSTITUTE, INDIVIDUALS))
    # Secured PHI (encryption per HHS guidance, key intact) is not "unsecured PHI" [V/U].
    encryption = Encryption("trigger", True, "45 CFR 164.402 (unsecured PHI)", "V",
                            standard="NIST SP 800-111 / FIPS 140-2 (74 FR 19006) [U]")
    substitute = SUBSTITUTE
    methods = methods_.us_state("45 CFR 164.404(d)(1)", "V")
    minors_rule = "notice goes to the personal representative, usually a parent (§ 164.502(g)) [U]"

    def triggered_by(self, categories: frozenset[str], incident: IncidentFacts) -> bool:
        return (incident.acquisition_possible and not incident.secured
                and is_phi(categories, records_of_care=incident.records_of_care))

    def hhs_notified(self, incident: IncidentFacts, org: OrgFacts) -> bool:
        """Whether this breach is one a covered entity reports to the Secretary (§ 164.408), now
        or with the year's log: unsecured PHI acquired, accessed, used or disclosed."""
        return org.hipaa_covered_entity and self.triggered_by(incident.data_categories, incident)

    def obligations(
        self, *, incident: IncidentFacts, org: OrgFacts, population: Population  # noqa: ARG002
    ) -> list[ObligationDraft]:
        n = population.triggered
        reasons = [f"unsecured PHI of {n:,} individuals: a breach is presumed unless a "
                   "documented 4-factor risk assessment shows a low probability of compromise "
                   "(§ 164.402); the engine recommends notifying"] if n else [
                   "no unsecured protected health information involved (§ 164.402)"]
        if n and incident.records_of_care and not population.categories & HEALTH:
            reasons.append("the identifiers come from records of care (the incident's "
                           "records_of_care): at a covered entity they are protected health "
                           "information (§ 160.103)")
        if n and incident.law_enforcement_delay:
            reasons.append("law-enforcement delay: a written statement delays for its period, "
                           "an oral one up to 30 days (§ 164.412) [U]")
        guardians = n > 0 and population.minors > 0
        if guardians:
            reasons.append(f"{population.minors:,} minors: {self.minors_rule}")
        unreachable = population.unreachable if n else 0
        individuals = self.draft(
            INDIVIDUALS, incident, required=n > 0, count=n, reasons=reasons,
            needs_review=n > 0, notify_guardians=guardians, substitute_notice=unreachable > 0,
            verification="U" if guardians or (n and incident.law_enforcement_delay) else None,
        )
        return [individuals, self._media(incident, population), *self._hhs(incident, n),
                self._public(incident, unreachable)]

    def _media(self, incident: IncidentFacts, pop: Population) -> ObligationDraft:
        states = [(r, c) for r, c in pop.by_region if MEDIA.threshold.met(c)]
        if pop.by_region or not pop.triggered:
            reasons = [f"{c:,} residents of {r}: {MEDIA.threshold.describe()}" for r, c in states]
            return self.draft(
                MEDIA, incident, required=bool(states), count=sum(c for _, c in states),
                reasons=reasons or ["no State has more than 500 affected residents"],
                recipient=("prominent media outlets serving " + ", ".join(r for r, _ in states))
                if states else None)
        # Without per-State counts the total is an upper bound: recommend, for review.
        met = MEDIA.threshold.met(pop.triggered)
        return self.draft(MEDIA, incident, required=met, count=pop.triggered, needs_review=True,
                          reasons=[f"per-State counts unknown; {pop.triggered:,} in total",
                                   MEDIA.threshold.verdict(pop.triggered) + " in some State?"])

    def _hhs(self, incident: IncidentFacts, n: int) -> list[ObligationDraft]:
        now = HHS.threshold.met(n)
        log = n > 0 and not now
        annual = self.draft(HHS_LOG, incident, required=log, count=n, reasons=[
            f"{n:,} is fewer than 500: log the breach and report it with the year's log"
            if log else "not a fewer-than-500 breach"])
        year_end = datetime(incident.aware_at.year + 1, 1, 1, tzinfo=UTC)
        return [
            self.draft(HHS, incident, required=now, count=n,
                       reasons=[HHS.threshold.verdict(n) + " (§ 164.408(b))"]),
            replace(annual, deadline=year_end + timedelta(days=60)),
        ]

    def _public(self, incident: IncidentFacts, unreachable: int) -> ObligationDraft:
        if unreachable >= 10:
            reason = (f"{unreachable:,} individuals with insufficient contact information: home-"
                      "page posting for 90 days or major media, and a toll-free number")
        elif unreachable:
            reason = (f"{unreachable} individuals unreachable (fewer than 10): alternative "
                      "written notice, telephone or other means, no public notice")
        else:
            reason = "everyone can be notified directly"
        return self.draft(self.duty("public"), incident, required=unreachable >= 10,
                          count=unreachable, reasons=[reason], substitute_notice=unreachable > 0)
