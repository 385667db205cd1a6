"""European Union: GDPR Arts. 33-34 (every EEA country maps here).

References:
    * Regulation (EU) 2016/679, EUR-Lex CELEX 32016R0679: Art. 4(12), Art. 33, Art. 34
      (docs/law/rules.md S1 and addendum) [V]
    * Arts. 55-56 (competent / lead supervisory authority) [U]
    * EDPB Guidelines 9/2022 on personal data breach notification (key compromise, channels) [U]
"""

from __future__ import annotations

from regulators.base import Regulator
from regulators.deadlines import WITHOUT_UNDUE_DELAY, Deadline
from regulators.eea import EEA, SUPERVISORY_AUTHORITIES
from regulators.facts import IncidentFacts, ObligationDraft, OrgFacts, Population
from regulators.rules import Component, Duty, Encryption, SubstituteNotice, public_duty
from regulators.triggers import HARMFUL, present

# Art. 33(1): where feasible within 72 hours of becoming aware [V]; Art. 33(3)(a)-(d) [V].
SUPERVISORY_AUTHORITY = Duty(
    "regulator", citation="GDPR Art. 33(1)", verification="V",
    deadline=Deadline("hours", 72, "awareness"),
    recipient="lead supervisory authority (Art. 56)",
    content=("what_happened", "data_categories", "number_affected", "dpo_contact",
             "likely_consequences", "measures_taken"),
)
# Art. 33(4): what cannot be given at the same time "may be provided in phases without undue
# further delay" [V]: the supplementary report, with what became known (the notices sent).
FURTHER = Deadline("none", text="in phases without undue further delay (Art. 33(4))")
SUPPLEMENTARY = Duty(
    "regulator", citation="GDPR Art. 33(4)", verification="V", deadline=FURTHER,
    recipient=SUPERVISORY_AUTHORITY.recipient, key="supplementary", phase="supplementary",
    content=("what_happened", "cause", "number_affected", "number_notified",
             "notification_plan", "measures_taken"),
)
# Art. 34(1)-(2): without undue delay when likely high risk; nature + Art. 33(3)(b)-(d) [V].
DATA_SUBJECTS = Duty(
    "individuals", citation="GDPR Art. 34(1)", verification="V", deadline=WITHOUT_UNDUE_DELAY,
    content=("what_happened", "dpo_contact", "likely_consequences", "measures_taken"),
    channel_rules=(("EDPB Guidelines 9/2022: a dedicated direct message (e-mail, SMS), not "
                   "buried in a newsletter; several channels where useful [U]"),),
)
# Art. 34(3)(c): disproportionate effort -> public communication, equally effective [V].
SUBSTITUTE = SubstituteNotice(
    citation="GDPR Art. 34(3)(c)", verification="V",
    components=(Component("public_announcement", detail="public communication or similar "
                          "measure informing data subjects in an equally effective manner"),),
    judgment="individual communication would involve disproportionate effort",
)
# What makes a breach "likely high risk" in the engine's recommendation (Art. 9 special
# categories raising risk is itself [U]).
HIGH_RISK = HARMFUL


class EuGdpr(Regulator):
    """GDPR: supervisory authority within 72 hours; data subjects when likely high risk."""

    code = "EU"
    name = "European Union (GDPR)"
    country = "EU"
    duties = (SUPERVISORY_AUTHORITY, SUPPLEMENTARY, DATA_SUBJECTS,
              public_duty(SUBSTITUTE, DATA_SUBJECTS))
    # Art. 34(3)(a): unintelligible data needs no communication [V]; a compromised key undoes
    # that per EDPB guidance [U].
    encryption = Encryption("individuals", True, "GDPR Art. 34(3)(a)", "V")
    substitute = SUBSTITUTE
    authority_word = "supervisory authority"

    def triggered_by(self, categories: frozenset[str], incident: IncidentFacts) -> bool:  # noqa: ARG002
        # Art. 4(12): any personal data, for confidentiality, integrity or availability [V].
        return bool(categories)

    def recipient(self, org: OrgFacts) -> tuple[str, bool, list[str]]:
        """(authority, whether it needs review, reasons)."""
        est = (org.establishment or "").upper()
        if est in EEA:
            return SUPERVISORY_AUTHORITIES[est], False, [
                f"main establishment in {est}: lead authority under Art. 56 [U]"]
        return "supervisory authority of each member state where data subjects reside", True, [
            ("no main establishment in the EEA: no one-stop shop; the Art. 27 representative "
            "and each concerned authority are involved [U]")]

    def obligations(
        self, *, incident: IncidentFacts, org: OrgFacts, population: Population
    ) -> list[ObligationDraft]:
        n = population.triggered
        authority, doubtful, who = self.recipient(org)
        unlikely_risk = incident.secured and incident.breach_types <= {"confidentiality"}
        reasons = [f"personal data breach affecting {n:,} people (Art. 4(12))", *who]
        if unlikely_risk:
            reasons.append("encrypted with the key intact and no integrity/availability impact: "
                           "the breach may be unlikely to result in a risk (Art. 33(1)); the "
                           "engine recommends not notifying, document it under Art. 33(5)")
        elif n:
            # Art. 33(1) exempts a breach "unlikely to result in a risk": a judgment, like the
            # other risk tests, so the recommendation goes to a person to confirm.
            reasons.append("whether the breach is unlikely to result in a risk to rights and "
                           "freedoms is a judgment (Art. 33(1)): the engine recommends notifying")
            reasons.append("notify within 72 hours of awareness; if later, give the reasons "
                           "for the delay (Art. 33(1)); document the breach (Art. 33(5))")
        regulator = self.draft(
            self.duty("regulator"), incident, required=n > 0 and not unlikely_risk, count=n,
            reasons=reasons, recipient=authority,
            needs_review=n > 0 or doubtful,
        )
        supplementary = self.draft(
            self.duty("regulator", "supplementary"), incident, required=regulator.required,
            count=n, recipient=authority, needs_review=regulator.needs_review,
            reasons=["information not available with the initial notification follows in "
                     "phases without undue further delay (Art. 33(4)): what became known, "
                     "including the data subjects told and when"])
        individuals = self._subjects(incident, population)
        return [regulator, supplementary, individuals,
                self._public(incident, population, individuals)]

    def _subjects(self, incident: IncidentFacts, pop: Population) -> ObligationDraft:
        signals = present(pop.categories, HIGH_RISK)
        reasons = []
        if signals:
            reasons.append(f"likely high risk: {', '.join(signals)} involved (Art. 34(1))")
        if pop.minors:
            signals.append("minors")
            reasons.append(f"{pop.minors:,} children affected, which raises the risk [U]")
        if not signals:
            reasons.append("no special-category, financial, credential or identity data: the "
                           "engine does not see a likely high risk (Art. 34(1))")
        high = bool(signals) and pop.triggered > 0
        if high and incident.secured:
            high = False
            reasons.append("the data was unintelligible (encrypted, key intact): no "
                           "communication needed (Art. 34(3)(a))")
        elif incident.encrypted:
            reasons.append("encrypted but the key was compromised: not unintelligible, "
                           "Art. 34(3)(a) does not apply (EDPB guidance) [U]")
        reasons.append(f"the {self.authority_word} may order communication (Art. 34(4))")
        return self.draft(
            self.duty("individuals"), incident, required=high, count=pop.triggered,
            reasons=reasons, needs_review=True, substitute_notice=high and pop.unreachable > 0,
        )

    def _public(
        self, incident: IncidentFacts, pop: Population, individuals: ObligationDraft
    ) -> ObligationDraft:
        needed = individuals.required and pop.unreachable > 0
        reason = (f"{pop.unreachable:,} data subjects cannot be reached directly: a public "
                  "communication informs them equally effectively (Art. 34(3)(c))"
                  if needed else "no public communication needed")
        return self.draft(self.duty("public"), incident, required=needed, count=pop.unreachable,
                          reasons=[reason], needs_review=needed, substitute_notice=needed)
