"""The intake API against the session's Prefect server: a new incident starts one run of the
`respond_to_incident` deployment (idempotency key from the external_id), its gates suspend
for input forms and are resumed through the Prefect API as the UI does, and the run finishes
with every notice sent once."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections import Counter
from typing import Any
from uuid import UUID

import pytest
from prefect.client.orchestration import get_client
from prefect.client.schemas.filters import (
    ArtifactFilter,
    ArtifactFilterKey,
    DeploymentFilter,
    DeploymentFilterId,
)
from prefect.client.schemas.objects import DeploymentStatus
from prefect.exceptions import ObjectNotFound
from prefect.flow_runs import resume_flow_run

from flows import launch
from incidents import demo
from tests.incidents.intake.conftest import forget_deployments, incident_body
from tests.prefect_forms import prefilled

pytestmark = pytest.mark.prefect


def _register_deployments(env: dict[str, str]) -> None:
    code = "from flows.serve import deployments\nfor d in deployments(): d.apply()"
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True,
                          timeout=180, check=False)
    assert done.returncode == 0, done.stderr


def _state(run_id: str) -> str:
    with get_client(sync_client=True) as client:
        state = client.read_flow_run(UUID(run_id)).state
        return state.type.value if state else "NONE"


def _wait_for(run_id: str, wanted: set[str], timeout: float = 240) -> str:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        state = _state(run_id)
        if state in wanted:
            return state
        if state in {"FAILED", "CRASHED", "CANCELLED"} and state not in wanted:
            raise AssertionError(f"flow run {run_id} ended {state}")
        time.sleep(0.3)
    raise AssertionError(f"flow run {run_id} never reached {wanted} (last {_state(run_id)})")


def _asked(intake: Any, key: str, timeout: float = 240) -> str:
    """The flow run a gate last asked in (the audit trail's gate.asked)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        runs = [json.loads(d)["flow_run_id"] for (d,) in intake.query(
            "SELECT detail FROM auditevent WHERE action = 'gate.asked' ORDER BY id")
            if json.loads(d)["key"] == key]
        if runs:
            return str(runs[-1])
        time.sleep(0.5)
    raise AssertionError(f"gate {key} was never asked")


def _wait_ready(name: str, timeout: float = 120) -> None:
    """The runner registers the deployments when it starts, then polls for their runs."""
    deadline = time.monotonic() + timeout
    with get_client(sync_client=True) as client:
        while time.monotonic() < deadline:
            try:
                if client.read_deployment_by_name(name).status == DeploymentStatus.READY:
                    return
            except ObjectNotFound:
                pass
            time.sleep(0.5)
    raise AssertionError(f"no runner polls {name}")


def _delete_run(run_id: str) -> None:
    with get_client(sync_client=True) as client:
        client.delete_flow_run(UUID(run_id))


def test_without_a_runner_the_run_is_created_once_and_the_reply_says_nobody_polls(
        make_intake, exclusive_deployments):
    intake = make_intake(prefect=True)
    _register_deployments(intake.env)
    body = incident_body(f"NORUNNER-{os.getpid()}-{time.time_ns()}")
    first = intake.post(body)
    assert first.status_code == 202, first.text
    run_id = first.json()["flow_run_id"]
    try:
        assert first.json()["runner"] == "not-ready"
        assert "no runner is polling" in first.json()["message"]
        again = intake.post(body)
        assert again.status_code == 200 and again.json()["flow_run_id"] == run_id
        with get_client(sync_client=True) as client:
            run = client.read_flow_run(UUID(run_id))
            assert run.idempotency_key == launch.idempotency_key(body["external_id"])
            # Only the incident id reaches Prefect: no title, no summary, no personal data.
            assert run.parameters == {"incident_id": first.json()["incident_id"]}
            runs = client.read_flow_runs(deployment_filter=DeploymentFilter(
                id=DeploymentFilterId(any_=[run.deployment_id])))
            assert [r.id for r in runs if r.idempotency_key == run.idempotency_key] == [run.id]
    finally:
        _delete_run(run_id)
        forget_deployments()


def test_a_webhook_incident_runs_through_its_gates_resumed_through_the_api(
        make_intake, sandbox_process, tmp_path, exclusive_deployments):
    files = demo.write(tmp_path / "inputs", count=60, seed=9, strangers=0)
    extra = {"BREACHFLOW_AFFECTED": str(files["affected.csv"]),
             "BREACHFLOW_DIRECTORY": str(files["directory.csv"]),
             "SENDGRID_API_KEY": "SG.test-key", "BREACHFLOW_SENDGRID_HOST": sandbox_process.url,
             "BREACHFLOW_EMAIL_FROM": "security@example.com",
             "PREFECT_RUNNER_POLL_FREQUENCY": "1"}
    intake = make_intake(prefect=True, extra_env=extra)
    runner = subprocess.Popen([sys.executable, "-m", "flows.serve"], env=intake.env,
                              stdout=subprocess.DEVNULL, stderr=open(tmp_path / "runner.log", "wb"))  # noqa: SIM115
    try:
        payload = json.loads(files["incident.json"].read_text())
        _wait_ready(launch.RESPOND)
        posted = time.perf_counter()
        reply = intake.post(payload)
        assert reply.status_code == 202 and reply.json()["runner"] == "ready", reply.text
        accepted = time.perf_counter() - posted
        run_id = reply.json()["flow_run_id"]
        assert run_id, reply.json()
        _wait_for(run_id, {"RUNNING", "PAUSED"})
        started = time.perf_counter() - posted
        answers = [
            {"decision": "confirm", "severity": "P2", "reason": "customer data", "approver": "alice"},
            {"decision": "approve", "approver": "bob", "comment": "reviewed by counsel"},
        ]
        for answer in answers:
            _wait_for(run_id, {"PAUSED"})
            resume_flow_run(UUID(run_id), run_input=prefilled(run_id, answer))
            _wait_for(run_id, {"SCHEDULED", "PENDING", "RUNNING", "COMPLETED"})
        # The filing gate pauses the regulator track's own run, where it last asked.
        for stage in ("initial", "later"):
            filing_run = _asked(intake, f"gate-filing-{stage}")
            _wait_for(filing_run, {"PAUSED"})
            reports = [{"report": r, "filed": "yes", "filed_at": "2026-12-06T09:00:00Z",
                        "reference": "DPC-2026-0042"} for r, phase in intake.query(
                "SELECT r.id, o.phase FROM regulatorreport r JOIN obligation o "
                "ON o.id = r.obligation_id WHERE r.filed_at IS NULL")
                if (phase in ("final", "supplementary")) == (stage == "later")]
            resume_flow_run(UUID(filing_run), run_input={"approver": "carol", "reports": reports})
        assert _wait_for(run_id, {"COMPLETED"}, timeout=300) == "COMPLETED"
        print(f"\nintake: 202 after {accepted * 1000:.0f} ms; flow run running "
              f"{started:.1f} s after the POST")

        incident_id = reply.json()["incident_id"]
        events = dict(intake.query("SELECT action, actor FROM auditevent"))
        assert (events["gate.triage"], events["gate.notices"], events["gate.filing"]) == (
            "unverified:alice", "unverified:bob", "unverified:carol")
        status = intake.get(incident_id).json()
        assert status["incident"]["status"] == "closed"
        emails = sandbox_process.emails()
        assert max(Counter(m["delivery_id"] for m in emails).values()) == 1
        accepted_rows = intake.query(
            "SELECT count(*) FROM delivery WHERE channel='email' AND state='accepted'")[0][0]
        assert accepted_rows == len(emails) > 0
        # The cards of the incident, whichever of its runs wrote them first (the regulator
        # track, beside this run, publishes the documents as soon as its reports exist).
        wanted = {f"obligations-{incident_id}", f"documents-{incident_id}"}
        with get_client(sync_client=True) as client:
            found = client.read_artifacts(artifact_filter=ArtifactFilter(
                key=ArtifactFilterKey(any_=sorted(wanted))))
        assert {a.key for a in found} == wanted
        # The same alert again starts nothing new.
        again = intake.post(payload)
        assert again.status_code == 200 and again.json()["flow_run_id"] == run_id
    finally:
        runner.terminate()
        runner.wait(timeout=30)
        forget_deployments()


def test_the_secrets_can_come_from_prefect_secret_blocks(make_intake):
    from prefect.blocks.system import Secret

    from incidents.intake import settings

    Secret(value="block-webhook-secret").save(settings.WEBHOOK_SECRET_BLOCK, overwrite=True)
    Secret(value="block-api-token").save(settings.API_TOKEN_BLOCK, overwrite=True)
    try:
        intake = make_intake(prefect=True, extra_env={"BREACHFLOW_WEBHOOK_SECRET": "",
                                                      "BREACHFLOW_API_TOKEN": ""})
        body = incident_body(f"BLOCK-{time.time_ns()}")
        assert intake.post(body).status_code == 401  # the conftest's secret is not the block's
        accepted = intake.post(body, secret="block-webhook-secret")
        assert accepted.status_code == 202, accepted.text
        if accepted.json()["flow_run_id"]:
            _delete_run(accepted.json()["flow_run_id"])
        assert intake.get(body["external_id"], token="block-api-token").status_code == 200
        assert "block-webhook-secret" not in intake.output()
    finally:
        with get_client(sync_client=True) as client:
            for name in (settings.WEBHOOK_SECRET_BLOCK, settings.API_TOKEN_BLOCK):
                client.delete_block_document(client.read_block_document_by_name(
                    name, block_type_slug="secret").id)
