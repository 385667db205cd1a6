"""The 50-state + DC + PR table as plain data (rules.md § 18), re-read against statute text.

Rows start from S14, a per-state dataset attributed to Foley & Lardner LLP (last verified
2025-09-01) [S]. Where the statute text was read, the row records its URL and the date read and
carries [V] for the parts read (`mark`, and `regulator_mark` / `cra_mark` / `substitute_mark`
where only some sections were read); everything else keeps [S]. Substitute-notice numbers are
read as "exceeds" (the usual statutory wording). Rows whose state has its own module are kept
for completeness and tests, but the module wins (`OWN_MODULE`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Literal

from regulators.deadlines import WITHOUT_UNREASONABLE_DELAY, Anchor, Deadline
from regulators.rules import ANY, MARKS, Duty, Mark, Threshold

OWN_MODULE = frozenset({"CA", "TX", "NY", "FL", "MA", "WA"})
WITH_NOTICE = Deadline("none", text="no later than the notice to residents")
BEFORE_NOTICE = Deadline("none", text="before notifying residents")
# What a resident notice carries where the statute read prescribes nothing (or was not read).
CONTENT = ("contact", "what_happened", "data_categories", "date_of_breach")
# Username or e-mail with its password or security answer: the change-credentials prompt.
CREDENTIALS = frozenset({"password", "security_qa"})


def gt(n: int) -> Threshold:
    return Threshold(">", n, "residents notified")


def ge(n: int) -> Threshold:
    return Threshold(">=", n, "residents notified")


def days(n: int, anchor: Anchor) -> Deadline:
    return Deadline("calendar_days", n, anchor)


def after_notice(n: int) -> Deadline:
    return Deadline("calendar_days", n, relative_to="individuals",
                    text=f"within {n} days of notifying residents")


@dataclass(frozen=True)
class StateRow:
    state: str
    name: str
    citation: str
    individual: Deadline
    regulator: str | None
    regulator_threshold: Threshold
    regulator_deadline: Deadline
    cra: Threshold | None
    # (cost USD, people), both "exceeds"; None where the statute (or S14) gives none.
    substitute: tuple[int, int] | None
    risk_of_harm: bool
    regulator_order: str | None = None
    # Marks of the parts; None = the row's `mark`.
    regulator_mark: Mark | None = None
    cra_mark: Mark | None = None
    substitute_mark: Mark | None = None
    note: str | None = None
    # [V] where the statute text was read (then `source` and `read_on` say where and when).
    mark: Mark = "S"
    source: str | None = None
    read_on: str | None = None
    # The resident notice's content, and what it adds when some categories are involved.
    content: tuple[str, ...] = CONTENT
    content_if: tuple[tuple[frozenset[str], tuple[str, ...]], ...] = ()
    regulator_content: tuple[str, ...] = ()
    # Further duties the statute sets (Vermont's follow-up to its preliminary notice).
    more: tuple[Duty, ...] = ()
    # The statute's definition, where read: elements that are personal information with a name;
    # whether credentials count alone; whether account numbers need their code.
    elements: frozenset[str] | None = None
    credentials: bool | None = None
    financial_needs_code: bool = True
    # "key": encrypted data counts when its key was also acquired; "silent": no such clause;
    # None: not read.
    encryption: Literal["key", "silent"] | None = None
    # (OrgFacts flag, recipient): licensees of another regulator report there instead.
    licensee: tuple[str, str] | None = None
    # The substitute notice consists of all its parts (most statutes), not any of them.
    substitute_all: bool = False

    def __post_init__(self) -> None:
        marks = {self.mark, self.regulator_mark, self.cra_mark, self.substitute_mark} - {None}
        if not marks <= set(MARKS):
            raise ValueError(f"{self.state}: unknown mark in {marks}")
        if "V" in marks and not (self.source and self.read_on):
            raise ValueError(f"{self.state}: a [V] part needs the URL read and the date read")
        if self.read_on is not None:
            date.fromisoformat(self.read_on)

    def mark_of(self, part: Literal["individuals", "regulator", "credit_agencies", "public"]) -> Mark:
        own = {"individuals": None, "regulator": self.regulator_mark,
               "credit_agencies": self.cra_mark, "public": self.substitute_mark}[part]
        return own or self.mark


AG = "Attorney General"
# The date the statute texts below were read.
READ = "2026-12-06"
NONE = WITHOUT_UNREASONABLE_DELAY
ROWS: tuple[StateRow, ...] = (
    # §§ 8-38-6, 8-38-7 read: the Attorney General when the number to notify "exceeds 1,000",
    # within 45 days of the determination; CRAs for "more than 1,000" at a single time.
    StateRow("AL", "Alabama", "Ala. Code § 8-38-1 et seq.", days(45, "determination"), AG,
             gt(1000), days(45, "determination"), gt(1000), (500_000, 100_000), True,
             regulator_mark="V", cra_mark="V",
             source="http://alisondb.legislature.state.al.us/alison/codeofalabama/1975/8-38-6.htm",
             read_on=READ,
             regulator_content=("what_happened", "number_affected", "remedy", "contact")),
    StateRow("AK", "Alaska", "Alaska Stat. § 45.48.010 et seq.", NONE, None, ANY, NONE,
             ge(1000), (150_000, 300_000), True,
             note="the no-harm exception needs written notice to the Attorney General"),
    StateRow("AZ", "Arizona", "Ariz. Rev. Stat. § 18-551 et seq.", days(45, "determination"),
             "Attorney General and Director of the Arizona Department of Homeland Security",
             ge(1000), days(45, "determination"), ge(1000), (50_000, 100_000), True),
    StateRow("AR", "Arkansas", "Ark. Code Ann. § 4-110-101 et seq.", NONE, AG, ge(1000),
             days(45, "determination"), None, (250_000, 500_000), True,
             regulator_order="not_after:individuals"),
    StateRow("CA", "California", "Cal. Civ. Code § 1798.82 et seq.", days(30, "discovery"), AG,
             gt(500), after_notice(15), None, (250_000, 500_000), False),
    # § 6-1-716(2): the resident notice's items (I)-(VI) and, for online credentials, the
    # prompt to change them; the AG's page: 500 or more Coloradans.
    StateRow("CO", "Colorado", "Colo. Rev. Stat. § 6-1-716", days(30, "determination"), AG,
             ge(500), days(30, "determination"), gt(1000), (250_000, 250_000), True,
             regulator_mark="V", source="https://coag.gov/resources/data-protection-laws/",
             read_on=READ,
             content=("date_of_breach", "data_categories", "contact", "cra_contacts",
                      "agency_contacts", "fraud_alert_freeze_info"),
             content_if=((CREDENTIALS, ("credential_reset",)),)),
    # The AG's page: residents within 60 days of discovery (P.A. 21-59), the AG no later than
    # the residents, 24 months of identity theft services for SSNs and taxpayer ids (§ 36a-
    # 701b(b)(2)(B)); the items the AG asks a report to include.
    StateRow("CT", "Connecticut", "Conn. Gen. Stat. § 36a-701b", days(60, "discovery"), AG, ANY,
             WITH_NOTICE, None, (250_000, 500_000), True, regulator_order="not_after:individuals",
             mark="V", substitute_mark="S",
             source="https://portal.ct.gov/AG/General/Report-a-Breach-of-Security-Involving-"
                    "Computerized-Data", read_on=READ,
             content_if=((frozenset({"ssn", "tax_id"}),
                          ("identity_theft_services", "security_freeze")),),
             regulator_content=("reporter_details", "organisation_details", "what_happened",
                                "date_of_breach", "date_of_discovery", "measures_taken",
                                "number_affected", "data_categories")),
    StateRow("DE", "Delaware", "Del. Code Ann. tit. 6 § 12B-101 et seq.",
             days(60, "determination"), AG, gt(500), WITH_NOTICE, None, (75_000, 100_000), True,
             regulator_order="not_after:individuals"),
    StateRow("DC", "District of Columbia", "D.C. Code § 28-3851 et seq.", NONE, AG, ge(50),
             WITH_NOTICE, gt(1000), (50_000, 100_000), True,
             regulator_order="not_after:individuals"),
    StateRow("FL", "Florida", "Fla. Stat. § 501.171", days(30, "determination"),
             "Department of Legal Affairs", ge(500), days(30, "determination"), gt(1000),
             (250_000, 500_000), True),
    StateRow("GA", "Georgia", "Ga. Code § 10-1-910 et seq.", NONE, None, ANY, NONE, gt(10_000),
             (50_000, 100_000), False),
    StateRow("HI", "Hawaii", "H.R.S. § 487N-1 et seq.", NONE, "Office of Consumer Protection",
             gt(1000), NONE, gt(1000), (100_000, 200_000), False),
    StateRow("ID", "Idaho", "Idaho Code § 28-51-104 et seq.", NONE, None, ANY, NONE, None,
             (25_000, 50_000), True),
    StateRow("IL", "Illinois",
             "815 Ill. Comp. Stat. 530/5, 530/10, 530/12, 530/15, 530/20, 530/25",
             NONE, AG, gt(500), WITH_NOTICE,
             None, (250_000, 500_000), False, regulator_order="not_after:individuals",
             note="S14's individual-timing text is garbled"),
    StateRow("IN", "Indiana",
             "Ind. Code § 4-1-11 et seq.; § 24-4.9-1 et seq.",
             days(45, "discovery"), AG, ANY,
             WITH_NOTICE, gt(1000), (250_000, 500_000), False,
             regulator_order="with:individuals"),
    StateRow("IA", "Iowa", "Iowa Code § 715C.1-2", NONE,
             "Director of the Consumer Protection Division, Attorney General", gt(500),
             Deadline("business_days", 5, relative_to="individuals", country="US",
                      subdiv="IA", tz="America/Chicago"),
             None, (250_000, 350_000), True),
    StateRow("KS", "Kansas", "Kan. Stat. § 50-7a01 et seq.", NONE, None, ANY, NONE, gt(1000),
             (100_000, 5_000), True),
    StateRow("KY", "Kentucky",
             "Ky. Rev. Stat. § 365.732; § 61.931 et seq.",
             NONE, None, ANY, NONE, gt(1000),
             (250_000, 500_000), False),
    StateRow("LA", "Louisiana",
             "La. Rev. Stat. § 51:3071 et seq.; La. Admin. Code tit. 16, pt. III, § 701",
             days(60, "discovery"),
             "Consumer Protection Section, Attorney General", ANY, after_notice(10), None,
             (100_000, 100_000), True),
    StateRow("ME", "Maine", "10 ME. REV. STAT. § 1346 et seq.", days(30, "awareness"),
             "Attorney General or Department of Professional and Financial Regulation", ANY,
             WITH_NOTICE, gt(1000), (5_000, 1_000), True, regulator_order="with:individuals",
             note="the 30 days run once the breach is known and its scope identified"),
    StateRow("MD", "Maryland", "Md. Code Com. Law § 14-3501 et seq.", days(45, "determination"),
             AG, ANY, BEFORE_NOTICE, ge(1000), None, True, regulator_order="before:individuals",
             note="45 days from the end of the investigation; no-harm records kept 3 years"),
    StateRow("MA", "Massachusetts", "Mass. Gen. Laws § 93H (201 C.M.R. 17.00)", NONE,
             "Attorney General and Director of OCABR", ANY, WITH_NOTICE, None,
             (250_000, 500_000), True, regulator_order="with:individuals"),
    StateRow("MI", "Michigan",
             "Mich. Comp. Laws § 445.63, 72 et seq.",
             NONE, None, ANY, NONE, ge(1000),
             (250_000, 500_000), True),
    StateRow("MN", "Minnesota",
             "Minn. Stat. § 325E.61 and 325E.64",
             NONE, None, ANY, NONE, gt(500),
             (250_000, 500_000), False),
    StateRow("MS", "Mississippi", "Miss. Code § 75-24-29", NONE, None, ANY, NONE, None,
             (5_000, 5_000), True),
    StateRow("MO", "Missouri", "Mo. Rev. Stat. § 407.1500", NONE, AG, gt(1000), NONE, gt(1000),
             (100_000, 150_000), True),
    StateRow("MT", "Montana", "Mont. Code § 2-6-1501 et seq., 30-14-1701 et seq., 33-19-321", NONE,
             "Office of Consumer Protection, Attorney General", ANY, WITH_NOTICE, None,
             (250_000, 500_000), False, regulator_order="with:individuals",
             note="CRAs are told only if the notice suggests obtaining a credit report"),
    StateRow("NE", "Nebraska",
             "Neb. Rev. Stat. § 87-801 et seq.",
             NONE, AG, ANY, WITH_NOTICE, None,
             (75_000, 100_000), True, regulator_order="not_after:individuals"),
    StateRow("NV", "Nevada",
             "Nev. Rev. Stat. § 603A.010 et seq., 242.183",
             NONE, None, ANY, NONE, gt(1000),
             (250_000, 250_000), False),
    StateRow("NH", "New Hampshire", "N.H. Rev. Stat. § 359-C:19 et seq.", NONE,
             "Attorney General (or the primary regulator)", ANY, WITH_NOTICE, gt(1000),
             (5_000, 1_000), False, regulator_order="not_after:individuals"),
    StateRow("NJ", "New Jersey",
             "N.J. Stat. § 56:8-161 et seq.",
             NONE, "Division of State Police", ANY,
             BEFORE_NOTICE, gt(1000), (250_000, 500_000), True,
             regulator_order="before:individuals"),
    StateRow("NM", "New Mexico", "N.M. Stat. § 57-12C-1 et seq.", days(45, "discovery"), AG,
             gt(1000), days(45, "discovery"), gt(1000), (100_000, 50_000), True),
    StateRow("NY", "New York",
             "N.Y. Gen. Bus. Law § 899-aa; N.Y. State Tech. Law § 208",
             days(30, "discovery"),
             "Attorney General, Department of State and Division of State Police", ANY, NONE,
             gt(5000), (250_000, 500_000), False),
    StateRow("NC", "North Carolina",
             "N.C. Gen. Stat. §§ 75-61, 75-65",
             NONE, AG, ANY, NONE, gt(1000),
             (250_000, 500_000), True),
    StateRow("ND", "North Dakota", "N.D. Cent. Code § 51-30-01 et seq.", NONE, AG, gt(250),
             WITH_NOTICE, None, (250_000, 500_000), False, regulator_order="with:individuals"),
    StateRow("OH", "Ohio",
             "Ohio Rev. Code 1347.12, 1349.19",
             days(45, "discovery"), None, ANY, NONE,
             gt(1000), (250_000, 500_000), True),
    # SB 626 (2025), in force 2026-01-01: the Attorney General for 500 or more residents (1,000
    # for a credit bureau), within 60 days of notifying residents, with its items. Secondary
    # sources agree; the enrolled text was not reached.
    StateRow("OK", "Oklahoma", "24 Okla. Stat. § 161 et seq., as amended by SB 626 (2025)", NONE,
             AG, ge(500), after_notice(60), None, (50_000, 100_000), True,
             regulator_content=("date_of_breach", "date_of_determination", "what_happened",
                                "data_categories", "number_affected", "monetary_impact",
                                "security_safeguards"),
             note="the SB 626 text was read only in secondary sources; S14 is inconsistent on "
                  "CRA notice"),
    StateRow("OR", "Oregon",
             "Or. Rev. Stat. §§ 646A.600, 646A.602, 646A.604, 646A.624, 646A.626",
             days(45, "discovery"), AG, gt(250),
             WITH_NOTICE, gt(1000), (250_000, 350_000), True, regulator_order="with:individuals"),
    StateRow("PA", "Pennsylvania", "73 Pa. Stat. § 2301 et seq.", NONE, AG, gt(500), WITH_NOTICE,
             gt(500), (100_000, 175_000), False, regulator_order="with:individuals",
             cra_mark="U", note="2024 amendment; CRA threshold > 500 (historically > 1,000)"),
    # §§ 4052-4053 read: DACO within ten days of detection; the notice in general terms, with
    # a toll-free number and a website; substitute notice above $100,000 or 100,000 people,
    # both steps. § 4051 (as quoted by the AICPA): bank or financial account numbers "with or
    # without passwords", user names with passwords, HIPAA medical information, tax information.
    StateRow("PR", "Puerto Rico", "P.R. Laws Ann. tit. 10, § 4051 et seq.", NONE,
             "Department of Consumer Affairs (DACO)", ANY, days(10, "detection"), None,
             (100_000, 100_000), False, mark="V", substitute_all=True,
             source="https://casetext.com/statute/laws-of-puerto-rico/title-ten-commerce/"
                    "subtitle-3-business-regulations-generally/chapter-310-citizen-information-"
                    "on-data-banks-security-act/4053-notification-character-and-method",
             read_on=READ,
             content=("what_happened", "data_categories", "contact", "toll_free_number",
                      "info_website"),
             elements=frozenset({"ssn", "drivers_license", "national_id", "password",
                                 "account_access_code", "health", "health_insurance", "tax_id"}),
             credentials=False, financial_needs_code=False, encryption="silent"),
    # § 11-49.3-4 read: residents within 45 days of confirming the breach; more than 500 ->
    # the Attorney General and the major CRAs (timing, content, distribution, number) without
    # delaying the residents' notice; a significant risk of identity theft.
    StateRow("RI", "Rhode Island",
             "R.I. Gen. Laws § 11-49.3-4 et seq.",
             days(45, "determination"), AG,
             gt(500), WITH_NOTICE, gt(500), (25_000, 50_000), True,
             mark="V", substitute_mark="S",
             source="https://lawserver.com/law/state/rhode-island/ri-laws/"
                    "rhode_island_general_laws_11-49-3-4", read_on=READ,
             content=("what_happened", "number_affected", "data_categories", "date_of_breach",
                      "date_of_discovery", "remedy", "cra_contacts", "police_report_right",
                      "security_freeze"),
             regulator_content=("notification_plan", "sample_notice", "number_affected"),
             note="45 days from confirmation of the breach and the ability to ascertain the "
                  "notice's information"),
    StateRow("SC", "South Carolina", "S.C. Code § 39-1-90", NONE,
             "Consumer Protection Division, Department of Consumer Affairs", gt(1000), NONE,
             gt(1000), (250_000, 500_000), True),
    StateRow("SD", "South Dakota", "S.D. CODE 22-40-20 et seq.", days(60, "discovery"), AG,
             gt(250), days(60, "discovery"), ANY, (250_000, 500_000), True),
    StateRow("TN", "Tennessee", "Tenn. Code § 47-18-2107", days(45, "discovery"), None, ANY, NONE,
             gt(1000), (250_000, 500_000), False),
    StateRow("TX", "Texas",
             "TEX. BUS. & COM. CODE §§ 521.002, 521.053",
             days(60, "determination"), AG,
             ge(250), days(30, "determination"), gt(10_000), (250_000, 500_000), False),
    StateRow("UT", "Utah",
             "Utah Code §§ 13-44-101 et seq.",
             NONE, "Attorney General and Utah Cyber Center",
             ge(500), WITH_NOTICE, ge(1000), None, True, regulator_order="with:individuals"),
    # § 2435(b)(1), (b)(3)(A) read: residents within 45 days; entities regulated by the
    # Department of Financial Regulation report to it, everyone else to the AG. The DFR's page:
    # within 14 business days. The preliminary notice's items and the follow-up at consumer
    # notice (number of residents, a copy of the notice) from secondary sources.
    StateRow("VT", "Vermont", "9 Vt. Stat. Ann. § 2430 et seq.", days(45, "discovery"), AG, ANY,
             Deadline("business_days", 14, "discovery", country="US", subdiv="VT",
                      tz="America/New_York"),
             gt(1000), (5_000, 1_000), True, regulator_order="not_after:individuals",
             mark="V", cra_mark="S", substitute_mark="S",
             source="https://legislature.vermont.gov/statutes/section/09/062/02435",
             read_on=READ,
             content=("what_happened", "data_categories", "measures_taken", "toll_free_number",
                      "remain_vigilant", "date_of_breach"),
             regulator_content=("date_of_breach", "date_of_discovery", "what_happened"),
             more=(Duty("regulator", citation="9 V.S.A. § 2435(b)(3) (follow-up)", verification="S",
                        deadline=WITH_NOTICE, recipient="Vermont Attorney General",
                        content=("number_affected", "sample_notice"), order="with:individuals",
                        key="follow_up"),),
             licensee=("vt_dfr_regulated", "Vermont Department of Financial Regulation"),
             note="preliminary notice within 14 business days, or at consumer notice if sooner"),
    StateRow("VA", "Virginia", "Va. Code § 18.2-186.6", NONE, AG, ANY, NONE, gt(1000),
             (50_000, 100_000), False, regulator_mark="U",
             note="the statute is believed to require AG notice for any breach; S14 says > 1,000"),
    StateRow("WA", "Washington", "Wash. Rev. Code § 19.255.010", days(30, "discovery"), AG,
             gt(500), days(30, "discovery"), None, (250_000, 500_000), True),
    StateRow("WV", "West Virginia",
             "W. Va. Code § 46A-2A-101 et seq.",
             NONE, None, ANY, NONE, gt(1000),
             (50_000, 100_000), False),
    StateRow("WI", "Wisconsin", "Wis. Stat. § 134.98", days(45, "awareness"), None, ANY, NONE,
             ge(1000), None, True, note="45 days from learning of the acquisition"),
    StateRow("WY", "Wyoming", "Wyo. Stat. § 40-12-501 et seq.", NONE, None, ANY, NONE, None,
             (50_000, 100_000), False),
)
BY_STATE: dict[str, StateRow] = {row.state: row for row in ROWS}
