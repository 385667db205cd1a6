"""People's Republic of China: PIPL Art. 57 and the CAC 2025 incident-reporting Measures.

References:
    * PIPL (2021) Art. 57, Chinese original in the compiled NPC text (docs/law/rules.md S2) [V]
    * PIPL Art. 51(3),(5): encryption as a required measure; emergency plan (S7) [V]
    * 国家网络安全事件报告管理办法 (CAC, issued 2025-09-11, effective 2025-11-01) Arts. 2-4 and
      the annex 网络安全事件分级指南 (S3, S4, S5) [V; lower-tier PI numbers U]
    * 网络数据安全管理条例 Art. 11 (channels, public announcement) (S9) [U]
    * GB/T 35273-2020 § 10.2 (recommended standard: notice items, public warning) [U]
    * 未成年人网络保护条例 (effective 2024-01-01): minor and guardian (S8) [S/U]
"""

from __future__ import annotations

from typing import ClassVar

from regulators.base import Regulator
from regulators.deadlines import Deadline
from regulators.facts import IncidentFacts, ObligationDraft, OrgFacts, Population
from regulators.rules import (
    Component,
    Duty,
    Encryption,
    SubstituteNotice,
    Threshold,
    public_duty,
)

PIPL = "PIPL Art. 57"
# PIPL Art. 57 items (1)-(3) [V] plus GB/T 35273-2020 § 10.2's five items [U]: the union the
# ZHIYUN-style policy promises (docs/law/rules.md § 19.8).
CONTENT = ("data_categories", "cause", "likely_consequences", "measures_taken",
           "what_you_can_do", "contact", "what_happened", "remedy", "dpo_contact")
MEASURES = "国家网络安全事件报告管理办法 Art. 4 (CAC, effective 2025-11-01)"
# Measures Art. 5 report items [S fragments / U wording].
REPORT = ("organisation_details", "what_happened", "date_of_discovery", "trend_and_impact",
          "cause", "investigation_leads", "measures_taken", "scene_preservation")
IMMEDIATELY = Deadline("none", text="immediately (立即)")

# Art. 57: notify individuals immediately; no threshold, no category list [V].
INDIVIDUALS = Duty(
    "individuals", citation=PIPL, verification="V", deadline=IMMEDIATELY, content=CONTENT,
    channels=("email", "sms", "voice", "push", "letter"),
    channel_rules=("网络数据安全管理条例 Art. 11 also allows instant messaging [U]",),
)
REGULATOR = Duty(
    "regulator", citation=PIPL, verification="V", deadline=IMMEDIATELY, key="pipl",
    recipient="departments performing personal-information-protection duties "
              "(履行个人信息保护职责的部门: the CAC and the sector regulator)",
    content=CONTENT[:6],
)
# Measures Art. 4: only incidents graded 较大 or above, within 1/2/4 hours of discovery or
# learning [V]; the annex's PI tier for 较大 is a leak of 1,000,000+ people [U] (特别重大:
# 100,000,000+ [V]), so the duty is [U] unless the top tier is reached.
_GRADE = Threshold(">=", 1_000_000, "people whose personal information leaked")
CAC = Duty(
    "regulator", citation=MEASURES, verification="U", key="cac", threshold=_GRADE,
    deadline=Deadline("hours", 4, "detection"), content=REPORT,
    recipient="provincial CAC of the locality (属地省级网信部门)",
)
CAC_CII = Duty(
    "regulator", citation=MEASURES, verification="U", key="cac_cii", threshold=_GRADE,
    deadline=Deadline("hours", 1, "detection"), content=REPORT,
    recipient="CII protection department and public security organ",
)
CAC_ORGAN = Duty(
    "regulator", citation=MEASURES, verification="U", key="cac_organ", threshold=_GRADE,
    deadline=Deadline("hours", 2, "detection"), content=REPORT,
    recipient="the organ's own cyberspace-affairs unit",
)
# Measures: a post-incident summary report (cause, response, harm, accountability,
# rectification, lessons) through the same channel, believed due 30 days after handling
# ends [U]: the follow-up phase of the CAC report.
CAC_SUMMARY = Duty(
    "regulator", citation=f"{MEASURES} (post-incident summary)", verification="U",
    key="cac_summary", threshold=_GRADE, phase="final",
    deadline=Deadline("none", text="within 30 days after the incident's handling ends "
                                   "(believed; unverified)"),
    content=("what_happened", "cause", "measures_taken", "number_notified", "timeline"),
    recipient="the authority the initial report went to",
)
# GB/T 35273 § 10.2 / minors regulation: public warning where one-by-one notice is hard [U].
SUBSTITUTE = SubstituteNotice(
    citation="GB/T 35273-2020 § 10.2; 网络数据安全管理条例 Art. 11", verification="U",
    components=(Component("public_announcement", detail="public warning by reasonable and "
                                                        "effective means"),),
    judgment="difficult to notify individuals one by one",
)
# Annex 网络安全事件分级指南: (people, grade, mark), highest first.
GRADES = ((100_000_000, "特别重大 (especially major)", "V"),
          (10_000_000, "重大 (major)", "U"),
          (1_000_000, "较大 (relatively major)", "U"))


class China(Regulator):
    """China: any leak, tampering or loss of personal information, notified immediately."""

    code = "CN"
    name = "China (PIPL)"
    citations_in: ClassVar[dict[str, dict[str, str]]] = {
        PIPL: {
            "en": "Article 57 of the Personal Information Protection Law of the PRC (PIPL)",
            "de": "Art. 57 des chinesischen Gesetzes zum Schutz personenbezogener Informationen (PIPL)",
            "fr": "article 57 de la loi chinoise sur la protection des informations personnelles (PIPL)",
            "es": "artículo 57 de la Ley de Protección de la Información Personal de China (PIPL)",
            "ja": "中国個人情報保護法第57条",
            "zh-CN": "《中华人民共和国个人信息保护法》第五十七条",
        },
        SUBSTITUTE.citation: {
            "en": "section 10.2 of the national standard GB/T 35273-2020 (Personal Information "
                  "Security Specification) and Article 11 of the Network Data Security "
                  "Management Regulations",
            "de": "Ziff. 10.2 der chinesischen Norm GB/T 35273-2020 (Sicherheit "
                  "personenbezogener Informationen) und Art. 11 der chinesischen Verordnung über "
                  "die Verwaltung der Netzwerkdatensicherheit",
            "fr": "point 10.2 de la norme chinoise GB/T 35273-2020 sur la sécurité des "
                  "informations personnelles et article 11 du règlement chinois sur la gestion "
                  "de la sécurité des données en réseau",
            "es": "apartado 10.2 de la norma china GB/T 35273-2020 sobre seguridad de la "
                  "información personal y artículo 11 del Reglamento chino de gestión de la "
                  "seguridad de los datos en red",
            "ja": "中国国家標準GB/T 35273-2020（個人情報安全規範）第10.2条及び中国ネットワークデータ"
                  "安全管理条例第11条",
            "zh-CN": "《信息安全技术 个人信息安全规范》（GB/T 35273—2020）第10.2条、"
                     "《网络数据安全管理条例》第十一条",
        },
    }
    country = "CN"
    duties = (INDIVIDUALS, REGULATOR, CAC, CAC_CII, CAC_ORGAN, CAC_SUMMARY,
              public_duty(SUBSTITUTE, INDIVIDUALS))
    # No safe harbour: encryption is only an "effective measure" under Art. 57(2) [V].
    encryption = Encryption("factor", None, "PIPL Art. 57(2), Art. 51(3)", "V")
    substitute = SUBSTITUTE
    minors_rule = ("notify the minor and the guardian; all personal information of children "
                   "under 14 is sensitive (PIPL Art. 28) [U]")

    def triggered_by(self, categories: frozenset[str], incident: IncidentFacts) -> bool:  # noqa: ARG002
        # Art. 57 covers leak, tampering and loss alike: any personal information counts [V].
        return bool(categories)

    def obligations(
        self, *, incident: IncidentFacts, org: OrgFacts, population: Population
    ) -> list[ObligationDraft]:
        n = population.triggered
        exempt = n > 0 and incident.secured
        reasons = [(f"{n:,} people's personal information was or may have been leaked, tampered "
                   f"with or lost; notify immediately ({PIPL})")] if n else [
                   "no personal information of people in China is involved"]
        if exempt:
            reasons.append("Art. 57(2): the data was encrypted with the key intact, an effective "
                           "measure that may avoid harm; the engine recommends not notifying "
                           "individuals, but the regulator may still require it")
        guardians = population.minors > 0
        if guardians:
            reasons.append(f"{population.minors:,} minors: notify each minor and the guardian; "
                           f"under-14 data is sensitive ({self.minors_rule})")
        individuals = self.draft(
            INDIVIDUALS, incident, required=n > 0 and not exempt, count=n, reasons=reasons,
            needs_review=exempt or guardians, notify_guardians=guardians,
            substitute_notice=n > 0 and population.unreachable > 0,
            verification="U" if guardians else None,
        )
        regulator = self.draft(REGULATOR, incident, required=n > 0, count=n, reasons=[
            "Art. 57 requires notifying the PI-protection departments whenever individuals' "
            "information is affected; no threshold" if n else "nothing to report under Art. 57"])
        cac = self._cac(incident, org, population)
        summary = self.draft(CAC_SUMMARY, incident, required=cac.required, count=cac.count,
                             reasons=[*cac.reasons[:2], "the follow-up to the initial report: "
                                      "what was done, the harm and the people told [U]"])
        return [individuals, regulator, cac, summary,
                self._public(incident, population, individuals)]

    def _cac(self, incident: IncidentFacts, org: OrgFacts, pop: Population) -> ObligationDraft:
        duty = CAC_CII if org.critical_infrastructure else CAC_ORGAN if org.state_organ else CAC
        leaked = pop.subjects if incident.acquisition_possible else 0
        grade = next(((g, mark) for floor, g, mark in GRADES if leaked >= floor), None)
        reasons = [f"{leaked:,} people's personal information leaked"]
        if grade:
            reasons.append(f"grade {grade[0]} under the annex 网络安全事件分级指南 [{grade[1]}]")
        else:
            reasons.append("below the 较大 personal-information tier (1,000,000 people) [U]; "
                           "other grading criteria (outage, systems) are for the operator")
        reasons.append("a post-incident summary report follows (its own obligation) [U]")
        top = grade is not None and grade[1] == "V"
        return self.draft(duty, incident, required=grade is not None, count=leaked,
                          reasons=reasons, verification="V" if top else None)

    def _public(
        self, incident: IncidentFacts, pop: Population, individuals: ObligationDraft
    ) -> ObligationDraft:
        needed = individuals.required and pop.unreachable > 0
        reason = (f"{pop.unreachable:,} people cannot be notified one by one: publish a public "
                  "warning" if needed else "everyone can be notified individually")
        return self.draft(self.duty("public"), incident, required=needed,
                          count=pop.unreachable, reasons=[reason], substitute_notice=needed)
