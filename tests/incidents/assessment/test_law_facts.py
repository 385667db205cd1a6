"""Facts the law engine needs beyond the data categories, carried from intake to the assessment:
records of care (HIPAA, 45 CFR 160.103), elderly people (Brazil, Res. CD/ANPD 15/2024 art. 5)
and the organisation's financial regulators (New York DFS, Vermont DFR)."""

from __future__ import annotations

import csv

import pytest
from sqlmodel import select

from incidents import db, org, payload, service, steps
from incidents import pipeline as stages
from incidents.assessment import impact as assessment
from incidents.exceptions import InputError
from incidents.identification.matching import org_facts
from incidents.models import (
    AffectedSubject,
    IncidentCreate,
    IncidentSources,
    Obligation,
    RunSettings,
)

HEADER = ["subject_id", "full_name", "email", "country", "region", "birth_date"]
PEOPLE = [
    ["ca1", "Sam Smith", "sam@mail.example", "US", "US-CA", "1990-01-01"],
    ["br_old", "Ana Souza", "ana@mail.example", "BR", "", "1960-06-14"],  # 66 on awareness
    ["br_young", "Rui Lima", "rui@mail.example", "BR", "", "1990-06-14"],
]


def _write(path, header, rows):
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def _assess(tmp_path, people, *, categories, records_of_care, covered=True):
    affected = _write(tmp_path / "affected.csv", ["subject_id"], [[p[0]] for p in people])
    directory = _write(tmp_path / "directory.csv", HEADER, people)
    data = {"external_id": "LAW-1", "title": "Patient portal database copied",
            "detected_at": "2026-06-15T08:00:00Z", "aware_at": "2026-06-15T10:00:00Z",
            "data_categories": categories, "records_of_care": records_of_care}
    profile = org.validate({"hipaa_covered_entity": covered}, example=True)
    with db.session() as s:
        incident_in = IncidentCreate.from_payload(
            payload.parse(data), org=profile, actor="test",
            sources=IncidentSources(affected=str(affected), directory=str(directory)),
            settings=RunSettings(out=str(tmp_path / "out")))
        incident, _ = service.create_incident(session=s, incident_in=incident_in, actor="test")
        incident_id = incident.id
    steps.run(incident_id, "identification", stages.identification_stage)
    steps.run(incident_id, "assessment", assessment.assess)
    with db.session() as s:
        subjects = {a.subject_id: a for a in s.exec(select(AffectedSubject).where(
            AffectedSubject.incident_id == incident_id))}
        obligations = list(s.exec(select(Obligation).where(Obligation.incident_id == incident_id)))
    return subjects, obligations


@pytest.mark.parametrize("records_of_care", [True, False])
def test_identifiers_from_records_of_care_bring_in_hipaa(home, tmp_path, records_of_care):
    subjects, obligations = _assess(tmp_path, PEOPLE[:1], categories=["name", "ssn"],
                                    records_of_care=records_of_care)
    expected = ["US-CA", "US-HIPAA"] if records_of_care else ["US-CA"]
    assert subjects["ca1"].jurisdictions == expected
    hipaa = [o for o in obligations if o.jurisdiction == "US-HIPAA" and o.audience == "individuals"]
    assert bool(hipaa and hipaa[0].required) is records_of_care


def test_records_of_care_is_a_payload_field_of_its_own():
    base = {"external_id": "X", "title": "t", "detected_at": "2026-06-15T08:00:00Z",
            "data_categories": ["name"]}
    assert payload.parse(base).records_of_care is False
    assert payload.parse({**base, "records_of_care": True}).records_of_care is True
    with pytest.raises(InputError, match="records_of_care"):
        payload.parse({**base, "records_of_care": {"yes": 1}})


def test_elderly_people_count_for_brazil(home, tmp_path):
    _, obligations = _assess(tmp_path, PEOPLE[1:], categories=["name", "email"],
                             records_of_care=False, covered=False)
    anpd = next(o for o in obligations if o.jurisdiction == "BR" and o.audience == "regulator")
    assert anpd.required
    assert any("elderly people (1 aged 60 or older)" in r for r in anpd.reasons)


def test_financial_regulators_come_from_the_org_profile():
    facts = org_facts(org.validate({"dfs_regulated": True, "vt_dfr_regulated": True},
                                   example=True))
    assert facts.dfs_regulated and facts.vt_dfr_regulated
    assert not org_facts(org.validate({}, example=True)).vt_dfr_regulated
    with pytest.raises(InputError, match="vt_dfr_regulated"):
        org.validate({"vt_dfr_regulated": "yes"}, example=True)
