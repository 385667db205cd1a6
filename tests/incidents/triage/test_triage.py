"""Triage: the breach decision and the severity model with their reasons, the override at the
gate (who and why, in the audit trail, surviving the re-scoring), and the awareness clock."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import select

from incidents import db, org, payload, service
from incidents.assessment import clock, impact, scoring
from incidents.exceptions import InputError
from incidents.identification import matching
from incidents.models import AuditEvent, Incident, IncidentSources, Obligation, RunSettings
from incidents.triage import correlation, review
from incidents.triage import stage as triage_stage

T0 = datetime(2026, 11, 20, 10, 30, tzinfo=UTC)


def _payload(**fields):
    data = {"external_id": "T-1", "title": "Alert", "detected_at": "2026-11-20T08:00:00Z",
            "aware_at": "2026-11-20T10:30:00Z", "data_categories": ["name", "email"],
            "systems": ["accounts-db"], "contained": True, "cause": "insider_error"}
    return payload.parse({**data, **fields})


def _open(**fields):
    with db.session() as s:
        incident, _, _ = correlation.intake_alert(session=s, payload=_payload(**fields),
                                                  org=org.load(None), actor="test")
        return incident.id


def _incident(incident_id):
    with db.session() as s:
        return service.get_incident(session=s, incident_id=incident_id)


def _events(incident_id, action):
    with db.session() as s:
        return [(e.actor, e.detail) for e in s.exec(select(AuditEvent).where(
            AuditEvent.incident_id == incident_id, AuditEvent.action == action))]


def _model(**fields):
    return Incident(id="x", external_id="x", title="x", detected_at=T0, aware_at=T0, determined_at=T0,
                    **{"breach_types": ["confidentiality"], "data_categories": ["email"],
                       "contained": True, **fields})


def test_no_breach_of_security_is_not_a_personal_data_breach():
    is_breach, reasons = scoring.breach_decision(_model(breach_types=[]))
    assert not is_breach
    assert "GDPR Art. 4(12)" in reasons[0] and "Art. 33(5)" in reasons[0]
    is_breach, reasons = scoring.breach_decision(_model(breach_types=["availability"]))
    assert is_breach and any("availability alone" in r for r in reasons)
    result = scoring.assess(_model(breach_types=[], data_categories=["health"]))
    assert (result.is_breach, result.severity) == (False, "P4")


@pytest.mark.parametrize(("categories", "points"), [
    (["email"], 1), (["ssn"], 3), (["password", "email"], 3), (["health"], 4),
    (["financial_account"], 4), (["precise_location"], 4), (["religion"], 4), (["criminal_record"], 4),
])
def test_sensitivity_weighs_special_and_pipl_sensitive_data_most(categories, points):
    factor = scoring.sensitivity(frozenset(categories))
    assert factor.points == points
    assert all(c in factor.reason for c in categories if c != "email" or points == 1)


def test_minors_count_as_sensitive_data():
    assert scoring.sensitivity(frozenset({"email"}), minors=3).points == 4


def test_every_factor_is_shown_and_adds_up():
    incident = _model(data_categories=["health"], contained=False, cause="external_attack")
    result = scoring.assess(incident, subjects=150_000)
    by_name = {f.name: f.points for f in result.factors}
    assert by_name == {"sensitivity": 4, "volume": 3, "encryption": 0, "containment": 2, "cause": 1}
    assert result.score == 10 and result.severity == "P1"
    assert any("150,000 people" in r for r in result.reasons)
    assert result.reasons[-1].startswith("score 10 -> P1")


@pytest.mark.parametrize(("subjects", "points"), [(99, 0), (100, 1), (999, 1), (1_000, 2),
                                                  (99_999, 2), (100_000, 3)])
def test_volume_bands(subjects, points):
    factor = next(f for f in scoring.factors(_model(), subjects=subjects) if f.name == "volume")
    assert factor.points == points


def test_encryption_with_intact_key_lowers_severity_and_a_lost_key_does_not():
    base = {"data_categories": ["ssn"], "contained": False, "cause": "external_attack"}
    assert scoring.assess(_model(**base)).severity == "P2"  # 3 + 2 + 1
    assert scoring.assess(_model(**base, encrypted=True)).severity == "P3"  # 6 - 2
    assert scoring.assess(_model(**base, encrypted=True, key_compromised=True)).severity == "P2"


def test_unconfirmed_containment_counts():
    assert next(f for f in scoring.factors(_model(contained=None)) if f.name == "containment").points == 1


@pytest.mark.parametrize(("score", "severity"), [(7, "P1"), (6, "P2"), (5, "P2"), (4, "P3"),
                                                 (3, "P3"), (2, "P4"), (-1, "P4")])
def test_bands(score, severity):
    assert scoring.band(score) == severity


def test_decide_records_the_factors_in_the_audit_trail(home):
    incident_id = _open(data_categories=["health", "email"], contained=False, cause="external_attack")
    outcome = triage_stage.decide(incident_id, page=False)
    assert outcome["is_breach"] and outcome["severity"] == "P1"
    [(actor, detail)] = _events(incident_id, "triage.decided")
    assert actor == "breachflow"
    assert {f["name"] for f in detail["factors"]} == {"sensitivity", "volume", "encryption",
                                                      "containment", "cause"}
    assert detail["model_severity"] == "P1"


def test_severity_override_needs_a_reason_and_changes_nothing_without_one(home):
    incident_id = _open()
    triage_stage.decide(incident_id, page=False)
    before = len(_events(incident_id, "gate.triage"))
    problems = review.problems(incident_id, {"severity": "P1", "approver": "alice"})
    assert problems == ["severity: overriding the model's severity needs a reason"]
    with pytest.raises(InputError, match="needs a reason"):
        review.confirm(incident_id, {"severity": "P1", "approver": "alice"})
    assert _incident(incident_id).severity_override is None
    assert len(_events(incident_id, "gate.triage")) == before


def test_severity_override_is_audited_and_survives_rescoring(home):
    incident_id = _open()
    triage_stage.decide(incident_id, page=False)
    model = _incident(incident_id).severity
    assert model == "P4"
    outcome = review.confirm(incident_id, {"severity": "P1", "approver": "alice",
                                           "reason": "board-level customer"})
    assert outcome == {"route": "breach", "severity": "P1", "merged": 0}
    [(actor, detail)] = _events(incident_id, "triage.severity_overridden")
    assert actor == "alice"
    assert detail["model"] == "P4" and detail["decided"] == "P1"
    assert detail["reason"] == "board-level customer"
    assert _events(incident_id, "gate.triage")[0][0] == "alice"
    incident = _incident(incident_id)
    # The assessment re-scores with the number of people: the responder's answer stands.
    rescored = scoring.assess(incident, subjects=50)
    assert rescored.severity == "P1" and rescored.model_severity == "P4"
    assert "overridden to P1 by alice: board-level customer (model: P4)" in rescored.reasons[-1]


def test_breach_decision_override_closes_as_not_a_breach(home):
    incident_id = _open()
    triage_stage.decide(incident_id, page=False)
    outcome = review.confirm(incident_id, {"is_breach": False, "approver": "bob",
                                           "reason": "the bucket held synthetic test data"})
    assert outcome["route"] == "not_a_breach"
    assert triage_stage.route(incident_id) == "not_a_breach"
    incident = _incident(incident_id)
    assert (incident.decided_by, incident.decision_reason) == ("bob", "the bucket held synthetic test data")
    [(actor, detail)] = _events(incident_id, "triage.breach_overridden")
    assert actor == "bob" and detail == {"model": True, "decided": False,
                                         "reason": "the bucket held synthetic test data"}


def test_confirming_the_clock_records_who(home):
    incident_id = _open()
    triage_stage.decide(incident_id, page=False)
    assert _incident(incident_id).aware_at_source == "test"
    review.confirm(incident_id, {"approver": "carol", "aware_at": T0})
    assert _incident(incident_id).aware_at_source == "confirmed by carol"
    [(actor, detail)] = _events(incident_id, "clock.confirmed")
    assert actor == "carol" and detail["aware_at"] == "2026-11-20T10:30:00Z"


def test_intake_time_is_the_clock_when_the_tool_gives_none(home):
    incident_id = _open(aware_at=None)
    assert _incident(incident_id).aware_at_source == "test (intake time)"


def test_clock_changes_need_a_reason_and_a_past_time(home):
    incident_id = _open()
    future = datetime.now(UTC) + timedelta(days=1)
    assert review.problems(incident_id, {"aware_at": T0 - timedelta(hours=5)}) == [
        "aware_at: a change of the awareness time needs a reason"]
    assert review.problems(incident_id, {"aware_at": future, "reason": "x"}) == [
        "aware_at: is in the future"]
    with db.session() as s, pytest.raises(InputError, match="future"):
        clock.change(s, service.get_incident(session=s, incident_id=incident_id), aware_at=future,
                     actor="x", reason="typo")


def _assessed(demo_files, tmp_path, *, external_id, aware_at, determined_at):
    data = json.loads(demo_files["incident.json"].read_text())
    data.update(external_id=external_id, aware_at=aware_at, determined_at=determined_at)
    sources = IncidentSources(affected=str(demo_files["affected.csv"]),
                              directory=str(demo_files["directory.csv"]))
    with db.session() as s:
        incident, _, _ = correlation.intake_alert(session=s, payload=payload.parse(data),
                                                  sources=sources, settings=RunSettings(out=str(tmp_path)),
                                                  org=org.load(None), actor="siem")
    triage_stage.decide(incident.id, page=False)
    matching.identify(incident.id, out_dir=tmp_path)
    impact.assess(incident.id)
    return incident.id


def _deadlines(incident_id):
    with db.session() as s:
        return {(o.jurisdiction, o.audience, o.recipient or "", o.citation): o.deadline
                for o in s.exec(select(Obligation).where(Obligation.incident_id == incident_id))}


def test_changing_the_clock_after_assessment_moves_every_deadline(home, demo_files, tmp_path):
    aware = datetime(2026, 11, 20, 10, 30, tzinfo=UTC)
    first = _assessed(demo_files, tmp_path, external_id="CLOCK-1", aware_at="2026-11-20T10:30:00Z",
                      determined_at="2026-11-20T10:30:00Z")
    before = _deadlines(first)
    earlier = aware - timedelta(hours=30)
    with db.session() as s:
        moved = clock.change(s, service.get_incident(session=s, incident_id=first),
                             aware_at=earlier, actor="alice", reason="the SOC saw it on the 19th")
    after = _deadlines(first)
    fixed = {k for k, v in before.items() if v is not None}
    changed = {k for k in fixed if after[k] != before[k]}
    assert changed and moved["deadlines_moved"] == len(changed)
    assert all(after[k] < before[k] for k in changed)
    assert any(k[0] == "EU" for k in changed)  # GDPR Art. 33: 72 hours from awareness
    # Exactly the deadlines a fresh assessment from the earlier clock gives.
    fresh = _assessed(demo_files, tmp_path, external_id="CLOCK-2", aware_at="2026-11-19T04:30:00Z",
                      determined_at="2026-11-19T04:30:00Z")
    assert after == _deadlines(fresh)
    incident = _incident(first)
    assert incident.determined_at == earlier  # it defaulted to awareness, so it follows
    assert incident.aware_at_source == "changed by alice"
    [(actor, detail)] = _events(first, "clock.changed")
    assert actor == "alice" and detail["reason"] == "the SOC saw it on the 19th"
    assert detail["aware_at"] == {"from": "2026-11-20T10:30:00Z", "to": "2026-11-19T04:30:00Z"}
    assert detail["deadlines_moved"] == len(changed)
    snapshot = {(o["jurisdiction"], o["audience"], o.get("recipient") or "", o["citation"]): o["deadline"]
                for o in incident.rules_snapshot["obligations"]}
    assert all(snapshot[k] == after[k].isoformat().replace("+00:00", "Z") for k in fixed)


def test_a_clock_set_at_the_gate_is_what_the_assessment_uses(home, demo_files, tmp_path):
    data = json.loads(demo_files["incident.json"].read_text())
    data.update(external_id="GATE-CLOCK", aware_at="2026-11-20T10:30:00Z",
                determined_at="2026-11-20T10:30:00Z")
    sources = IncidentSources(affected=str(demo_files["affected.csv"]),
                              directory=str(demo_files["directory.csv"]))
    with db.session() as s:
        incident, _, _ = correlation.intake_alert(session=s, payload=payload.parse(data),
                                                  sources=sources, settings=RunSettings(out=str(tmp_path)),
                                                  org=org.load(None), actor="siem")
    triage_stage.decide(incident.id, page=False)
    review.confirm(incident.id, {"approver": "dana", "aware_at": "2026-11-19T04:30:00Z",
                                 "aware_at_reason": "first log entry"})
    matching.identify(incident.id, out_dir=tmp_path)
    impact.assess(incident.id)
    reference = _assessed(demo_files, tmp_path, external_id="REF", aware_at="2026-11-19T04:30:00Z",
                          determined_at="2026-11-19T04:30:00Z")
    assert _deadlines(incident.id) == _deadlines(reference)
    assert _incident(incident.id).aware_at_source == "set by dana at the triage gate"
