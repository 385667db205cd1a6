"""`breachflow purge` removes contact data and keeps counts, decisions and the audit trail;
`breachflow audit verify` detects an edited event."""

from __future__ import annotations

import json
import sqlite3

from sqlmodel import select

from incidents import cli, db, org, payload, pipeline, service, steps
from incidents.assessment import impact
from incidents.identification import matching
from incidents.models import AffectedSubject, IncidentCreate, IncidentSources, RunSettings


def _closed(demo_files, out_dir) -> str:
    with db.session() as s:
        incident_in = IncidentCreate.from_payload(
            payload.load(demo_files["incident.json"]), org=org.load(None), actor="test",
            sources=IncidentSources(affected=str(demo_files["affected.csv"]),
                                    directory=str(demo_files["directory.csv"])),
            settings=RunSettings(out=str(out_dir)))
        incident, _ = service.create_incident(session=s, incident_in=incident_in, actor="test")
        incident_id = incident.id
    steps.run(incident_id, "triage", pipeline.triage_stage)
    steps.run(incident_id, "identification", lambda i: matching.identify(i, out_dir=out_dir))
    steps.run(incident_id, "assessment", impact.assess)
    # Purge is about a closed incident, not how it closed (no notices were sent here).
    with db.session() as s:
        closed = service.get_incident(session=s, incident_id=incident_id)
        closed.status, closed.closed_at = "closed", closed.aware_at
    return incident_id


def _assessment(capsys, incident_id):
    assert cli.main(["status", incident_id, "--json"]) == 0
    document = json.loads(capsys.readouterr().out)
    return document["obligations"], document["incident"]["status"]


def test_purge_keeps_counts_and_decisions(home, demo_files, tmp_path, capsys):
    incident_id = _closed(demo_files, tmp_path / "out")
    before = _assessment(capsys, incident_id)
    with db.session() as s:
        emails = {x.email for x in s.exec(select(AffectedSubject)) if x.email}
    assert emails

    assert cli.main(["purge", incident_id]) == 0
    assert "removed the contact data" in capsys.readouterr().out

    assert _assessment(capsys, incident_id) == before
    with sqlite3.connect(home / "breachflow.db") as connection:
        dump = "\n".join(connection.iterdump())
    assert not [e for e in emails if e in dump]
    with db.session() as s:
        people = s.exec(select(AffectedSubject)).all()
    assert people and all(p.subject_id.startswith("purged-") for p in people)
    assert all(p.email is None and p.phone is None and p.full_name is None for p in people)
    assert all(p.jurisdictions or not p.in_directory for p in people)
    assert cli.main(["audit", "verify", incident_id]) == 0
    assert "intact" in capsys.readouterr().out


def test_an_open_incident_cannot_be_purged(home, demo_files, tmp_path, capsys):
    with db.session() as s:
        incident_in = IncidentCreate.from_payload(
            payload.load(demo_files["incident.json"]), org=org.load(None), actor="test")
        incident, _ = service.create_incident(session=s, incident_in=incident_in, actor="test")
    assert cli.main(["purge", incident.id]) == 2
    assert "only a closed incident" in capsys.readouterr().err


def test_audit_verify_detects_an_edited_event(home, demo_files, tmp_path, capsys):
    incident_id = _closed(demo_files, tmp_path / "out")
    assert cli.main(["audit", "verify", incident_id]) == 0
    with sqlite3.connect(home / "breachflow.db") as connection:
        connection.execute("UPDATE auditevent SET actor = 'mallory' WHERE action = 'triage.decided'")
    assert cli.main(["audit", "verify", incident_id]) == 1
    assert "TAMPERED" in capsys.readouterr().out
