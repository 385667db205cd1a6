"""No personal data leaves the database: after a run, the people's e-mail addresses and phone
numbers appear nowhere in Prefect (server database, logs, artifacts including each notice's
card with its text, client storage), in the
output documents or their names, or in the metadata the providers keep."""

from __future__ import annotations

import csv
import os
import sqlite3
from pathlib import Path

import pytest

from incidents import demo

pytestmark = pytest.mark.prefect


def _texts_under(folder: Path) -> list[tuple[str, str]]:
    found = []
    for path in folder.rglob("*"):
        found.append((str(path), path.name))
        if path.is_file() and path.suffix != ".db" and "-wal" not in path.name:
            found.append((str(path), path.read_bytes().decode("utf-8", "replace")))
    return found


def test_contacts_appear_nowhere_outside_the_database(workspace, sandbox_process, tmp_path):
    files = demo.write(tmp_path / "inputs", count=150, seed=3, strangers=0)
    with open(files["directory.csv"], encoding="utf-8") as handle:
        people = list(csv.DictReader(handle))
    secrets = {p[k] for p in people for k in ("email", "phone", "guardian_email") if p[k]}
    assert len(secrets) > 100
    # Credentials come from the environment and must never be logged or stored either.
    credentials = {"SENDGRID_API_KEY": "SG.k3y-that-must-never-leak",
                   "BREACHFLOW_WEBHOOK_SECRET": "whsec-that-must-never-leak",
                   "BREACHFLOW_API_TOKEN": "bearer-that-must-never-leak"}
    workspace.env.update(credentials)
    secrets |= set(credentials.values())

    result = workspace.run("run", str(files["incident.json"]), "--affected",
                           str(files["affected.csv"]), "--directory",
                           str(files["directory.csv"]), "--auto-approve")
    assert result.returncode == 0, result.stderr
    assert sandbox_process.emails(), "the run must really have sent notices"

    server_db = Path(os.environ["BREACHFLOW_TEST_PREFECT_HOME"]) / "prefect.db"
    with sqlite3.connect(server_db) as connection:
        dump = "\n".join(connection.iterdump())
    assert "respond_to_incident" in dump, "the run must be recorded by the Prefect server"
    # The cards the responders read are checked too: each rendered notice's text and the
    # obligations (artifacts, in the server database).
    assert "# Notice: " in dump and "recipients" in dump and "obligations-" in dump
    places = [("prefect server database", dump), ("stdout", result.stdout),
              ("stderr", result.stderr)]
    places += _texts_under(workspace.home / "prefect")
    places += _texts_under(tmp_path / "out")
    places += [("provider metadata", repr((m["delivery_id"], m.get("custom_args"),
                                           m.get("categories"))))
               for m in sandbox_process.emails()]
    leaks = [(where, secret) for where, text in places for secret in secrets if secret in text]
    assert leaks == []
