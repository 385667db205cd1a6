"""A rehearsal is never read as a real notification (issue 20, point 1): without credentials
and without --org, `status`, `register`, the reports and the export say "sandbox" and "example
organisation"; a resume with another provider mode is refused, not silently redirected."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pytest

from tests.incidents.cli_helpers import breachflow, run_args, user_env

pytestmark = pytest.mark.prefect


@pytest.fixture(scope="module")
def rehearsal(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, str], str]:
    from incidents import demo

    folder = tmp_path_factory.mktemp("rehearsal")
    files = demo.write(folder / "inputs", count=30, seed=5, strangers=0)
    env = user_env(folder)
    done = breachflow(*run_args(files, "--auto-approve"), env=env)
    assert done.returncode == 0, done.stderr
    assert "SANDBOX" in done.stderr
    return env, json.loads(files["incident.json"].read_text())["external_id"]


def test_status_says_sandbox_and_example_org(rehearsal):
    env, external_id = rehearsal
    document = json.loads(breachflow("status", external_id, "--json", env=env).stdout)
    assert document["incident"]["sandbox"] is True
    assert document["incident"]["example_org"] is True
    assert document["incident"]["providers"]["mode"] == "sandbox"
    text = breachflow("status", external_id, env=env).stdout
    assert "Providers: SANDBOX" in text and "EXAMPLE organisation" in text


def test_register_marks_the_rehearsal(rehearsal):
    env, external_id = rehearsal
    entries = json.loads(breachflow("register", "--json", env=env).stdout)["incidents"]
    entry = next(e for e in entries if e["external_id"] == external_id)
    assert entry["sandbox"] is True and entry["example_org"] is True
    line = next(
        li for li in breachflow("register", env=env).stdout.splitlines() if li.startswith(external_id)
    )
    assert "[SANDBOX]" in line and "[EXAMPLE ORG]" in line and "nobody was really told" in line


def test_reports_and_export_are_marked(rehearsal, tmp_path):
    env, external_id = rehearsal
    reports = list((Path(env["BREACHFLOW_OUT"]) / external_id / "reports").glob("*.html"))
    assert reports
    assert all("Rehearsal: not for filing" in r.read_text(encoding="utf-8") for r in reports)
    done = breachflow("export", external_id, "--out", str(tmp_path), env=env)
    assert done.returncode == 0, done.stderr
    with zipfile.ZipFile(next(tmp_path.glob("*.zip"))) as pack:
        manifest = json.loads(pack.read("manifest.json"))
    assert manifest["incident"]["sandbox"] is True and manifest["incident"]["example_org"] is True


def test_resume_with_credentials_refuses_to_send_for_real(rehearsal):
    env, external_id = rehearsal
    done = breachflow("resume", external_id, env={**env, "SENDGRID_API_KEY": "SG.x"})
    assert done.returncode == 2
    assert "SANDBOX" in done.stderr and "refusing" in done.stderr
