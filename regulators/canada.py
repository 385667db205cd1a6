"""Canada: PIPEDA ss. 10.1-10.3 and the Breach of Security Safeguards Regulations (SOR/2018-64).

References:
    * <https://laws-lois.justice.gc.ca/eng/acts/P-8.6/> PIPEDA s. 10.1, current to 2024-10-30
      (docs/law/rules.md S21) [V]
    * SOR/2018-64 (Canada Gazette), structure and s. 4 [V]; ss. 2-3, 5 content (mondaq,
      oba.org, kashifali.ca) [S/U]
"""

from __future__ import annotations

from typing import ClassVar

from regulators.base import Regulator
from regulators.deadlines import Deadline
from regulators.facts import IncidentFacts, ObligationDraft, OrgFacts, Population
from regulators.rules import Component, Duty, Encryption, SubstituteNotice, public_duty
from regulators.triggers import HARMFUL, present

FEASIBLE = Deadline("none", text="as soon as feasible after determining the breach occurred")
# s. 10.1(1)-(2): report to the Commissioner where there is a real risk of significant harm
# [V]; Regs s. 2 content [S, partly U].
COMMISSIONER = Duty(
    "regulator", citation="PIPEDA s. 10.1(1)", verification="V", deadline=FEASIBLE,
    recipient="Office of the Privacy Commissioner of Canada",
    content=("what_happened", "cause", "date_of_breach", "data_categories", "number_affected",
             "measures_taken", "notification_plan", "contact"),
)
# s. 10.1(3)-(6): direct, conspicuous notice as soon as feasible [V]; Regs s. 3 content [U];
# Regs s. 4 channels: in person, telephone, mail, e-mail or other reasonable form [V].
INDIVIDUALS = Duty(
    "individuals", citation="PIPEDA s. 10.1(3)", verification="V", deadline=FEASIBLE,
    content=("what_happened", "date_of_breach", "data_categories", "measures_taken",
             "what_you_can_do", "toll_free_number", "complaint_process", "regulator_contact"),
    channel_rules=("in person, telephone, mail, e-mail or any form a reasonable person would "
                   "consider appropriate (Regs s. 4)",),
)
# Regs s. 5: indirect notice where direct notice would cause further harm or undue hardship,
# or contact information is missing [V structure; U detail].
SUBSTITUTE = SubstituteNotice(
    citation="SOR/2018-64 s. 5", verification="V",
    components=(Component("public_announcement", detail="public communication or similar "
                          "measure reasonably expected to reach the individuals"),),
    judgment="direct notice would cause further harm or undue hardship",
)


class Canada(Regulator):
    """PIPEDA: report and notify where there is a real risk of significant harm (RROSH)."""

    code = "CA"
    name = "Canada (PIPEDA)"
    citations_in: ClassVar[dict[str, dict[str, str]]] = {
        "PIPEDA s. 10.1(3)": {
            "en": "subsection 10.1(3) of the Personal Information Protection and Electronic "
                  "Documents Act (PIPEDA)",
            "de": "§ 10.1 Abs. 3 des kanadischen Personal Information Protection and Electronic "
                  "Documents Act (PIPEDA)",
            "fr": "paragraphe 10.1(3) de la Loi sur la protection des renseignements personnels "
                  "et les documents électroniques (LPRPDE)",
            "es": "artículo 10.1(3) de la ley canadiense de protección de la información "
                  "personal y los documentos electrónicos (PIPEDA)",
            "ja": "カナダ個人情報保護及び電子文書法（PIPEDA）第10.1条第3項",
            "zh-CN": "加拿大《个人信息保护和电子文件法》（PIPEDA）第10.1条第3款",
        },
        "SOR/2018-64 s. 5": {
            "en": "section 5 of the Breach of Security Safeguards Regulations (SOR/2018-64)",
            "de": "§ 5 der kanadischen Breach of Security Safeguards Regulations (SOR/2018-64)",
            "fr": "article 5 du Règlement sur les atteintes aux mesures de sécurité (DORS/2018-64)",
            "es": "artículo 5 del Reglamento canadiense sobre violaciones de las medidas de "
                  "seguridad (SOR/2018-64)",
            "ja": "カナダ安全管理措置違反規則（SOR/2018-64）第5条",
            "zh-CN": "加拿大《违反安全保障措施条例》（SOR/2018-64）第5条",
        },
    }
    country = "CA"
    duties = (COMMISSIONER, INDIVIDUALS, public_duty(SUBSTITUTE, INDIVIDUALS))
    # No statutory safe harbour: encryption lowers the probability of misuse [U].
    encryption = Encryption("factor", None, "PIPEDA s. 10.1(8)", "U")
    substitute = SUBSTITUTE

    def triggered_by(self, categories: frozenset[str], incident: IncidentFacts) -> bool:  # noqa: ARG002
        # s. 2(1) "breach of security safeguards": loss, unauthorised access or disclosure.
        return bool(categories)

    def obligations(
        self, *, incident: IncidentFacts, org: OrgFacts, population: Population  # noqa: ARG002
    ) -> list[ObligationDraft]:
        n = population.triggered
        signals = present(population.categories, HARMFUL)
        rrosh = n > 0 and bool(signals) and not incident.secured
        if rrosh:
            reasons = [f"{', '.join(signals)} involved: sensitive information, a real risk of "
                       "significant harm is likely (s. 10.1(7)-(8))"]
        else:
            reasons = ["the engine does not see a real risk of significant harm: "
                       + ("the data was encrypted with the key intact [U]" if incident.secured
                          else "no sensitive information")]
        reasons.append("keep a record of every breach for 24 months (s. 10.3) [U]")
        regulator = self.draft(COMMISSIONER, incident, required=rrosh, count=n,
                               reasons=reasons, needs_review=n > 0)
        individuals = self.draft(INDIVIDUALS, incident, required=rrosh, count=n,
                                 reasons=[reasons[0], "also notify organisations that can reduce the "
                                           "risk (s. 10.2) [S]"],
                                 needs_review=n > 0,
                                 substitute_notice=rrosh and population.unreachable > 0)
        needed = rrosh and population.unreachable > 0
        public = self.draft(
            self.duty("public"), incident, required=needed, count=population.unreachable,
            needs_review=needed, substitute_notice=needed,
            reasons=[f"{population.unreachable:,} people without contact information: indirect "
                     "notice (Regs s. 5)" if needed else "direct notice is possible"],
        )
        return [regulator, individuals, public]
