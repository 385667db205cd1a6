"""`breachflow serve` in one command: against a running Prefect API (PREFECT_API_URL) it
registers the deployments, runs their executor and the intake API, prints the URLs, and
stops everything on SIGTERM."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import httpx
import pytest
from prefect.client.orchestration import get_client
from prefect.client.schemas.filters import DeploymentFilter, DeploymentFilterId

from tests.incidents.intake.conftest import SECRET, TOKEN, forget_deployments
from tests.ports import free_port

DEPLOYMENTS = {"respond_to_incident/respond", "respond_to_incident/resume",
               "deliver_notices/deliver-notices", "deadline_watch/deadline-watch",
               "purge_expired/purge-expired"}


def _env(tmp_path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("BREACHFLOW_", "SENDGRID_", "TWILIO_"))}
    env.update({"BREACHFLOW_HOME": str(tmp_path / "home"), "BREACHFLOW_OUT": str(tmp_path / "out"),
                "BREACHFLOW_WEBHOOK_SECRET": SECRET, "BREACHFLOW_API_TOKEN": TOKEN, **extra})
    return env


def _serve(env: dict[str, str], *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, "-m", "incidents.cli", "serve", *args], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


@pytest.mark.prefect
def test_serve_starts_the_executor_and_the_intake_api_and_stops_on_sigterm(tmp_path, exclusive_deployments):
    port = free_port()
    serve = _serve(_env(tmp_path, BREACHFLOW_DEADLINE_WATCH_SECONDS="5"), "--api-port", str(port))
    lines: list[str] = []
    try:
        assert serve.stdout is not None
        deadline = time.monotonic() + 180
        while time.monotonic() < deadline:
            line = serve.stdout.readline()
            if not line:
                break
            lines.append(line)
            if line.startswith("Ready."):
                break
        output = "".join(lines)
        assert "Ready." in output, output
        assert f"Prefect API: {os.environ['PREFECT_API_URL']} (already running)" in output
        assert f"Intake API:  http://127.0.0.1:{port}/v1/incidents" in output
        assert "embedded sandbox" in output
        with get_client(sync_client=True) as client:
            names = set()
            for deployment in client.read_deployments():
                names.add(f"{client.read_flow(deployment.flow_id).name}/{deployment.name}")
        assert names >= DEPLOYMENTS
        assert httpx.get(f"http://127.0.0.1:{port}/openapi.json").status_code == 200
        # The scheduled deadline watch runs on its own, executed by the served runner.
        deadline = time.monotonic() + 120
        with get_client(sync_client=True) as client:
            watch = client.read_deployment_by_name("deadline_watch/deadline-watch")
            while time.monotonic() < deadline:
                runs = client.read_flow_runs(deployment_filter=DeploymentFilter(
                    id=DeploymentFilterId(any_=[watch.id])))
                if any(r.state and r.state.is_completed() for r in runs):
                    break
                time.sleep(1)
            else:
                raise AssertionError(f"no deadline watch run completed: {[r.state for r in runs]}")
    finally:
        serve.send_signal(signal.SIGTERM)
        code = serve.wait(timeout=60)
        forget_deployments()
    assert code == 0
    with pytest.raises(httpx.ConnectError):
        httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=2)


def test_executor_only_needs_a_prefect_api(tmp_path):
    env = _env(tmp_path)
    env.pop("PREFECT_API_URL", None)
    done = subprocess.run([sys.executable, "-m", "incidents.cli", "serve", "--executor-only"],
                          env=env, capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 1
    assert "--executor-only needs PREFECT_API_URL" in done.stderr


def test_an_unreachable_prefect_api_is_reported(tmp_path):
    env = _env(tmp_path, PREFECT_API_URL=f"http://127.0.0.1:{free_port()}/api")
    done = subprocess.run([sys.executable, "-m", "incidents.cli", "serve"], env=env,
                          capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 1
    assert "does not answer" in done.stderr
