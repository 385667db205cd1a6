"""Correlation: several alerts about one breach become one incident, never two runs."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import func, select

from incidents import cli, db, org, payload, service, steps
from incidents.exceptions import InputError
from incidents.models import AuditEvent, Incident, IncidentAlert, Step
from incidents.triage import correlation, review
from incidents.triage import stage as triage_stage


def _payload(external_id, **fields):
    data = {"external_id": external_id, "title": f"Alert {external_id}",
            "detected_at": "2026-11-20T08:00:00Z", "aware_at": "2026-11-20T10:30:00Z",
            "data_categories": ["email"], "systems": ["accounts-db"]}
    return payload.parse({**data, **fields})


def _intake(external_id, **fields):
    with db.session() as s:
        incident, created, joined = correlation.intake_alert(
            session=s, payload=_payload(external_id, **fields), org=org.load(None),
            actor="siem")
        return incident.id, created, joined


def _get(reference):
    with db.session() as s:
        return service.get_incident(session=s, incident_id=reference)


def _count(model):
    with db.session() as s:
        return s.exec(select(func.count()).select_from(model)).one()


def _alerts(incident_id):
    with db.session() as s:
        return [(a.external_id, a.link) for a in s.exec(
            select(IncidentAlert).where(IncidentAlert.incident_id == incident_id)
            .order_by(IncidentAlert.id))]


def _actions(incident_id):
    with db.session() as s:
        return [e.action for e in s.exec(select(AuditEvent).where(AuditEvent.incident_id == incident_id))]


def test_an_alert_naming_its_incident_joins_it(home):
    first, created, joined = _intake("EDR-1", occurred_from="2026-11-19T00:00:00Z",
                                     occurred_to="2026-11-19T06:00:00Z")
    assert created and joined is None
    second, created, joined = _intake(
        "DLP-7", related_to="EDR-1", data_categories=["email", "password"], systems=["sso"],
        aware_at="2026-11-20T09:00:00Z", detected_at="2026-11-20T07:00:00Z",
        occurred_from="2026-11-18T12:00:00Z", occurred_to="2026-11-19T04:00:00Z")
    assert (second, created, joined) == (first, False, first)
    assert _count(Incident) == 1
    assert _alerts(first) == [("EDR-1", "opened"), ("DLP-7", "related_to")]
    incident = _get(first)
    assert incident.data_categories == ["email", "password"]
    assert incident.systems == ["accounts-db", "sso"]
    assert incident.occurred_from == datetime(2026, 11, 18, 12, tzinfo=UTC)
    assert incident.occurred_to == datetime(2026, 11, 19, 6, tzinfo=UTC)
    assert incident.detected_at == datetime(2026, 11, 20, 7, tzinfo=UTC)
    # The second alert was known earlier: the clock moves, with its provenance.
    assert incident.aware_at == datetime(2026, 11, 20, 9, tzinfo=UTC)
    assert incident.aware_at_source == "alert DLP-7"
    assert {"correlation.joined", "clock.changed"} <= set(_actions(first))


def test_related_to_may_name_the_incident_id_or_any_linked_alert(home):
    first, _, _ = _intake("EDR-1")
    assert _intake("A-2", related_to=first)[2] == first
    assert _intake("A-3", related_to="A-2")[2] == first
    assert [a for a, _ in _alerts(first)] == ["EDR-1", "A-2", "A-3"]


def test_the_same_alert_twice_changes_nothing(home):
    first, _, _ = _intake("EDR-1")
    _intake("A-2", related_to="EDR-1", data_categories=["ssn"])
    events = _actions(first)
    assert _intake("A-2", related_to="EDR-1", data_categories=["health"]) == (first, False, None)
    assert _intake("EDR-1") == (first, False, None)
    assert _get(first).data_categories == ["email", "ssn"]
    assert _actions(first) == events


def test_an_unknown_related_to_opens_an_incident_and_says_so(home):
    incident_id, created, joined = _intake("LATE-1", related_to="NEVER-SEEN")
    assert created and joined is None
    assert "correlation.related_to_unknown" in _actions(incident_id)


def test_related_to_follows_a_merge(home):
    a, _, _ = _intake("A")
    b, _, _ = _intake("B", detected_at="2026-11-20T09:00:00Z")
    with db.session() as s:
        correlation.merge(s, source_id=b, target_id=a, actor="alice", reason="same attacker")
    assert _intake("C", related_to="B")[2] == a


def test_run_with_related_to_starts_no_second_run(home, demo_files, capsys):
    data = json.loads(demo_files["incident.json"].read_text())
    with db.session() as s:
        first, _, _ = correlation.intake_alert(session=s, payload=payload.parse(data),
                                               org=org.load(None), actor="siem")
    follow_up = demo_files["incident.json"].parent / "follow-up.json"
    follow_up.write_text(json.dumps({**data, "external_id": "FOLLOW-UP", "related_to": data["external_id"],
                                     "data_categories": [*data["data_categories"], "date_of_birth"]}))
    code = cli.main(["run", str(follow_up), "--affected", str(demo_files["affected.csv"]),
                     "--directory", str(demo_files["directory.csv"]), "--auto-approve"])
    assert code == 0
    assert f"joined incident {first.id}" in capsys.readouterr().out
    assert _count(Incident) == 1
    assert _count(Step) == 0  # no flow ran
    assert "date_of_birth" in _get(first.id).data_categories


def test_overlapping_alerts_within_the_window_are_proposed(home, monkeypatch):
    a, _, _ = _intake("A", detected_at="2026-11-20T08:00:00Z")
    b, _, _ = _intake("B", detected_at="2026-11-21T20:00:00Z")             # 36 h later
    _intake("C", detected_at="2026-11-25T08:00:00Z")                       # 120 h later
    _intake("D", detected_at="2026-11-20T09:00:00Z", systems=["billing"])  # another system
    with db.session() as s:
        found = correlation.candidates(s, service.get_incident(session=s, incident_id=a))
    assert [(c.external_id, c.shared_systems, c.gap_hours) for c in found] == [("B", ("accounts-db",), 36.0)]
    assert found[0].can_merge_here and found[0].can_merge_there
    monkeypatch.setenv("BREACHFLOW_CORRELATION_WINDOW_HOURS", "200")
    with db.session() as s:
        found = correlation.candidates(s, service.get_incident(session=s, incident_id=a))
    assert [c.external_id for c in found] == ["B", "C"]
    outcome = triage_stage.decide(b, page=False)
    assert outcome["merge_candidates"] == [a, _get("C").id]
    assert "correlation.proposed" in _actions(b)
    assert "A (`" in review.describe(b)


def test_occurrence_ranges_count_for_the_window(home):
    a, _, _ = _intake("A", detected_at="2026-11-25T08:00:00Z", occurred_from="2026-11-10T00:00:00Z")
    _intake("B", detected_at="2026-11-12T08:00:00Z")
    with db.session() as s:
        assert [c.external_id for c in correlation.candidates(
            s, service.get_incident(session=s, incident_id=a))] == ["B"]


def test_merge_at_the_gate_unites_the_alerts(home):
    a, _, _ = _intake("A", occurred_from="2026-11-19T00:00:00Z")
    b, _, _ = _intake("B", detected_at="2026-11-20T12:00:00Z", aware_at="2026-11-20T06:00:00Z",
                      data_categories=["health"], systems=["accounts-db", "backup"])
    triage_stage.decide(a, page=False)
    assert review.problems(a, {"merge": ["B"], "approver": "alice"}) == [
        "merge: merging incidents needs a reason"]
    outcome = review.confirm(a, {"merge": ["B"], "approver": "alice", "reason": "same attacker IP"})
    assert outcome["merged"] == 1 and outcome["route"] == "breach"
    merged = _get(b)
    assert (merged.status, merged.merged_into) == ("merged", a)
    assert triage_stage.route(b) == "merged"
    incident = _get(a)
    assert incident.data_categories == ["email", "health"]
    assert incident.systems == ["accounts-db", "backup"]
    assert incident.aware_at == datetime(2026, 11, 20, 6, tzinfo=UTC)
    assert incident.severity == "P2"  # health now weighs in: re-scored after the merge
    assert _alerts(a) == [("A", "opened"), ("B", "merged")]
    assert "correlation.merged" in _actions(a) and "correlation.merged_into" in _actions(b)
    with db.session() as s:
        linked = correlation.alerts(s, service.get_incident(session=s, incident_id=a))
    assert [x.reason for x in linked] == [None, "same attacker IP"]


def test_merging_this_incident_into_one_already_past_triage(home):
    a, _, _ = _intake("A")
    b, _, _ = _intake("B")
    steps.run(a, "gate:triage", lambda _i: {})
    assert review.problems(a, {"merge": ["B"], "reason": "x"}) == []
    problems = review.problems(b, {"merge": ["A"], "reason": "x"})
    assert problems and "past triage" in problems[0]
    outcome = review.confirm(b, {"merge_into": "A", "reason": "same breach", "approver": "bob"})
    assert outcome == {"route": "merged", "merged_into": a}
    assert _alerts(a) == [("A", "opened"), ("B", "merged")]


def test_a_merge_problem_changes_nothing(home):
    a, _, _ = _intake("A")
    with pytest.raises(InputError, match="no such incident"):
        review.confirm(a, {"merge": ["NOPE"], "reason": "x", "approver": "eve"})
    with db.session() as s, pytest.raises(InputError, match="into itself"):
        correlation.merge(s, source_id=a, target_id="A", actor="eve", reason="x")
    assert _get(a).status == "open" and "gate.triage" not in _actions(a)


def test_a_late_alert_after_identification_asks_for_reassessment(home):
    a, _, _ = _intake("A")
    steps.run(a, "identification", lambda _i: {})
    _intake("B", related_to="A", data_categories=["ssn"], aware_at="2026-11-21T10:00:00Z")
    assert "correlation.reassessment_needed" in _actions(a)
    assert _get(a).aware_at == datetime(2026, 11, 20, 10, 30, tzinfo=UTC)  # a later clock never moves it


def test_window_setting_is_validated(monkeypatch):
    monkeypatch.setenv("BREACHFLOW_CORRELATION_WINDOW_HOURS", "soon")
    with pytest.raises(InputError, match="BREACHFLOW_CORRELATION_WINDOW_HOURS"):
        correlation.window()
    monkeypatch.setenv("BREACHFLOW_CORRELATION_WINDOW_HOURS", "12")
    assert correlation.window() == timedelta(hours=12)


def test_a_gate_being_applied_is_not_past_triage(home):
    _intake("A")
    b, _, _ = _intake("B")
    with db.session() as s:
        s.add(Step(incident_id=_get("A").id, name="gate:triage", state="running"))
    assert review.problems(b, {"merge": ["A"], "reason": "same wave"}) == []
