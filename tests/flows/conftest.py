"""Fixtures for tests that run whole `breachflow` processes against a sandbox process."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest


@dataclass
class SandboxProcess:
    url: str
    process: subprocess.Popen[str]

    def get(self, path: str) -> Any:
        with urllib.request.urlopen(f"{self.url}{path}", timeout=10) as reply:  # noqa: S310
            return json.loads(reply.read())

    def emails(self) -> list[dict[str, Any]]:
        return list(self.get("/sandbox/messages?channel=email"))


@pytest.fixture
def sandbox_process() -> Iterator[SandboxProcess]:
    process = subprocess.Popen([sys.executable, "-m", "sandbox", "--port", "0"],
                               stdout=subprocess.PIPE, text=True)
    assert process.stdout is not None
    url = process.stdout.readline().strip()
    assert url.startswith("http://127.0.0.1:")
    yield SandboxProcess(url, process)
    process.send_signal(signal.SIGTERM)
    process.wait(timeout=10)


@dataclass
class Workspace:
    home: Path
    env: dict[str, str]

    def command(self, *args: str) -> list[str]:
        return [sys.executable, "-m", "incidents.cli", *args]

    def run(self, *args: str, timeout: float = 300) -> subprocess.CompletedProcess[str]:
        return subprocess.run(self.command(*args), env=self.env, capture_output=True, text=True,
                              timeout=timeout, check=False)

    def start(self, *args: str) -> subprocess.Popen[str]:
        return subprocess.Popen(self.command(*args), env=self.env, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True)

    def query(self, sql: str) -> list[tuple[Any, ...]]:
        with sqlite3.connect(self.home / "breachflow.db") as connection:
            return connection.execute(sql).fetchall()


@pytest.fixture
def workspace(tmp_path: Path, sandbox_process: SandboxProcess) -> Workspace:
    env = {key: value for key, value in os.environ.items()
           if not key.startswith(("BREACHFLOW_", "SENDGRID_", "TWILIO_"))}
    env.update({
        "BREACHFLOW_HOME": str(tmp_path / "home"), "BREACHFLOW_OUT": str(tmp_path / "out"),
        "SENDGRID_API_KEY": "SG.test-key", "BREACHFLOW_SENDGRID_HOST": sandbox_process.url,
        "BREACHFLOW_EMAIL_FROM": "security@example.com",
        "PREFECT_API_URL": os.environ["PREFECT_API_URL"],
    })
    return Workspace(tmp_path / "home", env)
