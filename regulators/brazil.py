"""Brazil: LGPD Art. 48 and Resolução CD/ANPD nº 15/2024 (incident communication).

References:
    * Lei 13.709/2018 (LGPD) Art. 48, text in GitHub Ansvar-Systems/latam-data-protection-mcp
      br_lgpd.json (docs/law/rules.md S23) [V]
    * Resolução CD/ANPD nº 15/2024: relevant risk (art. 5: sensitive data; children's,
      adolescents' or elderly people's data; financial; authentication; secrecy; large scale),
      3 business days, 90-day public notice (trenchrossi.com, bastilhocoelho.com.br,
      azevedosette.com.br, martinelli.adv.br, tera-tecnologia.com; S23) [S]
    * Resolução CD/ANPD nº 2/2022 art. 14: double time for small processing agents (agentes de
      tratamento de pequeno porte) unless the incident may compromise the data subjects'
      physical or moral integrity or national security [S]
    * Lei 10.741/2003 (Estatuto da Pessoa Idosa) art. 1: elderly = 60 or older [S]
"""

from __future__ import annotations

from regulators.base import Regulator
from regulators.deadlines import Deadline
from regulators.facts import IncidentFacts, ObligationDraft, OrgFacts, Population
from regulators.rules import Component, Duty, Encryption, SubstituteNotice, Threshold, public_duty
from regulators.triggers import CREDENTIALS, FINANCIAL, SPECIAL, present

# Res. 15/2024: 3 business days (dias úteis) from learning that personal data was affected,
# for the ANPD and the data subjects alike [S].
THREE_BUSINESS_DAYS = Deadline("business_days", 3, "awareness", country="BR",
                               tz="America/Sao_Paulo")
# Art. 48 § 1 I-VI [V]; Res. 15 adds the encarregado (DPO) and the date of knowledge [S/U].
CONTENT = ("data_categories", "number_affected", "protection_measures", "likely_consequences",
           "reasons_for_delay", "measures_taken", "dpo_contact", "date_of_discovery")
ANPD = Duty(
    "regulator", citation="LGPD Art. 48; Res. CD/ANPD 15/2024", verification="S",
    deadline=THREE_BUSINESS_DAYS, content=CONTENT,
    recipient="Autoridade Nacional de Proteção de Dados (ANPD)",
    channel_rules=("ANPD electronic form; supplement within 20 business days; attach proof of "
                   "the encarregado's link to the controller [S]",),
)
# Res. 15/2024: the communication to the ANPD may be supplemented within 20 business days
# (from the communication; counted here from learning, the earlier bound) [S].
SUPPLEMENT = Duty(
    "regulator", citation="LGPD Art. 48; Res. CD/ANPD 15/2024 (complementação)", verification="S",
    deadline=Deadline("business_days", 20, "awareness", country="BR", tz="America/Sao_Paulo"),
    content=(*CONTENT, "number_notified"), key="supplement", phase="supplementary",
    recipient="Autoridade Nacional de Proteção de Dados (ANPD)",
)
INDIVIDUALS = Duty(
    "individuals", citation="LGPD Art. 48; Res. CD/ANPD 15/2024 (titulares)", verification="S",
    deadline=THREE_BUSINESS_DAYS, content=CONTENT[:1] + CONTENT[2:],
    channels=("letter", "email", "voice", "sms", "push"),
    channel_rules=("plain language; individual notice wherever possible [S]",),
)
# Res. 15/2024: public communication kept at least 90 days on the website, apps, social
# media and service channels where individual notice is impossible [S].
SUBSTITUTE = SubstituteNotice(
    citation="Res. CD/ANPD 15/2024 (comunicação pública)", verification="S",
    components=(Component("website", 90, "website, apps, social media and service channels"),),
)
# LGPD Art. 5 II sensitive data (no criminal data) plus the Res. 15 relevant-risk criteria.
SENSITIVE = SPECIAL - {"criminal_record"}
CRITERIA = SENSITIVE | FINANCIAL | CREDENTIALS
# Res. 15 art. 5 § 2 gives "large scale" no number (subjects, volume, duration, frequency,
# reach). The engine's own line for recommending it, for a person to confirm: the volume at which
# other laws here make scale alone reportable (Japan more than 1,000, Korea 1,000 or more).
LARGE_SCALE = Threshold(">=", 1000, "data subjects (the engine's line; the text gives none)")


class Brazil(Regulator):
    """LGPD: incidents that may cause relevant risk or damage, 3 business days."""

    code = "BR"
    name = "Brazil (LGPD)"
    country = "BR"
    duties = (ANPD, SUPPLEMENT, INDIVIDUALS, public_duty(SUBSTITUTE, INDIVIDUALS))
    # Art. 48 § 3: unintelligible data weighs on severity; not an exemption [V].
    encryption = Encryption("factor", None, "LGPD Art. 48 § 3", "V")
    substitute = SUBSTITUTE
    elderly_age = 60

    def triggered_by(self, categories: frozenset[str], incident: IncidentFacts) -> bool:  # noqa: ARG002
        return bool(categories)

    def obligations(
        self, *, incident: IncidentFacts, org: OrgFacts, population: Population  # noqa: ARG002
    ) -> list[ObligationDraft]:
        n = population.triggered
        signals = present(population.categories, CRITERIA)
        if population.minors:
            signals.append("children or adolescents")
        if population.elderly:
            signals.append(f"elderly people ({population.elderly:,} aged {self.elderly_age} or "
                           "older)")
        if LARGE_SCALE.met(population.subjects):
            signals.append(f"large scale ({LARGE_SCALE.verdict(population.subjects)})")
        relevant = n > 0 and bool(signals) and not incident.secured
        reasons = [
            (f"relevant risk: {', '.join(signals)} involved (Res. 15/2024 art. 5) [S]; the "
             "incident must also significantly affect the data subjects") if relevant else
            "the engine does not see relevant risk or damage (Art. 48; Res. 15/2024)",
            "large scale (subjects, volume, duration, frequency, reach) is a criterion without a "
            "number (art. 5 § 2): the engine recommends it from 1,000 data subjects [S]",
            "the ANPD may order wide public disclosure in the media (Art. 48 § 2) [V]",
            "small processing agents have twice the time (6 business days) unless the incident "
            "may compromise the data subjects' physical or moral integrity or national security "
            "(Res. CD/ANPD 2/2022 art. 14) [S]; the engine applies 3 business days: "
            "conservative",
        ]
        if incident.secured:
            reasons.append("the data was unintelligible: weighed on severity (Art. 48 § 3)")
        regulator = self.draft(ANPD, incident, required=relevant, count=n, reasons=reasons,
                               needs_review=n > 0)
        supplement = self.draft(SUPPLEMENT, incident, required=relevant, count=n,
                                needs_review=n > 0, reasons=[
                                    "the ANPD communication is supplemented within 20 business "
                                    "days with what became known, including the data subjects "
                                    "told and when (Res. CD/ANPD 15/2024) [S]"])
        unreachable = population.unreachable if relevant else 0
        individuals = self.draft(INDIVIDUALS, incident, required=relevant, count=n,
                                 reasons=reasons[:1], needs_review=n > 0,
                                 substitute_notice=unreachable > 0)
        public = self.draft(
            self.duty("public"), incident, required=unreachable > 0, count=unreachable,
            substitute_notice=unreachable > 0,
            reasons=[f"{unreachable:,} data subjects cannot be notified individually: public "
                     "communication for at least 90 days" if unreachable else
                     "individual notice is possible"],
        )
        return [regulator, supplement, individuals, public]
