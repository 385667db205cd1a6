"""1. The Prefect API holds the Secret blocks and answers the gates: `serve` keeps it on
loopback unless told otherwise, refuses to open it to the network without authentication,
works with Prefect's own authentication, and a gate records an authenticated identity."""

from __future__ import annotations

import base64
import hashlib
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from incidents import demo
from tests.incidents.intake.conftest import SECRET, TOKEN, start_intake, stop
from tests.ports import free_port

ANY = "0.0.0.0"  # noqa: S104 - the binds under test


def _env(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("BREACHFLOW_", "SENDGRID_", "TWILIO_", "PREFECT_API_"))}
    env.pop("PREFECT_HOME", None)  # breachflow keeps Prefect's home in its own
    env.update({"BREACHFLOW_HOME": str(tmp_path / "home"), "BREACHFLOW_OUT": str(tmp_path / "out"),
                "BREACHFLOW_WEBHOOK_SECRET": SECRET, "BREACHFLOW_API_TOKEN": TOKEN,
                "PREFECT_UI_ENABLED": "false", "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
                **extra})
    return env


def _serve(env: dict[str, str], *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, "-m", "incidents.cli", "serve", *args], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


def _stop(process: subprocess.Popen[str]) -> str:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
    try:
        output, _ = process.communicate(timeout=90)
    except subprocess.TimeoutExpired:
        process.kill()
        output, _ = process.communicate()
    return output or ""


def _listening(port: int) -> set[str]:
    """The local addresses a TCP socket listens on at `port` (from /proc/net/tcp{,6})."""
    found = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            local, state = line.split()[1], line.split()[3]
            address, _, hex_port = local.partition(":")
            if state == "0A" and int(hex_port, 16) == port:
                found.add(address)
    return found


def test_serve_refuses_an_unauthenticated_prefect_api_beyond_loopback(tmp_path):
    done = subprocess.run([sys.executable, "-m", "incidents.cli", "serve", "--prefect-host",
                           ANY], env=_env(tmp_path), capture_output=True, text=True,
                          timeout=120, check=False)
    assert done.returncode == 2, done.stderr
    assert "PREFECT_SERVER_API_AUTH_STRING" in done.stderr and "--insecure" in done.stderr
    assert "Secret blocks" in done.stderr  # it says why
    assert not (tmp_path / "home" / "breachflow.db").exists()  # nothing was started


def test_the_prefect_server_listens_on_loopback_when_the_intake_api_is_public(tmp_path):
    ui_port, api_port = free_port(), free_port()
    serve = _serve(_env(tmp_path), "--host", ANY, "--ui-port", str(ui_port),
                   "--api-port", str(api_port))
    try:
        deadline = time.monotonic() + 240
        while time.monotonic() < deadline and not _listening(ui_port):
            assert serve.poll() is None, _stop(serve)
            time.sleep(0.5)
        addresses = _listening(ui_port)
    finally:
        output = _stop(serve)
    assert addresses == {"0100007F"}, (addresses, output)  # 127.0.0.1 only


def test_with_prefect_auth_anonymous_callers_get_401_and_serve_still_runs(tmp_path):
    auth = "operator:correct-horse-battery-staple"
    ui_port, api_port = free_port(), free_port()
    env = _env(tmp_path, PREFECT_SERVER_API_AUTH_STRING=auth)
    serve = _serve(env, "--prefect-host", ANY, "--ui-port", str(ui_port),
                   "--api-port", str(api_port))
    lines: list[str] = []
    try:
        assert serve.stdout is not None
        deadline = time.monotonic() + 300
        while time.monotonic() < deadline:
            line = serve.stdout.readline()
            if not line:
                break
            lines.append(line)
            if line.startswith("Ready."):
                break
        output = "".join(lines)
        # Ready means the runner registered the deployments: our own clients signed in.
        assert "Ready." in output, output
        assert "sign-in required" in output
        api = f"http://127.0.0.1:{ui_port}/api"
        anonymous = httpx.post(f"{api}/block_documents/filter", json={"include_secrets": True})
        assert anonymous.status_code == 401
        basic = {"Authorization": "Basic " + base64.b64encode(auth.encode()).decode()}
        signed_in = httpx.post(f"{api}/block_documents/filter", json={}, headers=basic)
        assert signed_in.status_code == 200
        assert httpx.post(f"{api}/deployments/filter", json={}).status_code == 401
    finally:
        _stop(serve)


def _paused(name: str, *, after: set[str], timeout: float = 150) -> str:
    """The flow run tagged `name` once it pauses with a key not in `after`; its id."""
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import FlowRunFilter, FlowRunFilterTags

    deadline = time.monotonic() + timeout
    with get_client(sync_client=True) as client:
        while time.monotonic() < deadline:
            runs = client.read_flow_runs(flow_run_filter=FlowRunFilter(
                tags=FlowRunFilterTags(all_=[name])))
            state = runs[0].state if runs else None
            if state and state.is_paused() and state.state_details.pause_key not in after:
                return str(runs[0].id)
            time.sleep(0.5)
    raise AssertionError(f"flow run {name} did not pause again")


def _pause_key(run_id: str) -> str:
    from prefect.client.orchestration import get_client

    with get_client(sync_client=True) as client:
        state = client.read_flow_run(run_id).state
        assert state is not None
        return str(state.state_details.pause_key)


@pytest.mark.prefect
def test_a_gate_takes_the_authenticated_responder_not_the_free_text(workspace, tmp_path):
    from prefect.flow_runs import resume_flow_run

    from tests.prefect_forms import prefilled

    token = "responder-token-of-alice"
    roster = tmp_path / "responders"  # names and SHA-256 of their tokens
    roster.write_text(f"alice {hashlib.sha256(token.encode()).hexdigest()}\n", encoding="utf-8")
    workspace.env["BREACHFLOW_RESPONDERS"] = str(roster)
    files = demo.write(tmp_path / "inputs", count=30, seed=5)
    run = workspace.start("run", str(files["incident.json"]), "--affected",
                          str(files["affected.csv"]), "--directory", str(files["directory.csv"]))
    intake = None
    try:
        deadline = time.monotonic() + 90
        incident_id = None
        while incident_id is None and time.monotonic() < deadline:
            try:
                incident_id = workspace.query("SELECT id FROM incident")[0][0]
            except Exception:  # the database or its schema is still being created
                time.sleep(0.3)
        name = f"incident:{incident_id}"
        first = _paused(name, after=set())
        # Anyone who reaches the Prefect API can type a name into the form: refused.
        resume_flow_run(first, run_input=prefilled(first, {"decision": "confirm",
                                                           "approver": "CISO"}))
        second = _paused(name, after={"gate-triage"})
        assert _pause_key(second) == "gate-triage-2"

        intake = start_intake(tmp_path, prefect=True, extra_env={
            "BREACHFLOW_HOME": workspace.env["BREACHFLOW_HOME"],
            "BREACHFLOW_OUT": workspace.env["BREACHFLOW_OUT"],
            "BREACHFLOW_RESPONDERS": str(roster)})
        path = f"/v1/incidents/{incident_id}/gates/triage"
        answer = {"confirmed": True, "approver": "Alice Example (CISO)"}
        assert intake.client.post(path, json=answer).status_code == 401
        assert intake.client.post(path, json=answer, headers={
            "Authorization": "Bearer someone-else"}).status_code == 401
        given = intake.client.post(path, json=answer, headers={"Authorization": f"Bearer {token}"})
        assert given.status_code == 202, given.text
        assert given.json()["identity"] == "alice"
        _paused(name, after={"gate-triage", "gate-triage-2"})  # now at the notices gate
    finally:
        if intake is not None:
            stop(intake)
        run.kill()
        run.communicate(timeout=60)
    events = [(action, actor, json.loads(detail)) for action, actor, detail in workspace.query(
        "SELECT action, actor, detail FROM auditevent ORDER BY id")]
    refused = [d for a, _, d in events if a == "gate.refused"]
    assert [d["approver_claimed"] for d in refused] == ["CISO"]
    [(actor, detail)] = [(actor, d) for a, actor, d in events if a == "gate.triage"]
    assert actor == "alice"
    assert detail["approver_claimed"] == "Alice Example (CISO)"
    assert detail["authenticated_by"] == "responder-token"
    anchors = (Path(workspace.env["BREACHFLOW_OUT"]).glob("*/audit-anchors.jsonl"))
    assert [json.loads(line)["events"] for path in anchors
            for line in path.read_text().splitlines()]  # the gate anchored the trail
