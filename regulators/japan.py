"""Japan: APPI Art. 26 and the PPC Enforcement Rules Arts. 7-10.

References:
    * 個人情報の保護に関する法律 Art. 26, text in GitHub Ansvar-Systems/japan-law-mcp
      415AC0000000057.json (docs/law/rules.md S25) [V]
    * PPC Enforcement Rules Art. 8 deadlines (iuris.jp) [V]; Arts. 7, 10 situations and
      content (businesslawyers.jp/practices/1433, 1434) [S]
"""

from __future__ import annotations

from dataclasses import replace
from typing import ClassVar

from regulators.base import Regulator
from regulators.deadlines import Deadline
from regulators.facts import IncidentFacts, ObligationDraft, OrgFacts, Population
from regulators.rules import Component, Duty, Encryption, SubstituteNotice, Threshold, public_duty
from regulators.triggers import FINANCIAL_ACCOUNTS, SPECIAL

PPC = "Personal Information Protection Commission (PPC), web form"
REPORT = ("what_happened", "data_categories", "number_affected", "cause", "likely_consequences",
          "notification_plan", "measures_taken")
# Rules Art. 8(1): preliminary report 速やかに (promptly; in practice 3-5 days) [V / S].
PRELIMINARY = Duty(
    "regulator", citation="APPI Art. 26(1); PPC Rules Art. 8(1)", verification="V",
    deadline=Deadline("none", text="promptly (速やかに); in practice 3-5 days"),
    recipient=PPC, content=REPORT, key="preliminary", phase="preliminary",
)
# Rules Art. 8(2): final report (確報) within 30 days of learning, 60 for wrongful purpose
# (unauthorised access) [V]; it carries the response to the persons (item 6) as done.
FINAL = Duty(
    "regulator", citation="APPI Art. 26(1); PPC Rules Art. 8(2)", verification="V",
    deadline=Deadline("calendar_days", 30, "awareness"), recipient=PPC,
    content=(*REPORT, "number_notified"), key="final", phase="final",
)
FINAL_WRONGFUL = replace(FINAL, deadline=Deadline("calendar_days", 60, "awareness"),
                         key="final_wrongful")
# Art. 26(2): notify the principal promptly according to the situation [V; wording U];
# Rules Art. 10: items 1, 2, 4, 5, 9 of Art. 8(1) [S].
INDIVIDUALS = Duty(
    "individuals", citation="APPI Art. 26(2)", verification="V",
    deadline=Deadline("none", text="promptly according to the situation (速やかに)"),
    content=("what_happened", "data_categories", "cause", "likely_consequences"),
)
# Art. 26(2) proviso: where notice is difficult, an alternative measure [V]; PPC examples
# are a public announcement and an inquiry desk [U].
SUBSTITUTE = SubstituteNotice(
    citation="APPI Art. 26(2) proviso", verification="V",
    components=(Component("public_announcement", detail="public announcement and an inquiry "
                                                        "desk (PPC guideline examples) [U]"),),
)
# Rules Art. 7 (1): 要配慮個人情報 (race, creed, social status, medical history, criminal
# record...) [S]; (2): data whose misuse may cause financial damage [S].
SENSITIVE = SPECIAL - {"biometric", "sexual_orientation"}
FINANCIAL_DAMAGE = FINANCIAL_ACCOUNTS | {"account_access_code"}
WRONGFUL = frozenset({"external_attack", "insider_malicious"})
# (4): more than 1,000 persons [S].
SCALE = Threshold(">", 1000, "persons")


class Japan(Regulator):
    """APPI: report situations likely to seriously harm rights and interests."""

    code = "JP"
    name = "Japan (APPI)"
    citations_in: ClassVar[dict[str, dict[str, str]]] = {
        "APPI Art. 26(2)": {
            "en": "Article 26(2) of the Act on the Protection of Personal Information (APPI)",
            "de": "Art. 26 Abs. 2 des japanischen Gesetzes über den Schutz personenbezogener "
                  "Informationen (APPI)",
            "fr": "article 26, paragraphe 2, de la loi japonaise sur la protection des "
                  "informations personnelles (APPI)",
            "es": "artículo 26, apartado 2, de la Ley japonesa de Protección de la Información "
                  "Personal (APPI)",
            "ja": "個人情報の保護に関する法律（個人情報保護法）第26条第2項",
            "zh-CN": "日本《个人信息保护法》第26条第2款",
        },
        SUBSTITUTE.citation: {
            "en": "the proviso to Article 26(2) of the Act on the Protection of Personal "
                  "Information (APPI)",
            "de": "Art. 26 Abs. 2 (Ausnahmeklausel) des japanischen Gesetzes über den Schutz "
                  "personenbezogener Informationen (APPI)",
            "fr": "article 26, paragraphe 2, in fine (dérogation), de la loi japonaise sur la "
                  "protection des informations personnelles (APPI)",
            "es": "artículo 26, apartado 2, in fine (excepción), de la Ley japonesa de "
                  "Protección de la Información Personal (APPI)",
            "ja": "個人情報の保護に関する法律（個人情報保護法）第26条第2項ただし書",
            "zh-CN": "日本《个人信息保护法》第26条第2款但书",
        },
    }
    country = "JP"
    duties = (PRELIMINARY, FINAL, FINAL_WRONGFUL, INDIVIDUALS,
              public_duty(SUBSTITUTE, INDIVIDUALS))
    # Rules Art. 7: data under advanced encryption (高度な暗号化) is out of scope [S].
    encryption = Encryption("trigger", True, "PPC Rules Art. 7", "S")
    substitute = SUBSTITUTE

    def triggered_by(self, categories: frozenset[str], incident: IncidentFacts) -> bool:
        """Situations (1)-(3) of Rules Art. 7, which apply even to one person."""
        if incident.secured or not categories:
            return False
        return bool(categories & (SENSITIVE | FINANCIAL_DAMAGE)) or incident.cause in WRONGFUL

    def obligations(
        self, *, incident: IncidentFacts, org: OrgFacts, population: Population  # noqa: ARG002
    ) -> list[ObligationDraft]:
        scale = not incident.secured and SCALE.met(population.subjects)
        reportable = population.triggered > 0 or scale
        count = population.subjects if scale else population.triggered
        reasons = [f"{population.triggered:,} people in situations (1)-(3) of PPC Rules Art. 7",
                   f"{SCALE.verdict(population.subjects)} (Rules Art. 7(4)) [S]"]
        if incident.secured:
            reasons.append("advanced encryption with the key intact: outside Art. 26 [S]")
        wrongful = incident.cause in WRONGFUL
        final = FINAL_WRONGFUL if wrongful else FINAL
        drafts = [self.draft(PRELIMINARY, incident, required=reportable, count=count,
                             reasons=reasons),
                  self.draft(final, incident, required=reportable, count=count,
                             reasons=[*reasons, "60 days: possible wrongful purpose (Art. 7(3))"
                                        if wrongful else "30 days from learning"])]
        unreachable = population.unreachable if reportable else 0
        drafts.append(self.draft(INDIVIDUALS, incident, required=reportable, count=count,
                                 reasons=reasons[:2], substitute_notice=unreachable > 0))
        drafts.append(self.draft(
            self.duty("public"), incident, required=unreachable > 0, count=unreachable,
            substitute_notice=unreachable > 0, needs_review=unreachable > 0,
            reasons=[f"{unreachable:,} people are hard to notify: an alternative measure such "
                     "as a public announcement" if unreachable else "direct notice possible"]))
        return drafts
