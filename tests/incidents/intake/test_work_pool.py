"""On many machines with a Prefect work pool: `breachflow serve --pool NAME` registers the
deployments in a process work pool, a `prefect worker` (on any host with the package and the
shared database) executes the run a webhook started, and its gate suspends for the form."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
import uuid
from uuid import UUID

import httpx
import pytest
from prefect.client.orchestration import get_client

from incidents.intake.signature import HEADER, sign
from tests.incidents.intake.conftest import SECRET, forget_deployments, incident_body
from tests.incidents.intake.test_serve_command import _env, _serve
from tests.ports import free_port

pytestmark = pytest.mark.prefect


def _prefect(*args: str, env: dict[str, str]) -> None:
    done = subprocess.run([sys.executable, "-m", "prefect", *args], env=env, capture_output=True,
                          text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stdout + done.stderr


def test_a_process_worker_runs_the_webhook_incident_to_its_first_gate(tmp_path, exclusive_deployments):
    pool = f"breachflow-test-{uuid.uuid4().hex[:8]}"
    env = _env(tmp_path, PREFECT_WORKER_QUERY_SECONDS="1")
    _prefect("work-pool", "create", pool, "--type", "process", env=env)
    port = free_port()
    serve = _serve(env, "--pool", pool, "--api-port", str(port))
    worker = subprocess.Popen([sys.executable, "-m", "prefect", "worker", "start", "--pool", pool],
                              env=env, stdout=subprocess.DEVNULL,
                              stderr=open(tmp_path / "worker.log", "wb"))  # noqa: SIM115
    try:
        assert serve.stdout is not None
        output = ""
        while "Ready." not in output and serve.poll() is None:
            output += serve.stdout.readline()
        assert f"registered in work pool {pool!r}" in output, output
        raw = json.dumps(incident_body(f"POOL-{pool}")).encode()
        reply = httpx.post(f"http://127.0.0.1:{port}/v1/incidents", content=raw, timeout=60,
                           headers={HEADER: sign(raw, secret=SECRET)})
        assert reply.status_code == 202, reply.text
        run_id = UUID(reply.json()["flow_run_id"])
        deadline = time.monotonic() + 180
        with get_client(sync_client=True) as client:
            while time.monotonic() < deadline:
                run = client.read_flow_run(run_id)
                if run.state and (run.state.is_paused() or run.state.is_final()):
                    break
                time.sleep(0.5)
            log = (tmp_path / "worker.log").read_text()[-2000:]
            assert run.state and run.state.is_paused(), (run.state, log)
            assert run.work_pool_name == pool
            client.delete_flow_run(run_id)
    finally:
        for process in (worker, serve):
            _stop(process)
        forget_deployments()
        _prefect("work-pool", "delete", pool, env=env)


def _stop(process: subprocess.Popen) -> None:
    """SIGTERM, then SIGKILL after a minute: how long Prefect's worker takes to leave on a
    busy shared test server is not what this test is about."""
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=60)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=10)
