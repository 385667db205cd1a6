"""The kill switch, as a responder meets it (issue 20, point 6): `status` shows it, a closed
incident's switch is refused (exit 2), and `sending cancel` needs a confirmation (`--yes`, or
typed at a terminal; a script without --yes is refused)."""

from __future__ import annotations

import json

import pytest

from tests.incidents.cli_helpers import breachflow, record_demo_incident, user_env


@pytest.fixture
def recorded(home, demo_files, tmp_path):
    return record_demo_incident(demo_files), user_env(tmp_path, BREACHFLOW_HOME=str(home))


def _switch(external_id: str, env: dict[str, str]) -> str:
    return json.loads(breachflow("status", external_id, "--json", env=env).stdout)["incident"]["sending"]


def test_status_shows_the_switch(recorded):
    external_id, env = recorded
    assert "Sending (kill switch): active" in breachflow("status", external_id, env=env).stdout
    assert breachflow("sending", "pause", external_id, env=env).returncode == 0
    assert "Sending (kill switch): paused" in breachflow("status", external_id, env=env).stdout
    assert _switch(external_id, env) == "paused"


def test_cancel_needs_a_confirmation(recorded):
    external_id, env = recorded
    done = breachflow("sending", "cancel", external_id, env=env, stdin="")
    assert done.returncode == 2
    assert "--yes" in done.stderr and "not a terminal" in done.stderr
    assert _switch(external_id, env) == "active"
    done = breachflow("sending", "cancel", external_id, "--yes", env=env)
    assert done.returncode == 0, done.stderr
    assert _switch(external_id, env) == "cancelled"


def test_a_closed_incident_refuses_the_switch(recorded):
    from incidents import db, service

    external_id, env = recorded
    with db.session() as s:
        service.get_incident(session=s, incident_id=external_id).status = "closed"
    db.reset()
    done = breachflow("sending", "pause", external_id, env=env)
    assert done.returncode == 2
    assert "is closed" in done.stderr
    assert _switch(external_id, env) == "active"
