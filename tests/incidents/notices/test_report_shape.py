"""Issue 15 point 10: reports in filing shape. Each report is in the regulator's language, in
the order of the regulator's own form, in human wording: no internal codes, no source marks,
no consumer text in the second person (the attached sample notice aside)."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

import pytest
from sqlmodel import select

from incidents import db, service
from incidents.models import AffectedSubject, Delivery, Incident, Obligation, RegulatorReport
from incidents.notices import reports
from incidents.sqltypes import utcnow
from regulators import OrgFacts, Population, get_regulator
from tests.incidents.notices.helpers import facts as incident_facts
from tests.security.helpers import prepared

# Each named form's fields in the regulator's order.
FORMS = {
    # ICO, "Report a personal data breach" (UK GDPR Art. 33).
    "GB": [
        "report_type",
        "organisation",
        "contact",
        "what_happened",
        "how_discovered",
        "cause",
        "date_of_breach",
        "date_of_discovery",
        "reasons_for_delay",
        "data_categories",
        "records",
        "data_subjects",
        "subject_categories",
        "consequences",
        "measures_taken",
        "data_subjects_told",
        "other_authorities",
    ],
    # CNIL notification form / EDPB Guidelines 9/2022, GDPR Art. 33(3)(a)-(d), member states.
    "EU": [
        "report_type",
        "controller",
        "dpo_contact",
        "date_of_breach",
        "date_of_awareness",
        "timeliness",
        "nature",
        "cause",
        "subject_categories",
        "data_subjects",
        "data_categories",
        "records",
        "consequences",
        "measures_taken",
        "data_subjects_told",
        "member_states",
    ],
    # 网络安全事件报告管理办法 report content, then PIPL Art. 57 items.
    "CN": [
        "organisation",
        "time_place_type",
        "info_categories",
        "people",
        "harm",
        "measures",
        "trend",
        "cause",
        "next_steps",
        "leads",
        "scene",
        "individual_measures",
        "individuals_told",
        "contact",
    ],
    # PPC Rules Art. 8(1) items 1-9, after the reporting business.
    "JP": [
        "operator",
        "summary",
        "items",
        "people",
        "cause",
        "secondary_harm",
        "individual_response",
        "publication",
        "prevention",
        "other",
    ],
    # HHS OCR breach portal.
    "US-HIPAA": [
        "report_type",
        "covered_entity",
        "contact",
        "business_associate",
        "breach_dates",
        "discovery_date",
        "individuals",
        "type_of_breach",
        "location",
        "phi_types",
        "description",
        "safeguards",
        "individual_notice",
        "substitute_notice",
        "media_notice",
        "actions",
    ],
    # California AG sample-notice submission form.
    "US-CA": [
        "organization",
        "date_of_breach",
        "notice_dates",
        "law_enforcement_delay",
        "residents",
        "sample",
    ],
    # New York State Security Breach Reporting Form.
    "US-NY": [
        "entity",
        "submitted_by",
        "total_affected",
        "ny_residents",
        "cra_notified",
        "date_of_breach",
        "date_of_discovery",
        "notice_dates",
        "description",
        "information_acquired",
        "manner_of_notice",
        "id_theft_services",
    ],
}
LANGUAGE = {"CN": "zh-CN", "JP": "ja"}
SNAKE = re.compile(r"\b[a-z]+(?:_[a-z]+)+\b")
MARK = re.compile(r"\[(V|S|U)\]|needs legal review")
SECOND_PERSON = re.compile(r"\b(you|your|yours|yourself)\b|您|你|あなた", re.IGNORECASE)


def _obligation(incident: Incident, code: str) -> Obligation:
    """The jurisdiction's real regulator obligation (content, recipient, citation)."""
    population = Population(
        subjects=1000,
        triggered=1000,
        categories=frozenset(incident.data_categories),
        minors=0,
        unreachable=0,
        notice_cost_usd=1.0,
    )
    drafts = [
        d
        for d in get_regulator(code).obligations(
            incident=incident_facts(incident), org=OrgFacts("IE", True, False), population=population
        )
        if d.audience == "regulator"
    ]
    draft = drafts[0]
    return Obligation(
        incident_id=incident.id,
        jurisdiction=code,
        audience="regulator",
        required=True,
        deadline=None,
        deadline_rule=draft.deadline_rule,
        recipient=draft.recipient,
        citation=draft.citation,
        verification=draft.verification,
        reasons=list(draft.reasons),
        content=list(draft.content),
    )


def _filing(html: str) -> str:
    """The report without the attached sample notice (consumer text, by design), as text."""
    html = re.sub(r"<section[^>]*data-attachment.*?</section>", "", html, flags=re.S)
    return re.sub(r"<[^>]+>", " ", html)


@pytest.fixture
def rendered(home, demo_files, tmp_path) -> dict[str, str]:
    incident_id = prepared(demo_files, tmp_path / "out")
    with db.session() as s:  # the providers accepted every e-mail notice a day ago
        for person in s.exec(select(AffectedSubject).where(AffectedSubject.incident_id == incident_id)):
            s.add(
                Delivery(
                    incident_id=incident_id,
                    subject_pk=person.id or 0,
                    channel="email",
                    state="accepted",
                    updated_at=utcnow() - timedelta(days=1),
                )
            )
    reports.generate(incident_id, out_dir=tmp_path / "out")
    found = {}
    with db.session() as s:
        incident = service.get_incident(session=s, incident_id=incident_id)
        facts = reports.facts_of(s, incident.id)
        for code in [*FORMS, "US-TX", "US-MA"]:
            found[code] = reports.render_report(
                s, incident, _obligation(incident, code), now=utcnow(), facts=facts
            )[0]
        for report in s.exec(select(RegulatorReport).where(RegulatorReport.incident_id == incident_id)):
            html = next(f for f in report.files if f.endswith(".html"))
            found[Path(html).name] = Path(html).read_text(encoding="utf-8")
    return found


def test_every_report_is_in_filing_shape(rendered) -> None:
    assert len(rendered) > len(FORMS) + 2  # the generated reports are scanned too
    for name, html in rendered.items():
        text = _filing(html)
        assert not SNAKE.findall(text), (name, SNAKE.findall(text))
        assert not MARK.search(text), (name, MARK.search(text))
        assert not SECOND_PERSON.search(text), (name, SECOND_PERSON.search(text))
        # A template object's repr (a macro shadowing a value of the same name) is never text.
        assert not re.search(r"<(Macro|Undefined|function)\b|&lt;(Macro|Undefined)", html), name
        code = next((c for c in LANGUAGE if name == c or name.startswith(f"{c}-")), None)
        assert f'<html lang="{LANGUAGE.get(code or "", "en")}">' in html, name


def test_china_and_japan_are_addressed_in_their_own_words(rendered) -> None:
    for code, to, basis in (("CN", "报送对象", "法律依据"), ("JP", "報告先", "根拠法令")):
        for label in (to, basis):
            assert re.search(rf"<th>{label}</th><td>[^<A-Za-z]+</td>", rendered[code]), (code, label)


def test_each_named_form_in_the_regulators_order(rendered) -> None:
    for code, fields in FORMS.items():
        assert re.findall(r'data-field="([a-z_]+)"', rendered[code]) == fields, code
    # GDPR: breach dates and member states; New York: the nationwide total and notice dates.
    eu, ny = _filing(rendered["EU"]), _filing(rendered["US-NY"])
    assert re.search(r"Start and end of the breach</th><td>\d{4}-\d{2}-\d{2}", rendered["EU"])
    assert re.search(r"Member states[^<]*</th><td>[A-Z][a-z]+ \(\d+\)", rendered["EU"]), eu
    assert re.search(r"Total number of persons affected[^<]*</th><td>\d+</td>", rendered["US-NY"]), ny
    assert re.search(r"Date of consumer notification</th><td>\d+ \w+ \d{4}", rendered["US-NY"]), ny


def test_what_a_chinese_or_japanese_report_lacks_is_listed_in_its_language() -> None:
    """Every item a CN or JP report can list as still to complete has its words in the
    report's language: a Chinese draft never says "steps the person can take" in English."""
    for code in ("CN", "JP"):
        regulator, local = get_regulator(code), reports.jurisdiction_report(code)
        content = {e for d in regulator.duties if d.audience == "regulator" for e in d.content}
        can_miss = (content | set(local.get("form_needs", ())) | {"what_you_can_do"}) - reports.KNOWN
        can_miss |= {"sample_notice", "translation", "reasons_for_delay"}
        wording = reports.wording(reports.language_of(code))["missing"]
        assert can_miss <= set(wording), (code, sorted(can_miss - set(wording)))
        for key in can_miss:
            assert not re.search(r"[A-Za-z]{3}", wording[key]), (code, key, wording[key])
