"""Where the data lives (issue 20, point 5): without BREACHFLOW_HOME the database is the user's
(found from any folder), a command about an incident never creates an empty database, and a
miss says which database was looked in."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from tests.incidents.cli_helpers import breachflow, record_demo_incident


def _user_env(tmp_path: Path) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("BREACHFLOW_", "SENDGRID_", "TWILIO_", "XDG_DATA_HOME"))
    }
    return {**env, "HOME": str(tmp_path / "user")}


def test_the_per_user_database_is_found_from_any_folder(tmp_path, monkeypatch, demo_files):
    env = _user_env(tmp_path)
    monkeypatch.delenv("BREACHFLOW_HOME", raising=False)
    monkeypatch.delenv("BREACHFLOW_DATABASE_URL", raising=False)
    monkeypatch.delenv("XDG_DATA_HOME", raising=False)
    monkeypatch.setenv("HOME", env["HOME"])
    first = tmp_path / "first"
    first.mkdir()
    monkeypatch.chdir(first)
    external_id = record_demo_incident(demo_files)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    done = breachflow("status", external_id, "--json", env=env, cwd=elsewhere)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["incident"]["external_id"] == external_id
    assert not (first / ".breachflow").exists() and not (elsewhere / ".breachflow").exists()
    assert (Path(env["HOME"]) / ".local" / "share" / "breachflow" / "breachflow.db").is_file()


@pytest.mark.parametrize(
    "command", [["status", "NOPE-1"], ["audit", "verify", "NOPE-1"], ["export", "NOPE-1"], ["register"]]
)
def test_a_read_command_creates_no_database_and_says_where_it_looked(tmp_path, command):
    env = {**_user_env(tmp_path), "BREACHFLOW_HOME": str(tmp_path / "home")}
    done = breachflow(*command, env=env, cwd=tmp_path)
    assert str(tmp_path / "home" / "breachflow.db") in done.stderr
    assert done.returncode == (0 if command == ["register"] else 2)
    assert not (tmp_path / "home" / "breachflow.db").exists()
    assert not (tmp_path / ".breachflow").exists()


def test_a_miss_in_an_existing_database_names_it(tmp_path, home, capsys):
    from incidents import cli, db

    with db.session():
        pass  # the database exists, without the incident
    assert cli.main(["status", "NOPE-2"]) == 2
    assert f"looked in the database at {home / 'breachflow.db'}" in capsys.readouterr().err
