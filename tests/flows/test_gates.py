"""Without --auto-approve the run pauses at each gate for a Prefect input form; the answers
(who, what) land in the audit trail and bind the approval to the notices' versions."""

from __future__ import annotations

import json
import time

import pytest
from prefect.client.orchestration import get_client
from prefect.client.schemas.filters import FlowRunFilter, FlowRunFilterTags
from prefect.flow_runs import resume_flow_run

from incidents import demo

pytestmark = pytest.mark.prefect


def _paused_run(tag: str, timeout: float = 120) -> str:
    deadline = time.monotonic() + timeout
    with get_client(sync_client=True) as client:
        while time.monotonic() < deadline:
            runs = client.read_flow_runs(flow_run_filter=FlowRunFilter(
                tags=FlowRunFilterTags(all_=[tag])))
            if runs and runs[0].state and runs[0].state.is_paused():
                return str(runs[0].id)
            time.sleep(0.5)
    raise AssertionError(f"flow run {tag} did not pause")


def _wait_unpaused(run_id: str) -> None:
    with get_client(sync_client=True) as client:
        for _ in range(120):
            state = client.read_flow_run(run_id).state
            if state and not state.is_paused():
                return
            time.sleep(0.25)


def test_gates_wait_for_the_form_and_record_the_answers(workspace, tmp_path):
    files = demo.write(tmp_path / "inputs", count=60, seed=9, strangers=0)
    run = workspace.start("run", str(files["incident.json"]), "--affected",
                          str(files["affected.csv"]), "--directory", str(files["directory.csv"]))
    try:
        deadline = time.monotonic() + 60
        while not (workspace.home / "breachflow.db").exists() and time.monotonic() < deadline:
            time.sleep(0.2)
        incident_id = None
        while incident_id is None and time.monotonic() < deadline:
            try:
                incident_id = workspace.query("SELECT id FROM incident")[0][0]
            except Exception:  # the schema is still being created
                time.sleep(0.2)
        name = f"incident:{incident_id}"
        answers = [
            {"decision": "confirm", "severity": "P2", "reason": "customer data", "approver": "alice"},
            {"decision": "approve", "approver": "bob", "comment": "reviewed by counsel"},
            {"decision": "approve", "approver": "carol", "reference": "DPC-2026-0042"},
        ]
        for answer in answers:
            run_id = _paused_run(name)
            resume_flow_run(run_id, run_input=answer)
            _wait_unpaused(run_id)
        _, err = run.communicate(timeout=180)
    finally:
        if run.poll() is None:
            run.kill()
    assert run.returncode == 0, err
    events = {action: (actor, json.loads(detail)) for action, actor, detail in workspace.query(
        "SELECT action, actor, detail FROM auditevent")}
    # A name typed into the form is recorded as such, never as an identity.
    assert events["gate.triage"][0] == "unverified:alice"
    assert events["gate.triage"][1]["approver_claimed"] == "alice"
    assert events["gate.triage"][1]["reason"] == "customer data"
    assert events["gate.notices"][0] == "unverified:bob"
    hashes = {h for (h,) in workspace.query("SELECT content_hash FROM notice")}
    assert set(events["gate.notices"][1]["content_hashes"]) == hashes
    assert {a for (a,) in workspace.query("SELECT approved_by FROM notice")} == {"unverified:bob"}
    assert events["gate.filing"][0] == "unverified:carol"
    references = {r for (r,) in workspace.query("SELECT filing_reference FROM regulatorreport")}
    assert references == {"DPC-2026-0042"}
