"""The assessment snapshots the rules it applied: changing a rule later never changes a past
incident's obligations, while a new incident gets the new rule."""

from __future__ import annotations

import dataclasses
import json

from incidents import db, org, payload, pipeline, service, steps
from incidents.assessment import impact
from incidents.identification import matching
from incidents.models import IncidentCreate, IncidentSources, RunSettings
from incidents.records import status
from regulators.deadlines import Deadline
from regulators.us_states.california import California


def _assessed(demo_files, external_id: str, out_dir) -> str:
    data = json.loads(demo_files["incident.json"].read_text())
    data["external_id"] = external_id
    with db.session() as s:
        incident_in = IncidentCreate.from_payload(
            payload.parse(data), org=org.load(None), actor="test",
            sources=IncidentSources(affected=str(demo_files["affected.csv"]),
                                    directory=str(demo_files["directory.csv"])),
            settings=RunSettings(out=str(out_dir)))
        incident, _ = service.create_incident(session=s, incident_in=incident_in, actor="test")
        incident_id = incident.id
    steps.run(incident_id, "triage", pipeline.triage_stage)
    steps.run(incident_id, "identification",
              lambda i: matching.identify(i, out_dir=out_dir))
    steps.run(incident_id, "assessment", impact.assess)
    return incident_id


def _california(incident_id: str) -> dict:
    with db.session() as s:
        document = status.assessment_document(s, service.get_incident(session=s, incident_id=incident_id))
    return next(o for o in document["obligations"]
                if o["jurisdiction"] == "US-CA" and o["audience"] == "individuals")


def test_a_later_rule_change_leaves_past_decisions_alone(home, demo_files, tmp_path, monkeypatch):
    past = _assessed(demo_files, "SNAP-1", tmp_path / "o1")
    before = _california(past)
    with db.session() as s:
        snapshot = service.get_incident(session=s, incident_id=past).rules_snapshot
    assert len(snapshot["sha256"]) == 64
    assert "US-CA" in snapshot["rules"]

    changed = tuple(dataclasses.replace(d, deadline=Deadline("calendar_days", 45, "discovery"))
                    if d.audience == "individuals" else d for d in California.duties)
    monkeypatch.setattr(California, "duties", changed)

    # Re-running the flow's assessment for the past incident is a no-op: its step is done.
    assert steps.run(past, "assessment", impact.assess)["skipped"] is True
    assert _california(past) == before

    # A new incident is assessed under the changed rule, with a different snapshot digest.
    fresh = _assessed(demo_files, "SNAP-2", tmp_path / "o2")
    after = _california(fresh)
    assert after["deadline_rule"] != before["deadline_rule"]
    assert "45" in after["deadline_rule"]
    with db.session() as s:
        digest = service.get_incident(session=s, incident_id=fresh).rules_snapshot["sha256"]
    assert digest != snapshot["sha256"]
