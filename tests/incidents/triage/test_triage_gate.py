"""The triage gate through the Prefect input form, as a responder answers it in the UI: a
breach declared not to be one closes with its rationale; a merge closes the run of the alert
that was folded into another incident; an answer that cannot be applied is asked again."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time

import pytest
from prefect.client.orchestration import get_client
from prefect.client.schemas.filters import (
    ArtifactFilter,
    ArtifactFilterKey,
    FlowRunFilter,
    FlowRunFilterTags,
)
from prefect.flow_runs import resume_flow_run
from sqlmodel import select

from incidents import db, demo, org, payload, service
from incidents.models import AuditEvent, Step
from incidents.triage import correlation
from tests.prefect_forms import prefilled

pytestmark = pytest.mark.prefect


def _env(home):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("BREACHFLOW_", "SENDGRID_", "TWILIO_"))}
    env.update(BREACHFLOW_HOME=str(home), BREACHFLOW_OUT=str(home.parent / "out"),
               PREFECT_API_URL=os.environ["PREFECT_API_URL"])
    return env


def _start(home, files, *extra):
    return subprocess.Popen(
        [sys.executable, "-m", "incidents.cli", "run", str(files["incident.json"]), "--affected",
         str(files["affected.csv"]), "--directory", str(files["directory.csv"]), *extra],
        env=_env(home), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _incident_id(external_id, timeout=90):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with db.session() as s:
                return service.get_incident(session=s, incident_id=external_id).id
        except Exception:  # the run has not opened it yet
            time.sleep(0.3)
    raise AssertionError(f"incident {external_id} was never opened")


def _answer(incident_id, answer, *, after=None, timeout=120):
    """Wait for the run to pause (again, when `after` is the previous pause), then answer."""
    deadline = time.monotonic() + timeout
    with get_client(sync_client=True) as client:
        while time.monotonic() < deadline:
            runs = client.read_flow_runs(flow_run_filter=FlowRunFilter(
                tags=FlowRunFilterTags(all_=[f"incident:{incident_id}"])))
            state = runs[0].state if runs else None
            if state and state.is_paused() and state.id != after:
                resume_flow_run(runs[0].id, run_input=prefilled(
                    runs[0].id, {"decision": "confirm", **answer}))
                return state.id
            time.sleep(0.3)
    raise AssertionError("the run did not pause at the triage gate")


def _audit(incident_id, action):
    with db.session() as s:
        return [(e.actor, e.detail) for e in s.exec(select(AuditEvent).where(
            AuditEvent.incident_id == incident_id, AuditEvent.action == action))]


def _finish(run):
    try:
        out, err = run.communicate(timeout=180)
    finally:
        if run.poll() is None:
            run.kill()
    assert run.returncode == 0, err
    return out


def test_a_responder_closes_a_false_positive_at_the_gate(home, tmp_path):
    files = demo.write(tmp_path / "inputs", count=20, seed=3)
    external_id = json.loads(files["incident.json"].read_text())["external_id"]
    run = _start(home, files)
    incident_id = _incident_id(external_id)
    _answer(incident_id, {"is_breach": False, "reason": "red-team exercise accounts only",
                          "approver": "alice"})
    _finish(run)
    with db.session() as s:
        incident = service.get_incident(session=s, incident_id=incident_id)
        ran = {st.name for st in s.exec(select(Step).where(Step.incident_id == incident_id))}
    # Typed into the form, the name is recorded as unverified (no authenticated responder).
    assert incident.status == "not_a_breach" and incident.decided_by == "unverified:alice"
    assert "identification" not in ran and {"triage", "gate:triage", "close"} <= ran
    [(actor, detail)] = _audit(incident_id, "triage.breach_overridden")
    assert actor == "unverified:alice" and detail["reason"] == "red-team exercise accounts only"
    listed = subprocess.run([sys.executable, "-m", "incidents.cli", "register", "--json"],
                            env=_env(home), capture_output=True, text=True, check=True)
    [entry] = json.loads(listed.stdout)["incidents"]
    assert entry["decision"] == "not a personal-data breach"
    assert entry["why"] == ["red-team exercise accounts only (decided by unverified:alice)"]


def test_a_merge_at_the_gate_ends_the_second_run(home, tmp_path):
    files = demo.write(tmp_path / "inputs", count=20, seed=4)
    data = json.loads(files["incident.json"].read_text())
    with db.session() as s:
        first, _, _ = correlation.intake_alert(
            session=s, payload=payload.parse({**data, "external_id": "EDR-FIRST"}),
            org=org.load(None), actor="siem")
    run = _start(home, files)
    incident_id = _incident_id(data["external_id"])
    # No reason: not applied, and the form comes back saying why.
    paused = _answer(incident_id, {"merge_into": "EDR-FIRST", "approver": "bob"})
    _answer(incident_id, {"merge_into": "EDR-FIRST", "approver": "bob",
                          "reason": "same credential-stuffing wave"}, after=paused)
    out = _finish(run)
    assert "merged" in out
    with db.session() as s:
        second = service.get_incident(session=s, incident_id=incident_id)
        assert (second.status, second.merged_into) == ("merged", first.id)
        linked = [a.external_id for a in correlation.alerts(
            s, service.get_incident(session=s, incident_id=first.id))]
    assert linked == ["EDR-FIRST", data["external_id"]]
    [(actor, detail)] = _audit(incident_id, "gate.triage")
    assert actor == "unverified:bob" and detail["reason"] == "same credential-stuffing wave"
    assert _audit(first.id, "correlation.merged")[0][0] == "unverified:bob"


def test_a_run_shows_the_plan_and_its_timeline_in_one_card(home, tmp_path):
    files = demo.write(tmp_path / "inputs", count=30, seed=5, strangers=0)
    external_id = json.loads(files["incident.json"].read_text())["external_id"]
    _finish(_start(home, files, "--auto-approve"))
    incident_id = _incident_id(external_id)
    with get_client(sync_client=True) as client:
        found = client.read_artifacts(artifact_filter=ArtifactFilter(key=ArtifactFilterKey(
            any_=[f"plan-chart-{incident_id}", f"plan-{incident_id}"])))
    # The chart's content is in the card: no link to a file of the machine that ran it.
    assert [a.key for a in found] == [f"plan-{incident_id}"]
    summary = str(found[0].data)
    assert "Deadlines at risk" in summary and "| email |" in summary
    assert "## Timeline" in summary and "file://" not in summary
    [chart] = (home.parent / "out").rglob("plan-timeline.svg")
    assert chart.stat().st_size > 5_000 and f"`charts/{chart.name}`" in summary
    assert (chart.parent / "plan-timeline.png").stat().st_size > 5_000
    plan = json.loads((chart.parent / "plan.json").read_text())
    assert all(row["deadline"][:16].replace("T", " ") in summary for row in plan["deadlines"])
    directory = files["directory.csv"].read_text().splitlines()[1].split(",")
    assert all(value not in json.dumps(plan) + summary for value in directory[1:3] if value)
