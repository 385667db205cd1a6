"""The breach register (GDPR Art. 33(5)): every incident, notified or not, with its decision."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

from sqlmodel import select

from incidents import cli, db, org, payload, pipeline, steps
from incidents.assessment import impact
from incidents.identification import matching
from incidents.models import IncidentSources, Obligation, RegulatorReport, RunSettings
from incidents.records import register
from incidents.triage import correlation, review
from incidents.triage import stage as triage_stage


def _intake(data, sources=None, settings=None):
    with db.session() as s:
        incident, _, _ = correlation.intake_alert(session=s, payload=payload.parse(data),
                                                  sources=sources, settings=settings,
                                                  org=org.load(None), actor="siem")
        return incident.id


ALERT = {"external_id": "FP-1", "title": "Port scan", "detected_at": "2026-11-20T08:00:00Z",
         "aware_at": "2026-11-20T09:00:00Z", "data_categories": ["ip_address"],
         "breach_types": [], "systems": ["edge"]}


def _entries(capsys):
    assert cli.main(["register", "--json"]) == 0
    return {e["external_id"]: e for e in json.loads(capsys.readouterr().out)["incidents"]}


def test_a_non_breach_is_closed_with_its_rationale_and_still_registered(home, capsys):
    incident_id = _intake(ALERT)
    assert triage_stage.decide(incident_id, page=False)["is_breach"] is False
    assert triage_stage.route(incident_id) == "not_a_breach"
    pipeline.close_stage(incident_id)
    entry = _entries(capsys)["FP-1"]
    assert entry["status"] == "not_a_breach" and entry["is_breach"] is False
    assert entry["decision"] == "not a personal-data breach"
    assert "GDPR Art. 4(12)" in entry["why"][0]
    assert entry["dates"]["aware_at"] == "2026-11-20T09:00:00Z" and entry["dates"]["closed_at"]
    assert cli.main(["register"]) == 0
    text = capsys.readouterr().out
    assert "FP-1" in text and "not a personal-data breach" in text


def test_a_responders_non_breach_decision_shows_who_and_why(home, capsys):
    incident_id = _intake({**ALERT, "external_id": "FP-2", "breach_types": ["confidentiality"],
                           "data_categories": ["email"]})
    triage_stage.decide(incident_id, page=False)
    review.confirm(incident_id, {"is_breach": False, "approver": "erin",
                                 "reason": "honeypot accounts only, no real people"})
    pipeline.close_stage(incident_id)
    entry = _entries(capsys)["FP-2"]
    assert entry["decision"] == "not a personal-data breach"
    assert entry["why"] == ["honeypot accounts only, no real people (decided by erin)"]
    assert entry["decided_by"] == "erin"


def test_merged_alerts_are_one_entry(home, capsys):
    first = _intake({**ALERT, "external_id": "A", "breach_types": ["confidentiality"]})
    second = _intake({**ALERT, "external_id": "B", "breach_types": ["confidentiality"]})
    _intake({**ALERT, "external_id": "C", "related_to": "A"})
    with db.session() as s:
        correlation.merge(s, source_id=second, target_id=first, actor="alice", reason="same scan")
    entries = _entries(capsys)
    assert set(entries) == {"A"}
    assert [(a["external_id"], a["link"]) for a in entries["A"]["alerts"]] == [
        ("A", "opened"), ("B", "merged"), ("C", "related_to")]  # in the order they arrived


def test_deadlines_met_missed_and_open(home, demo_files, tmp_path):
    data = json.loads(demo_files["incident.json"].read_text())
    data.update(aware_at="2026-11-20T10:30:00Z", determined_at="2026-11-20T10:30:00Z")
    incident_id = _intake(data, IncidentSources(affected=str(demo_files["affected.csv"]),
                                                directory=str(demo_files["directory.csv"])),
                          RunSettings(out=str(tmp_path)))
    triage_stage.decide(incident_id, page=False)
    matching.identify(incident_id, out_dir=tmp_path)
    impact.assess(incident_id)
    early = datetime(2026, 11, 21, tzinfo=UTC)
    with db.session() as s:
        entry = register.entry(s, correlation.resolve(s, incident_id), now=early)
    assert entry["decision"] == "notifying"
    assert entry["counts"]["subjects"] > 0 and entry["counts"]["notified"] == 0
    assert entry["deadlines"]["met"] == entry["deadlines"]["missed"] == 0
    assert entry["deadlines"]["open"] > 0
    with db.session() as s:
        entry = register.entry(s, correlation.resolve(s, incident_id), now=early + timedelta(days=400))
    assert entry["deadlines"]["open"] == 0 and entry["deadlines"]["missed"] > 0
    # Notification done now, one regulator report filed long after its deadline.
    steps.run(incident_id, "notification", lambda _i: {})
    with db.session() as s:
        eu = s.exec(select(Obligation).where(Obligation.incident_id == incident_id,
                                             Obligation.jurisdiction == "EU",
                                             Obligation.audience == "regulator",
                                             Obligation.phase == "initial")).one()
        s.add(RegulatorReport(incident_id=incident_id, obligation_id=eu.id, jurisdiction="EU",
                              content_hash="0" * 64, filed_at=eu.deadline + timedelta(days=1)))
    with db.session() as s:
        entry = register.entry(s, correlation.resolve(s, incident_id), now=early + timedelta(days=400))
    states = {(o["jurisdiction"], o["audience"], o["phase"]): o["state"]
              for o in entry["obligations"]}
    assert states[("EU", "regulator", "initial")] == "missed"
    assert entry["decision"] == "notified"
    fixed = [o for o in entry["obligations"] if o["audience"] == "individuals" and o["deadline"]]
    # Notified when the test runs: met where the deadline is still ahead, missed where it passed.
    assert fixed and all(o["state"] == ("met" if datetime.fromisoformat(o["deadline"]) > datetime.now(UTC)
                                        else "missed") for o in fixed)


def test_deadline_state():
    t = datetime(2026, 11, 20, tzinfo=UTC)
    assert register.deadline_state(None, None, t) == "no fixed deadline"
    assert register.deadline_state(None, t, t) == "done"
    assert register.deadline_state(t, t, t) == "met"
    assert register.deadline_state(t, t + timedelta(seconds=1), t) == "missed"
    assert register.deadline_state(t, None, t) == "open"
    assert register.deadline_state(t, None, t + timedelta(seconds=1)) == "missed"
