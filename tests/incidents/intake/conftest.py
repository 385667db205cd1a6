"""A real intake API: uvicorn in its own process, on a free port, with its own SQLite home."""

from __future__ import annotations

import json
import os
import re
import sqlite3
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest

from incidents.intake.signature import HEADER, sign
from tests.flows.conftest import SandboxProcess, sandbox_process  # noqa: F401 - a fixture

SECRET = "whsec-test-0123456789"
TOKEN = "api-token-test-abcdef"
LISTENING = re.compile(r"Uvicorn running on http://127\.0\.0\.1:(\d+)")


def incident_body(external_id: str = "SIEM-2026-4711", **extra: Any) -> dict[str, Any]:
    return {"external_id": external_id, "title": "Credential stuffing against the account service",
            "detected_at": "2026-11-20T08:00:00Z", "aware_at": "2026-11-20T10:30:00Z",
            "data_categories": ["name", "email", "password"], "cause": "external_attack",
            **extra}


@dataclass
class Intake:
    url: str
    home: Path
    env: dict[str, str]
    process: subprocess.Popen[bytes]
    log: Path
    client: httpx.Client = field(init=False)

    def __post_init__(self) -> None:
        self.client = httpx.Client(base_url=self.url, timeout=60)

    def post(self, body: bytes | dict[str, Any], *, secret: str = SECRET,
             timestamp: int | None = None, signature: str | None = None,
             headers: dict[str, str] | None = None) -> httpx.Response:
        raw = body if isinstance(body, bytes) else json.dumps(body).encode()
        sent = {"Content-Type": "application/json",
                HEADER: signature if signature is not None else sign(raw, secret=secret,
                                                                     timestamp=timestamp)}
        return self.client.post("/v1/incidents", content=raw, headers={**sent, **(headers or {})})

    def get(self, incident_id: str, token: str | None = TOKEN) -> httpx.Response:
        headers = {"Authorization": f"Bearer {token}"} if token is not None else {}
        return self.client.get(f"/v1/incidents/{incident_id}", headers=headers)

    def query(self, sql: str) -> list[tuple[Any, ...]]:
        with sqlite3.connect(self.home / "breachflow.db") as connection:
            return connection.execute(sql).fetchall()

    def snapshot(self) -> tuple[list[tuple[Any, ...]], ...]:
        """Everything intake can write, to show a refused request changed nothing."""
        return (self.query("SELECT * FROM incident ORDER BY id"),
                self.query("SELECT * FROM auditevent ORDER BY id"))

    def output(self) -> str:
        return self.log.read_text(errors="replace")


def start_intake(tmp_path: Path, *, extra_env: dict[str, str] | None = None,
                 prefect: bool = False) -> Intake:
    home = tmp_path / "home"
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("BREACHFLOW_", "SENDGRID_", "TWILIO_"))}
    if not prefect:
        env.pop("PREFECT_API_URL", None)
    env.update({"BREACHFLOW_HOME": str(home), "BREACHFLOW_OUT": str(tmp_path / "out"),
                "BREACHFLOW_WEBHOOK_SECRET": SECRET, "BREACHFLOW_API_TOKEN": TOKEN,
                **(extra_env or {})})
    log = tmp_path / "intake.log"
    # Port 0, read back from uvicorn's log: a port picked here and bound later could be taken
    # meanwhile by another test worker's server, which would then answer this test's requests.
    with open(log, "wb") as sink:
        process = subprocess.Popen(
            [sys.executable, "-m", "uvicorn", "--factory", "incidents.intake.app:create_app",
             "--host", "127.0.0.1", "--port", "0", "--log-level", "info"],
            env=env, stdout=sink, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if running := LISTENING.search(log.read_text(errors="replace")):
            break
        if process.poll() is not None:
            raise RuntimeError(f"uvicorn exited:\n{log.read_text()}")
        time.sleep(0.2)
    else:
        process.kill()
        raise RuntimeError("the intake API did not start")
    url = f"http://127.0.0.1:{running.group(1)}"
    with urllib.request.urlopen(f"{url}/healthz", timeout=10):  # noqa: S310
        pass
    return Intake(url, home, env, process, log)


def stop(intake: Intake) -> None:
    intake.client.close()
    intake.process.terminate()
    try:
        intake.process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        intake.process.kill()


@pytest.fixture
def intake(tmp_path: Path) -> Iterator[Intake]:
    """The intake API with no Prefect API configured."""
    running = start_intake(tmp_path)
    yield running
    stop(running)


@pytest.fixture
def make_intake(tmp_path: Path) -> Iterator[Callable[..., Intake]]:
    started: list[Intake] = []

    def make(**kwargs: Any) -> Intake:
        started.append(start_intake(tmp_path, **kwargs))
        return started[-1]

    yield make
    for running in started:
        stop(running)


def forget_deployments() -> None:
    """Delete breachflow's deployments (and with them their scheduled runs) from the session's
    Prefect server, so a later test's runner does not inherit this test's schedules."""
    from prefect.client.orchestration import get_client

    with get_client(sync_client=True) as client:
        for deployment in client.read_deployments():
            if "breachflow" in (deployment.tags or []):
                client.delete_deployment(deployment.id)
