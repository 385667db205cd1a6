"""Identification: one AffectedSubject per person from the records and the directory — merged,
located (with fallbacks), minors by each jurisdiction's age, reachable channels — and a
data-quality report that names rows and ids but never copies a personal value."""

from __future__ import annotations

import csv
import json

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from sqlalchemy import create_engine, text
from sqlmodel import select

from incidents import db, org, payload, pipeline, service, steps
from incidents.assessment import impact
from incidents.identification import matching
from incidents.models import AffectedSubject, IncidentCreate, IncidentSources, Obligation, RunSettings
from incidents.records import status

HEADER = ["subject_id", "full_name", "email", "phone", "push_target", "country", "region",
          "locale", "birth_date", "guardian_email", "guardian_phone", "postal_address"]
# Awareness on 2026-06-15: ages are counted on that day.
DIRECTORY = [
    ["de1", "Lena Müller", "lena@mail.example", "+4915112345678", "", "de", "", "de-DE",
     "1980-02-03", "", "", "Hauptstr. 1, Berlin"],
    ["us1", "Sam Smith", "sam@mail.example", "+1 (202) 555-0143", "", "US", "ca", "en-US",
     "1990-01-01", "", "", ""],
    ["land", "Jonas Berg", "", "+49301234567", "", "DE", "", "", "1970-01-01", "", "", ""],
    ["ph1", "Wei Chen", "", "+8613800138000", "", "", "", "", "", "", "", ""],
    ["loc1", "Yuki Sato", "yuki@mail.example", "", "", "", "", "ja-JP", "", "", "", ""],
    ["none1", "No Body", "", "", "", "", "", "", "", "", "", ""],
    ["cnkid", "Mei Li", "", "", "", "CN", "CN-GD", "zh-CN", "2012-06-16", "mum@mail.example",
     "", ""],
    ["cnteen", "Li Wang", "liwang@mail.example", "", "", "CN", "", "zh-CN", "2010-01-01", "",
     "+8613900139000", ""],
    ["dekid", "Noah Kraus", "", "", "", "DE", "", "de-DE", "2009-06-16", "not-an-email",
     "+4915199887766", ""],
    ["adult", "Ines Vogel", "ines@mail.example", "", "", "DE", "", "de-DE", "1985-05-05",
     "guardian@mail.example", "", ""],
    ["badmail", "Omar Haddad", "omar@@broken", "+4930", "dev-omar-token", "Germany",
     "XX-12345", "not a locale", "31/12/1990", "", "", ""],
    ["spare", "Not Affected", "spare@mail.example", "", "", "FR", "", "", "", "", "", ""],
    ["de1", "Lena Duplicate", "other@mail.example", "", "", "DE", "", "", "", "", "", ""],
]
AFFECTED = [["de1", "ssn"], ["de1", "health;shoe_size"], ["de1", ""], ["us1", "financial_account"],
            ["land", ""], ["ph1", ""], ["loc1", ""], ["none1", ""], ["cnkid", ""], ["cnteen", ""],
            ["dekid", ""], ["adult", ""], ["badmail", ""], ["ghost", ""], ["ghost", "ssn"]]


def _write_csv(path, header, rows, extra_lines=()):
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)
        for line in extra_lines:
            handle.write(line + "\n")
    return path


@pytest.fixture
def inputs(tmp_path):
    # Line numbers: header 1, records 2..16, then the broken lines 17 and 18.
    affected = _write_csv(tmp_path / "affected.csv", ["subject_id", "data_categories"], AFFECTED,
                          extra_lines=[",ssn", "us1,ssn,stray"])
    directory = _write_csv(tmp_path / "directory.csv", HEADER, DIRECTORY,
                           extra_lines=["truncated,row"])
    return {"affected": affected, "directory": directory}


def _open_incident(sources, out_dir, external_id="ID-1"):
    data = {"external_id": external_id, "title": "Customer database copied",
            "detected_at": "2026-06-15T08:00:00Z", "aware_at": "2026-06-15T10:00:00Z",
            "data_categories": ["name", "email"], "breach_types": ["confidentiality"]}
    with db.session() as s:
        incident_in = IncidentCreate.from_payload(
            payload.parse(data), org=org.load(None), actor="test",
            sources=IncidentSources(**{k: str(v) for k, v in sources.items()}),
            settings=RunSettings(out=str(out_dir)))
        incident, _ = service.create_incident(session=s, incident_in=incident_in, actor="test")
        return incident.id


def _subjects(incident_id):
    with db.session() as s:
        rows = s.exec(select(AffectedSubject).where(AffectedSubject.incident_id == incident_id)).all()
        return {row.subject_id: row for row in rows}


def _identify(home, inputs, tmp_path, external_id="ID-1"):
    out = tmp_path / "out"
    incident_id = _open_incident(inputs, out, external_id)
    outcome = steps.run(incident_id, "identification", pipeline.identification_stage)
    return incident_id, outcome, out


def test_one_subject_per_person_with_merged_records(home, inputs, tmp_path):
    incident_id, outcome, _ = _identify(home, inputs, tmp_path)
    people = _subjects(incident_id)
    assert set(people) == {r[0] for r in AFFECTED}  # spare was not affected
    de1 = people["de1"]
    assert de1.records == 3
    assert de1.data_categories == ["email", "health", "name", "ssn"]  # incident's + every record's
    assert de1.email == "lena@mail.example"  # the first directory row wins over the duplicate
    assert people["us1"].records == 1 and "financial_account" in people["us1"].data_categories
    ghost = people["ghost"]
    assert not ghost.in_directory and ghost.records == 2 and ghost.unreachable
    assert ghost.jurisdictions == [] and ghost.data_categories == ["email", "name", "ssn"]
    assert outcome["subjects"] == 12 and outcome["in_directory"] == 11
    assert outcome["records"] == 15


def test_residence_and_jurisdictions_with_fallbacks(home, inputs, tmp_path):
    incident_id, outcome, _ = _identify(home, inputs, tmp_path)
    people = _subjects(incident_id)
    assert (people["de1"].country, people["de1"].jurisdictions) == ("DE", ["EU"])
    assert (people["us1"].region, people["us1"].jurisdictions) == ("US-CA", ["US-CA"])
    assert (people["ph1"].country, people["ph1"].jurisdictions) == ("CN", ["CN"])  # phone
    assert (people["loc1"].country, people["loc1"].jurisdictions) == ("JP", ["JP"])  # locale
    assert people["none1"].country is None and people["none1"].jurisdictions == []
    badmail = people["badmail"]  # country, region and locale unusable, the phone invalid too
    assert (badmail.country, badmail.region, badmail.locale) == (None, None, None)
    assert outcome["residence_from_phone"] == 1 and outcome["residence_from_locale"] == 1
    assert outcome["residence_unknown"] == 2
    assert outcome["unknown_jurisdiction"] == 2  # none1 and badmail (ghost is not in the directory)


def test_unknown_residence_surfaces_in_the_assessment(home, inputs, tmp_path):
    incident_id, _, _ = _identify(home, inputs, tmp_path)
    steps.run(incident_id, "assessment", impact.assess)
    with db.session() as s:
        unknown = s.exec(select(Obligation).where(Obligation.incident_id == incident_id,
                                                  Obligation.jurisdiction == "UNKNOWN")).one()
    assert unknown.needs_review and unknown.count == 3  # none1, badmail and the unknown id


def test_minors_by_each_jurisdictions_age(home, inputs, tmp_path):
    incident_id, outcome, _ = _identify(home, inputs, tmp_path)
    people = _subjects(incident_id)
    cnkid = people["cnkid"]  # 13 on the day of awareness: a minor, and under 14 in China
    assert cnkid.minor and cnkid.guardian_email == "mum@mail.example"
    assert not cnkid.unreachable and cnkid.channels == []  # reached through the guardian
    cnteen = people["cnteen"]  # 16: a minor in China, not under 14
    assert cnteen.minor and cnteen.guardian_phone == "+8613900139000"
    dekid = people["dekid"]  # 17 (18 tomorrow): a minor under the default age
    assert dekid.minor and dekid.guardian_email is None  # invalid: not kept
    assert dekid.guardian_phone == "+4915199887766" and not dekid.unreachable
    adult = people["adult"]  # an adult's guardian contact is not copied into the incident
    assert not adult.minor and adult.guardian_email is None
    assert outcome["minors"] == 3 and outcome["sensitive_minors"] == 1


def test_reachability(home, inputs, tmp_path):
    incident_id, outcome, _ = _identify(home, inputs, tmp_path)
    people = _subjects(incident_id)
    assert people["de1"].channels == ["email", "sms", "voice"]
    assert people["de1"].phone_type == "mobile"
    us1 = people["us1"]  # stored in E.164; the numbering plan cannot tell mobile from landline
    assert (us1.phone, us1.phone_type, us1.channels) == ("+12025550143", "mobile_or_landline",
                                                         ["email", "sms", "voice"])
    land = people["land"]  # a landline: voice, never SMS
    assert (land.phone_type, land.channels) == ("landline", ["voice"])
    badmail = people["badmail"]  # e-mail and phone invalid; the push target still works
    assert (badmail.email, badmail.phone, badmail.channels) == (None, None, ["push"])
    assert people["none1"].unreachable and people["none1"].channels == []
    assert people["ph1"].channels == ["sms", "voice"]
    assert outcome["reachable_by"] == {"email": 5, "push": 1, "sms": 3, "voice": 4}
    # none1 and the unknown id: the candidates for the public announcement
    assert outcome["unreachable"] == 2


def test_data_quality_report(home, inputs, tmp_path):
    incident_id, outcome, out = _identify(home, inputs, tmp_path)
    report_text = (out / "data-quality.json").read_text(encoding="utf-8")
    report = json.loads(report_text)
    assert report["unparsed_row_numbers"] == [17, 18]
    assert report["directory_unparsed_row_numbers"] == [15]
    assert report["unknown_subject_ids"] == ["ghost"]
    assert report["duplicate_subject_ids"] == ["de1"]
    assert report["unknown_category_values"] == {"shoe_size": 1}
    invalid = {(v["subject_id"], v["field"]) for v in report["invalid_values"]}
    assert invalid == {("badmail", "email"), ("badmail", "phone"), ("badmail", "country"),
                       ("badmail", "region"), ("badmail", "locale"), ("badmail", "birth_date"),
                       ("dekid", "guardian_email"), ("de1", "postal_address")}
    # One line is no envelope: the problem is counted, the address never copied.
    assert report["postal_address_problems"] == {"too few lines": 1}
    assert report["invalid_postal_addresses"] == 1 and "Hauptstr" not in report_text
    # Ids and row numbers only: no value from the directory is copied into the report.
    for row in DIRECTORY:
        for value in row[1:]:
            if len(value) > 3:
                assert value not in report_text, value
    counts = {"unparsed_rows": 2, "directory_unparsed_rows": 1, "duplicate_directory_ids": 1,
              "unknown_ids": 1, "unknown_categories": 1, "invalid_emails": 1, "invalid_phones": 1,
              "invalid_guardian_contacts": 1, "invalid_countries": 1, "invalid_regions": 1,
              "invalid_locales": 1, "invalid_birth_dates": 1, "directory_rows": 13}
    assert {k: report[k] for k in counts} == counts
    assert {k: outcome[k] for k in counts} == counts
    with db.session() as s:
        incident = service.get_incident(session=s, incident_id=incident_id)
        document = status.status_document(s, incident)
    assert {k: document["data_quality"][k] for k in counts} == counts


def test_a_rerun_starts_the_stage_over(home, inputs, tmp_path):
    incident_id, first, out = _identify(home, inputs, tmp_path)
    again = matching.identify(incident_id, out_dir=out)
    assert again == first
    assert len(_subjects(incident_id)) == 12


def _core(people):
    return {sid: (p.in_directory, p.records, p.data_categories, p.email, p.phone, p.phone_type,
                  p.country, p.region, p.jurisdictions, p.minor, p.channels, p.unreachable)
            for sid, p in people.items()}


def test_parquet_and_jsonl_give_the_same_people(home, inputs, tmp_path):
    incident_id, _, _ = _identify(home, inputs, tmp_path, "ID-CSV")
    expected = _core(_subjects(incident_id))
    affected = {"subject_id": [r[0] for r in AFFECTED], "data_categories": [r[1] for r in AFFECTED]}
    pq.write_table(pa.table(affected), tmp_path / "affected.parquet")
    with open(tmp_path / "directory.jsonl", "w", encoding="utf-8") as handle:
        for row in DIRECTORY:
            handle.write(json.dumps(dict(zip(HEADER, row, strict=True))) + "\n")
    columns = {name: [row[i] for row in DIRECTORY] for i, name in enumerate(HEADER)}
    pq.write_table(pa.table(columns), tmp_path / "directory.parquet", row_group_size=4)
    for n, (records, directory) in enumerate((("affected.parquet", "directory.jsonl"),
                                              ("affected.csv", "directory.parquet"))):
        found, _, _ = _identify(home, {"affected": tmp_path / records,
                                       "directory": tmp_path / directory}, tmp_path, f"ID-{n}")
        assert _core(_subjects(found)) == expected


def _load_directory_table(url):
    engine = create_engine(url)
    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE users (" + ", ".join(
            f"{name} VARCHAR(200)" for name in HEADER) + ", active INTEGER)"))
        insert = text("INSERT INTO users VALUES (" + ", ".join(  # noqa: S608 - test table
            f":{name}" for name in HEADER) + ", 1)")
        for row in DIRECTORY:
            connection.execute(insert, dict(zip(HEADER, row, strict=True)))
        connection.execute(text("UPDATE users SET active = 0 WHERE subject_id = 'dekid'"))
    engine.dispose()


def test_directory_from_a_database_query(home, inputs, tmp_path):
    incident_id, _, _ = _identify(home, inputs, tmp_path, "ID-CSV")
    expected = _core(_subjects(incident_id))
    url = f"sqlite:///{tmp_path / 'users.db'}"
    _load_directory_table(url)
    found, outcome, _ = _identify(home, {
        "affected": inputs["affected"], "directory": url,
        "directory_query": "SELECT * FROM users WHERE active = 1"}, tmp_path, "ID-SQL")
    people = _core(_subjects(found))
    assert not people.pop("dekid")[0]  # filtered out by the query: unknown to this directory
    expected.pop("dekid")
    assert people == expected and outcome["unknown_ids"] == 2


@pytest.mark.postgres
def test_on_postgresql(home, inputs, tmp_path, monkeypatch, postgres_url):
    """PostgreSQL as breachflow's database and as the directory (a table): same people."""
    incident_id, _, _ = _identify(home, inputs, tmp_path, "ID-CSV")
    expected = _core(_subjects(incident_id))
    monkeypatch.setenv("BREACHFLOW_DATABASE_URL", postgres_url)
    db.reset()
    _load_directory_table(postgres_url)
    found, outcome, _ = _identify(home, {"affected": inputs["affected"], "directory": postgres_url,
                                         "directory_table": "users"}, tmp_path, "ID-PG")
    assert _core(_subjects(found)) == expected
    assert outcome["minors"] == 3



def test_many_people_are_written_in_multi_row_statements(home, tmp_path):
    """Enough people for several rows per INSERT and a remainder: each row is its own person."""
    people = [[f"m{n:04d}", f"Person {n}", f"p{n}@mail.example", "", "", "FR", "", "", "", "",
               "", ""] for n in range(1, 213)]
    affected = _write_csv(tmp_path / "affected.csv", ["subject_id"], [[p[0]] for p in people])
    directory = _write_csv(tmp_path / "directory.csv", HEADER, people)
    incident_id, outcome, _ = _identify(home, {"affected": affected, "directory": directory},
                                        tmp_path, "ID-MANY")
    found = _subjects(incident_id)
    assert len(found) == outcome["subjects"] == 212
    assert all(p.email == f"p{int(sid[1:])}@mail.example" and p.jurisdictions == ["EU"]
               for sid, p in found.items())


def test_a_directory_with_only_some_columns(home, tmp_path):
    """Only subject_id is required: a missing column means unknown for everyone."""
    affected = _write_csv(tmp_path / "affected.csv", ["subject_id"], [["a"], ["b"]])
    directory = _write_csv(tmp_path / "directory.csv", ["email", "subject_id"],
                           [["a@mail.example", "a"], [" ", "b"]])
    incident_id, outcome, _ = _identify(home, {"affected": affected, "directory": directory},
                                        tmp_path, "ID-FEW")
    people = _subjects(incident_id)
    assert (people["a"].email, people["a"].channels, people["a"].jurisdictions) == (
        "a@mail.example", ["email"], [])
    assert people["b"].unreachable and people["b"].email is None  # blank is unknown, not invalid
    assert outcome["invalid_emails"] == 0 and outcome["residence_unknown"] == 2


def test_a_shifted_category_column_reports_no_personal_values(home, inputs, tmp_path):
    """E-mails, names and phone numbers in `data_categories` (a column shifted in the export)
    are counted, never copied into the incident's quality, the status or the report file."""
    shifted = [[sid, value] for sid, value in (
        ("us1", "jane.public@mail.example"), ("land", "Jonas Berg"), ("ph1", "+8613800138000"),
        ("loc1", "emial"), *((f"extra{n}", f"word{n}") for n in range(30)))]
    inputs["affected"] = _write_csv(tmp_path / "shifted.csv", ["subject_id", "data_categories"],
                                    AFFECTED + shifted)
    incident_id, _, out = _identify(home, inputs, tmp_path)
    with db.session() as s:
        stored = service.get_incident(session=s, incident_id=incident_id).quality
    report = json.loads((out / "data-quality.json").read_text(encoding="utf-8"))
    for values in (stored["unknown_category_values"], report["unknown_category_values"]):
        assert "emial" in values and "shoe_size" in values
        assert matching.NOT_A_CATEGORY_WORD in values
        assert len(values) <= matching.MAX_UNKNOWN_CATEGORY_NAMES
        shown = json.dumps(values)
        for personal in ("jane.public", "Jonas Berg", "8613800138000"):
            assert personal not in shown
    assert stored["unknown_categories"] == 1 + 3 + 1 + 30  # shoe_size, the three, emial, words
