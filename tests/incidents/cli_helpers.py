"""Running `breachflow` as a user would: a separate process, its own home, no credentials."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path


def user_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    """The test session's environment (its Prefect server) without any breachflow or provider
    settings, with a home and output folder under `tmp_path`."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("BREACHFLOW_", "SENDGRID_", "TWILIO_", "LOB_"))
    }
    env.update({"BREACHFLOW_HOME": str(tmp_path / "home"), "BREACHFLOW_OUT": str(tmp_path / "out"), **extra})
    return env


def breachflow(
    *args: str, env: dict[str, str], cwd: Path | None = None, stdin: str | None = None, timeout: float = 300
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "incidents.cli", *args],
        env=env,
        cwd=cwd,
        input=stdin if stdin is not None else "",
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def run_args(files: dict[str, Path], *extra: str) -> list[str]:
    return [
        "run",
        str(files["incident.json"]),
        "--affected",
        str(files["affected.csv"]),
        "--directory",
        str(files["directory.csv"]),
        *extra,
    ]


def record_demo_incident(demo_files: dict[str, Path]) -> str:
    """The demo incident recorded in this process's database (closed after), as intake would;
    returns its external id."""
    from incidents import db, org, payload, service
    from incidents.models import IncidentCreate

    incident = payload.load(demo_files["incident.json"])
    with db.session() as s:
        service.create_incident(
            session=s,
            actor="test",
            incident_in=IncidentCreate.from_payload(incident, org=org.load(None), actor="test"),
        )
    db.reset()
    return incident.external_id
