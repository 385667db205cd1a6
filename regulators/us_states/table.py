"""The 50-state + DC + PR table as plain data (docs/law/rules.md § 18), re-read against statute text.

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
    # The phase of the regulator notice where the statute has several (Vermont: preliminary).
    regulator_phase: str = "initial"
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
    # Elements the resident notice must NOT carry (Illinois: the number of residents affected).
    prohibited: tuple[str, ...] = ()
    # When the CRAs are told, where the statute sets it (Minnesota: within 48 hours).
    cra_deadline: Deadline | None = None
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
# The items many statutes ask of the resident notice: what happened, the data, what was done, a
# telephone number, and advice to stay vigilant (Hawaii, Michigan, Missouri, Virginia).
VIG = ("what_happened", "data_categories", "measures_taken", "contact", "remain_vigilant")
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
    # § 45.48.010 read (Justia): without unreasonable delay; no notice if, after investigation and
    # written notice to the Attorney General, harm is not reasonably likely (kept 5 years).
    # § 45.48.090: encrypted data whose key was accessed or acquired counts.
    StateRow("AK", "Alaska", "Alaska Stat. § 45.48.010 et seq.", NONE, None, ANY, NONE,
             ge(1000), (150_000, 300_000), True, mark="V", cra_mark="S", substitute_mark="S",
             source="https://law.justia.com/codes/alaska/2019/title-45/chapter-48/article-1/"
                    "section-45-48-010/", read_on=READ, encryption="key",
             note="the no-harm exception needs written notice to the Attorney General"),
    # Not read (only § 18-552(A) reached). Secondary sources agree: the AG, the Arizona
    # Department of Homeland Security and the CRAs for MORE than 1,000, within 45 days; the
    # notice's items.
    StateRow("AZ", "Arizona", "Ariz. Rev. Stat. § 18-551 et seq.", days(45, "determination"),
             "Attorney General and Director of the Arizona Department of Homeland Security",
             gt(1000), days(45, "determination"), gt(1000), (50_000, 100_000), True,
             content=("date_of_breach", "data_categories", "contact", "cra_contacts",
                      "agency_contacts")),
    # § 4-110-105 read: the AG for MORE than 1,000, at the same time as the residents or within
    # 45 days of determining a reasonable likelihood of harm, whichever is first.
    StateRow("AR", "Arkansas", "Ark. Code Ann. § 4-110-101 et seq.", NONE, AG, gt(1000),
             days(45, "determination"), None, (250_000, 500_000), True,
             regulator_order="not_after:individuals", mark="V", substitute_mark="S",
             source="https://getpocketlaw.com/law/state_arkansas/section-4-110-105-disclosure-of-"
                    "security-breaches_d8c966436fc7", read_on=READ),
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
    # § 12B-101 (official code) and § 12B-102(a)-(c) read: 60 days after determination unless
    # harm is unlikely; encrypted data with its key counts. AG above 500 no later than the
    # residents, and a year of credit monitoring for SSNs, from secondary sources.
    StateRow("DE", "Delaware", "Del. Code Ann. tit. 6 § 12B-101 et seq.",
             days(60, "determination"), AG, gt(500), WITH_NOTICE, None, (75_000, 100_000), True,
             regulator_order="not_after:individuals", mark="V", regulator_mark="S",
             substitute_mark="S", source="https://delcode.delaware.gov/title6/c012b",
             read_on=READ, encryption="key",
             content_if=((frozenset({"ssn"}), ("credit_monitoring",)),)),
    # § 28-3852.02 read (official code): 18 months of identity theft protection for SSNs and
    # taxpayer ids; § 28-3851 (verbatim copy): the definition. Thresholds and timing secondary.
    StateRow("DC", "District of Columbia", "D.C. Code § 28-3851 et seq.", NONE, AG, ge(50),
             WITH_NOTICE, gt(1000), (50_000, 100_000), True,
             regulator_order="not_after:individuals",
             source="https://code.dccouncil.gov/us/dc/council/code/sections/%5B28-3852.02%5D",
             read_on=READ,
             content_if=((frozenset({"ssn", "tax_id"}), ("identity_theft_services",)),),
             elements=frozenset({"ssn", "tax_id", "passport", "drivers_license", "national_id",
                                 "military_id", "health", "health_insurance", "biometric",
                                 "genetic"}),
             credentials=True,
             note="the risk-of-harm determination needs consultation with the Attorney General"),
    StateRow("FL", "Florida", "Fla. Stat. § 501.171", days(30, "determination"),
             "Department of Legal Affairs", ge(500), days(30, "determination"), gt(1000),
             (250_000, 500_000), True),
    # § 10-1-912 read: without unreasonable delay; CRAs for more than 10,000 at one time.
    StateRow("GA", "Georgia", "Ga. Code § 10-1-910 et seq.", NONE, None, ANY, NONE, gt(10_000),
             (50_000, 100_000), False, mark="V", substitute_mark="S",
             source="https://law.justia.com/codes/georgia/2016/title-10/chapter-1/article-34/"
                    "section-10-1-912", read_on=READ),
    # § 487N-2(a)-(c) read; § 487N-1: encrypted data with its key is a breach, and a breach needs
    # illegal use or a risk of harm. The Office of Consumer Protection and the CRAs above 1,000
    # and the notice's items from secondary sources.
    StateRow("HI", "Hawaii", "H.R.S. § 487N-1 et seq.", NONE, "Office of Consumer Protection",
             gt(1000), NONE, gt(1000), (100_000, 200_000), True, mark="V", regulator_mark="S",
             cra_mark="S", substitute_mark="S",
             source="https://policyrisk.com/states/hawaii/statutes/487N-2", read_on=READ,
             encryption="key", content=VIG,
             regulator_content=("notification_plan", "sample_notice")),
    # § 28-51-104 read (official): substitute notice above $25,000 or 50,000 residents. § 28-51-
    # 105 (and its 2025 amendment, S 1066) not read.
    StateRow("ID", "Idaho", "Idaho Code § 28-51-104 et seq.", NONE, None, ANY, NONE, None,
             (25_000, 50_000), True, substitute_mark="V",
             source="https://legislature.idaho.gov/statutesrules/idstat/Title28/T28CH51/"
                    "SECT28-51-104", read_on=READ),
    # 530/10(a) read (official): the notice's items, the change-credentials prompt, and never the
    # number of residents affected. The AG above 500 and its items from secondary sources.
    StateRow("IL", "Illinois",
             "815 Ill. Comp. Stat. 530/5, 530/10, 530/12, 530/15, 530/20, 530/25",
             NONE, AG, gt(500), WITH_NOTICE,
             None, (250_000, 500_000), False, regulator_order="not_after:individuals",
             mark="V", regulator_mark="S", substitute_mark="S",
             source="https://witnessslips.ilga.gov/legislation/ilcs/documents/081505300K10.htm",
             read_on=READ,
             content=("contact", "what_happened", "data_categories", "cra_contacts",
                      "agency_contacts", "fraud_alert_freeze_info"),
             content_if=((CREDENTIALS, ("credential_reset",)),),
             prohibited=("number_affected",),
             regulator_content=("what_happened", "date_of_breach", "number_affected",
                                "measures_taken")),
    # IC 24-4.9-3-1 read: notice where identity deception, theft or fraud could result; the AG
    # whenever residents are told; CRAs for more than 1,000; encrypted data with its key counts.
    # The 45 days (2022) and the AG's form from secondary sources.
    StateRow("IN", "Indiana",
             "Ind. Code § 4-1-11 et seq.; § 24-4.9-1 et seq.",
             days(45, "discovery"), AG, ANY,
             WITH_NOTICE, gt(1000), (250_000, 500_000), True,
             regulator_order="with:individuals", regulator_mark="V", cra_mark="V",
             source="http://www.laws9.com/statutes/indiana/title24/ar4.9/ch3", read_on=READ,
             encryption="key", regulator_content=("what_happened", "number_affected",
                                                  "sample_notice")),
    # The AG's page: 500 OR MORE Iowa residents (the statute is quoted by others as "more than
    # 500"; the engine takes the AG's reading, the lower line), within five business days of
    # the residents' notice; encrypted data whose keys were obtained counts.
    StateRow("IA", "Iowa", "Iowa Code § 715C.1-2", NONE,
             "Director of the Consumer Protection Division, Attorney General", ge(500),
             Deadline("business_days", 5, relative_to="individuals", country="US",
                      subdiv="IA", tz="America/Chicago"),
             None, (250_000, 350_000), True, regulator_mark="V", encryption="key",
             source="https://www.iowaattorneygeneral.gov/for-consumers/security-breach-"
                    "notifications", read_on=READ,
             content=("what_happened", "date_of_breach", "data_categories", "cra_contacts",
                      "what_you_can_do")),
    # § 50-7a02(a)-(d) read: notice where misuse occurred or is reasonably likely. CRAs above
    # 1,000, and account numbers counting alone, from secondary sources.
    StateRow("KS", "Kansas", "Kan. Stat. § 50-7a01 et seq.", NONE, None, ANY, NONE, gt(1000),
             (100_000, 5_000), True, mark="V", cra_mark="S", substitute_mark="S",
             source="https://getpocketlaw.com/law/state_kansas/section-50-7a02-security-breach-"
                    "requirements_a658ec5e22be", read_on=READ),
    # § 365.732(1)-(2) read: a breach must cause, or be believed to cause, identity theft or
    # fraud (a risk-of-harm test S14 missed); name + SSN, driver's licence, account with code.
    StateRow("KY", "Kentucky",
             "Ky. Rev. Stat. § 365.732; § 61.931 et seq.",
             NONE, None, ANY, NONE, gt(1000),
             (250_000, 500_000), True, mark="V", cra_mark="S", substitute_mark="S",
             source="https://proteuscyber.com/privacy-database/news/4565-kentucky-notification-"
                    "to-affected-persons-of-computer-security-breach-ky-rev-stat-365732",
             read_on=READ, elements=frozenset({"ssn", "drivers_license"}), credentials=False,
             encryption="silent"),
    # The AG's page quotes La. Admin. Code tit. 16, pt. III, § 701: a written notice with the
    # names of every affected Louisiana resident, timely if received within 10 days of the
    # residents' notice. § 51:3074(C) read; its 60 days from secondary sources.
    StateRow("LA", "Louisiana",
             "La. Rev. Stat. § 51:3071 et seq.; La. Admin. Code tit. 16, pt. III, § 701",
             days(60, "discovery"),
             "Consumer Protection Section, Attorney General", ANY, after_notice(10), None,
             (100_000, 100_000), True, regulator_mark="V",
             source="https://ag.state.la.us/Page/DataBreach", read_on=READ,
             regulator_content=("what_happened", "affected_names")),
    # The AG's page: residents when misuse occurred or is reasonably possible; a DPFR-regulated
    # entity tells its regulator, everyone else the AG; CRAs for more than 1,000. The 30 days
    # from secondary sources.
    StateRow("ME", "Maine", "10 ME. REV. STAT. § 1346 et seq.", days(30, "awareness"),
             "Attorney General or Department of Professional and Financial Regulation", ANY,
             WITH_NOTICE, gt(1000), (5_000, 1_000), True, regulator_order="with:individuals",
             regulator_mark="V", cra_mark="V",
             source="https://www.maine.gov/ag/consumer-protection/data-security-breaches",
             read_on=READ,
             note="the 30 days run once the breach is known and its scope identified"),
    # § 14-3504(a)-(b) read: 45 days after the business DISCOVERS or is notified of the breach
    # (not after its investigation), unless misuse is not likely (records kept 3 years). The AG
    # before the residents, its items, and the notice's from secondary sources.
    StateRow("MD", "Maryland", "Md. Code Com. Law § 14-3501 et seq.", days(45, "discovery"),
             AG, ANY, BEFORE_NOTICE, ge(1000), None, True, regulator_order="before:individuals",
             mark="V", regulator_mark="S", cra_mark="S",
             source="https://lexace.ai/us/statute/maryland/CL-14-3504", read_on=READ,
             content=("contact", "data_categories", "cra_contacts", "agency_contacts"),
             regulator_content=("number_affected", "what_happened", "date_of_breach",
                                "measures_taken", "sample_notice"),
             note="the notice also gives the Maryland Attorney General's toll-free number, "
                  "address and website [S]; no-harm records kept 3 years"),
    StateRow("MA", "Massachusetts", "Mass. Gen. Laws § 93H (201 C.M.R. 17.00)", NONE,
             "Attorney General and Director of OCABR", ANY, WITH_NOTICE, None,
             (250_000, 500_000), True, regulator_order="with:individuals"),
    # Not read. The notice's items from secondary sources.
    StateRow("MI", "Michigan",
             "Mich. Comp. Laws § 445.63, 72 et seq.",
             NONE, None, ANY, NONE, ge(1000),
             (250_000, 500_000), True, content=VIG),
    # § 325E.61 as quoted in a legal guide: CRAs for more than 500 at one time, within 48 hours;
    # substitute notice needs e-mail, website and statewide media.
    StateRow("MN", "Minnesota",
             "Minn. Stat. § 325E.61 and 325E.64",
             NONE, None, ANY, NONE, gt(500),
             (250_000, 500_000), False, cra_mark="V", substitute_all=True,
             cra_deadline=Deadline("hours", 48, "discovery"),
             source="https://online.flippingbook.com/view/272552931/106", read_on=READ),
    # § 75-24-29(1)-(2) read: name + SSN, driver's licence / state or tribal ID, account with
    # code; not secured by encryption. The duty itself (3) from secondary sources.
    StateRow("MS", "Mississippi", "Miss. Code § 75-24-29", NONE, None, ANY, NONE, None,
             (5_000, 5_000), True,
             source="https://cliclaw.com/library/state-laws/state-security-breach-laws/"
                    "mississippi-act-require-notice-breach-security", read_on=READ,
             elements=frozenset({"ssn", "drivers_license", "national_id"}), credentials=False,
             encryption="silent"),
    # § 407.1500.1 (definitions) read; the AG and CRAs for more than 1,000 and the notice's items
    # from secondary sources.
    StateRow("MO", "Missouri", "Mo. Rev. Stat. § 407.1500", NONE, AG, gt(1000), NONE, gt(1000),
             (100_000, 150_000), True, content=(*VIG, "cra_contacts"),
             regulator_content=("notification_plan", "sample_notice")),
    # The DOJ's page (Office of Consumer Protection): an electronic copy of the notice (without
    # personal data) simultaneously, with the number of Montana residents, the date and the
    # method of distribution; a breach must cause, or be believed to cause, loss or injury.
    StateRow("MT", "Montana", "Mont. Code § 2-6-1501 et seq., 30-14-1701 et seq., 33-19-321", NONE,
             "Office of Consumer Protection, Attorney General", ANY, WITH_NOTICE, None,
             (250_000, 500_000), True, regulator_order="with:individuals", mark="V",
             substitute_mark="S",
             source="https://dojmt.gov/office-of-consumer-protection/reporting-requirements-for-"
                    "data-breaches", read_on=READ,
             regulator_content=("sample_notice", "number_affected", "notification_plan"),
             note="CRAs are told only if the notice suggests obtaining a credit report"),
    # § 87-803(1)-(2) read: notice where unauthorized use occurred or is reasonably likely; the
    # AG no later than the residents. The AG's form lists what it asks for.
    StateRow("NE", "Nebraska",
             "Neb. Rev. Stat. § 87-801 et seq.",
             NONE, AG, ANY, WITH_NOTICE, None,
             (75_000, 100_000), True, regulator_order="not_after:individuals", mark="V",
             substitute_mark="S", source="https://self-law.org/code/ne/chapter-87/87-803",
             read_on=READ,
             regulator_content=("organisation_details", "number_affected", "date_of_breach",
                                "notification_plan", "sample_notice", "what_happened",
                                "data_categories")),
    # NRS 603A.220(1) read: unencrypted personal information acquired; without unreasonable
    # delay; no risk-of-harm test.
    StateRow("NV", "Nevada",
             "Nev. Rev. Stat. § 603A.010 et seq., 242.183",
             NONE, None, ANY, NONE, gt(1000),
             (250_000, 250_000), False, mark="V", cra_mark="S", substitute_mark="S",
             source="https://casetext.com/statute/nevada-revised-statutes/title-52-trade-"
                    "regulations-and-practices/chapter-603a-security-and-privacy-of-personal-"
                    "information/security-of-information-maintained-by-data-collectors-and-other-"
                    "businesses/regulation-of-business-practices/section-603a220-disclosure-of-"
                    "breach-of-security-of-system-data-methods-of-disclosure", read_on=READ),
    # § 359-C:20 I read: notify unless misuse is not likely (or cannot be determined: notify);
    # the primary regulator or the AG with the expected date of notice and the number of NH
    # residents; § 359-C:19: encrypted data with its key is not encrypted. The AG's page: the
    # resident notice's items and CRAs above 1,000.
    StateRow("NH", "New Hampshire", "N.H. Rev. Stat. § 359-C:19 et seq.", NONE,
             "Attorney General (or the primary regulator)", ANY, WITH_NOTICE, gt(1000),
             (5_000, 1_000), True, regulator_order="not_after:individuals", mark="V",
             substitute_mark="S",
             source="https://lawserver.com/law/state/new-hampshire/nh-statutes/new_hampshire_"
                    "revised_statutes_359-c_20", read_on=READ, encryption="key",
             content=("date_of_breach", "what_happened", "data_categories", "contact"),
             regulator_content=("notification_plan", "number_affected"),
             elements=frozenset({"ssn", "drivers_license", "national_id", "passport",
                                 "military_id", "tax_id"}), credentials=False),
    # The State Police's page (NJCCIC) quotes § 56:8-163(c)(1): report before telling the
    # customers; it asks how the breach occurred, the number of NJ residents and a sample
    # letter. The risk-of-harm exception and CRAs from secondary sources.
    StateRow("NJ", "New Jersey",
             "N.J. Stat. § 56:8-161 et seq.",
             NONE, "Division of State Police", ANY,
             BEFORE_NOTICE, gt(1000), (250_000, 500_000), True,
             regulator_order="before:individuals", regulator_mark="V",
             source="https://www.cyber.nj.gov/data-breach-notifications/", read_on=READ,
             regulator_content=("what_happened", "number_affected", "sample_notice")),
    # §§ 57-12C-7 and -10 read: the notice's items A-G; the AG and the major CRAs for more than
    # 1,000, within 45 days, with the number notified and a copy of the notice. The residents'
    # 45 days (§ 57-12C-6) from secondary sources.
    StateRow("NM", "New Mexico", "N.M. Stat. § 57-12C-1 et seq.", days(45, "discovery"), AG,
             gt(1000), days(45, "discovery"), gt(1000), (100_000, 50_000), True,
             regulator_mark="V", cra_mark="V",
             source="https://codes.findlaw.com/nm/chapter-57-trade-practices-and-regulations/"
                    "nm-st-sect-57-12c-10/", read_on=READ,
             content=("contact", "data_categories", "date_of_breach", "what_happened",
                      "cra_contacts", "remain_vigilant", "fcra_rights"),
             regulator_content=("number_affected", "sample_notice")),
    StateRow("NY", "New York",
             "N.Y. Gen. Bus. Law § 899-aa; N.Y. State Tech. Law § 208",
             days(30, "discovery"),
             "Attorney General, Department of State and Division of State Police", ANY, NONE,
             gt(5000), (250_000, 500_000), False),
    # § 75-65(a)-(c) read: without unreasonable delay. The DOJ's page: a breach needs illegal use
    # or a material risk of harm; encrypted data with its key counts; account and card numbers
    # count alone. The AG's items and CRAs above 1,000 from secondary sources.
    StateRow("NC", "North Carolina",
             "N.C. Gen. Stat. §§ 75-61, 75-65",
             NONE, AG, ANY, NONE, gt(1000),
             (250_000, 500_000), True, mark="V", regulator_mark="S", cra_mark="S",
             substitute_mark="S",
             source="https://law.onecle.com/north-carolina/75-monopolies-trusts-and-consumer-"
                    "protection/75-65.html", read_on=READ, encryption="key",
             elements=frozenset({"ssn", "tax_id", "drivers_license", "national_id", "passport",
                                 "biometric"}), financial_needs_code=False,
             content=("what_happened", "data_categories", "measures_taken", "contact",
                      "remain_vigilant", "cra_contacts", "agency_contacts"),
             regulator_content=("what_happened", "number_affected", "measures_taken",
                                "notification_plan"),
             note="the notice also gives the NC Attorney General's contacts [S]"),
    # § 51-30-02 read: the AG by mail or e-mail when the breach exceeds 250 individuals, in the
    # most expedient time and without unreasonable delay (not tied to the residents' notice).
    StateRow("ND", "North Dakota", "N.D. Cent. Code § 51-30-01 et seq.", NONE, AG, gt(250),
             NONE, None, (250_000, 500_000), False, mark="V", substitute_mark="S",
             source="https://lexace.ai/us/statute/north-dakota/51-30-02", read_on=READ,
             regulator_content=("what_happened", "number_affected")),
    # § 1349.19(A) read: a breach must cause, or be believed to cause, a material risk of
    # identity theft or fraud. The 45 days and substitute notice from secondary sources.
    StateRow("OH", "Ohio",
             "Ohio Rev. Code 1347.12, 1349.19",
             days(45, "discovery"), None, ANY, NONE,
             gt(1000), (250_000, 500_000), True, substitute_all=True,
             source="https://instalawyer.io/laws/ohio-revised-code/section-134919-private-"
                    "disclosure", read_on=READ),
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
    # § 646A.604(1), (3)(a) read: the AG (in writing or electronically) when more than 250
    # consumers are notified; residents within 45 days of discovery. The official DFR page: the
    # risk-of-harm determination (5 years) and the substitute-notice threshold.
    StateRow("OR", "Oregon",
             "Or. Rev. Stat. §§ 646A.600, 646A.602, 646A.604, 646A.624, 646A.626",
             days(45, "discovery"), AG, gt(250),
             WITH_NOTICE, gt(1000), (250_000, 350_000), True, regulator_order="with:individuals",
             mark="V", cra_mark="S", substitute_mark="S",
             source="http://www.oregonlaws.org/ors/646A.604", read_on=READ,
             regulator_content=("sample_notice", "number_affected")),
    # Act 33 of 2024 (SB 824), § 3(c.1) read in the bill: the AG concurrently when more than 500
    # Pennsylvanians are notified, with the organisation, the date, a summary and the numbers.
    # CRAs from 500 and 12 months of credit monitoring from secondary sources.
    StateRow("PA", "Pennsylvania", "73 Pa. Stat. § 2301 et seq.", NONE, AG, gt(500), WITH_NOTICE,
             gt(500), (100_000, 175_000), False, regulator_order="with:individuals",
             regulator_mark="V",
             source="https://legis.state.pa.us/cfdocs/billinfo/split.cfm?an=01100&ayear=2023&"
                    "bn=824&body=S&pn=0899&sind=0&syear=2023&type=B", read_on=READ,
             content_if=((frozenset({"ssn", "financial_account", "drivers_license",
                                     "national_id"}), ("credit_monitoring",)),),
             regulator_content=("organisation_details", "date_of_breach", "what_happened",
                                "number_affected"),
             note="2024 amendment: CRAs from 500 (\"more than\" or \"500 or more\" differs "
                  "between sources) [S]"),
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
    # § 39-1-90(A)-(B) read: notice when illegal use occurred or is likely or creates a material
    # risk of harm. The Department of Consumer Affairs and CRAs above 1,000 from secondary sources.
    StateRow("SC", "South Carolina", "S.C. Code § 39-1-90", NONE,
             "Consumer Protection Division, Department of Consumer Affairs", gt(1000), NONE,
             gt(1000), (250_000, 500_000), True, mark="V", regulator_mark="S", cra_mark="S",
             substitute_mark="S",
             source="https://cliclaw.com/library/state-laws/state-security-breach-laws/south-"
                    "carolina-breach-security-business-data", read_on=READ,
             regulator_content=("notification_plan", "sample_notice")),
    # §§ 22-40-20 and -22 read: residents within 60 days; the no-harm exception needs notice to
    # the AG (records kept 3 years); the AG by mail or e-mail above 250 residents (no separate
    # deadline: the engine keeps the 60 days); substitute notice with all three parts.
    StateRow("SD", "South Dakota", "S.D. CODE 22-40-20 et seq.", days(60, "discovery"), AG,
             gt(250), days(60, "discovery"), ANY, (250_000, 500_000), True, mark="V",
             cra_mark="S", substitute_all=True,
             source="https://self-law.org/code/sd/title-22/chapter-22-40/22-40-20",
             read_on=READ, regulator_content=("what_happened", "number_affected"),
             note="the no-harm exception needs notice to the Attorney General"),
    StateRow("TN", "Tennessee", "Tenn. Code § 47-18-2107", days(45, "discovery"), None, ANY, NONE,
             gt(1000), (250_000, 500_000), False),
    StateRow("TX", "Texas",
             "TEX. BUS. & COM. CODE §§ 521.002, 521.053",
             days(60, "determination"), AG,
             ge(250), days(30, "determination"), gt(10_000), (250_000, 500_000), False),
    # § 13-44-202(1)-(4) read (earlier text): notice when misuse for identity theft or fraud
    # occurred or is reasonably likely. The 2024 AG / Cyber Center and CRA duties from secondary
    # sources.
    StateRow("UT", "Utah",
             "Utah Code §§ 13-44-101 et seq.",
             NONE, "Attorney General and Utah Cyber Center",
             ge(500), WITH_NOTICE, ge(1000), None, True, regulator_order="with:individuals",
             mark="V", regulator_mark="S", cra_mark="S",
             source="https://statutes.laws.com/utah/title-13/chapter-44/13-44-202", read_on=READ),
    # § 2435(b)(1), (b)(3)(A) read: residents within 45 days; entities regulated by the
    # Department of Financial Regulation report to it, everyone else to the AG. The DFR's page:
    # within 14 business days. The preliminary notice's items and the follow-up at consumer
    # notice (number of residents, a copy of the notice) from secondary sources.
    StateRow("VT", "Vermont", "9 Vt. Stat. Ann. § 2430 et seq.", days(45, "discovery"), AG, ANY,
             Deadline("business_days", 14, "discovery", country="US", subdiv="VT",
                      tz="America/New_York"),
             gt(1000), (5_000, 1_000), True, regulator_order="not_after:individuals",
             regulator_phase="preliminary",
             mark="V", cra_mark="S", substitute_mark="S",
             source="https://legislature.vermont.gov/statutes/section/09/062/02435",
             read_on=READ,
             content=("what_happened", "data_categories", "measures_taken", "toll_free_number",
                      "remain_vigilant", "date_of_breach"),
             regulator_content=("date_of_breach", "date_of_discovery", "what_happened"),
             more=(Duty("regulator", citation="9 V.S.A. § 2435(b)(3) (follow-up)", verification="S",
                        deadline=WITH_NOTICE, recipient="Vermont Attorney General",
                        content=("number_affected", "sample_notice"), order="with:individuals",
                        key="follow_up", phase="final"),),
             licensee=("vt_dfr_regulated", "Vermont Department of Financial Regulation"),
             note="preliminary notice within 14 business days, or at consumer notice if sooner"),
    # § 18.2-186.6(A) read: a breach must cause, or be believed to cause, identity theft or
    # fraud. The AG for ANY breach (S14's 1,000 is the CRA rule), its items and the notice's
    # from secondary sources that agree.
    StateRow("VA", "Virginia", "Va. Code § 18.2-186.6", NONE, AG, ANY, NONE, gt(1000),
             (50_000, 100_000), True,
             content=VIG,
             regulator_content=("what_happened", "date_of_breach", "cause", "number_affected",
                                "measures_taken", "sample_notice")),
    StateRow("WA", "Washington", "Wash. Rev. Code § 19.255.010", days(30, "discovery"), AG,
             gt(500), days(30, "discovery"), None, (250_000, 500_000), True),
    # § 46A-2A-102(a)-(d) read: notice where identity theft or fraud is caused or believed
    # likely (a risk-of-harm test S14 missed); encrypted data with its key counts; the notice's
    # items.
    StateRow("WV", "West Virginia",
             "W. Va. Code § 46A-2A-101 et seq.",
             NONE, None, ANY, NONE, gt(1000),
             (50_000, 100_000), True, mark="V", cra_mark="S", substitute_mark="S",
             source="https://lexace.ai/us/statute/west-virginia/46A-2A-102", read_on=READ,
             encryption="key", content=("data_categories", "contact", "cra_contacts",
                                        "security_freeze")),
    StateRow("WI", "Wisconsin", "Wis. Stat. § 134.98", days(45, "awareness"), None, ANY, NONE,
             ge(1000), None, True, note="45 days from learning of the acquisition"),
    # § 40-12-502(a) read: notice where misuse occurred or is reasonably likely (a risk-of-harm
    # test S14 missed). The notice's items from secondary sources.
    StateRow("WY", "Wyoming", "Wyo. Stat. § 40-12-501 et seq.", NONE, None, ANY, NONE, None,
             (50_000, 100_000), True, mark="V", substitute_mark="S",
             source="https://law.counselstack.com/statute/wy/12/40-12-502", read_on=READ,
             content=("toll_free_number", "data_categories", "what_happened", "date_of_breach",
                      "measures_taken", "remain_vigilant", "law_enforcement_delay")),
)
BY_STATE: dict[str, StateRow] = {row.state: row for row in ROWS}
