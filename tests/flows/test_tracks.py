"""Two tracks after assessment: the regulator reports do not wait for the notices to go out."""

from __future__ import annotations

from datetime import datetime

import pytest

from incidents import demo

pytestmark = pytest.mark.prefect


def _steps(workspace) -> dict[str, tuple[datetime, datetime]]:
    return {name: (datetime.fromisoformat(started), datetime.fromisoformat(finished))
            for name, started, finished in workspace.query(
                "SELECT name, started_at, finished_at FROM step WHERE state = 'done'")}


def test_while_delivery_is_slow_the_initial_reports_are_drafted_and_their_gate_reached(
        workspace, sandbox_process, tmp_path):
    files = demo.write(tmp_path / "inputs", count=200, seed=5, strangers=0)
    # A throttled provider: two e-mails per request, two requests a second.
    workspace.env.update({"BREACHFLOW_EMAIL_BATCH": "2", "BREACHFLOW_RATE_EMAIL": "2"})
    done = workspace.run("run", str(files["incident.json"]), "--affected",
                         str(files["affected.csv"]), "--directory", str(files["directory.csv"]),
                         "--auto-approve")
    assert "Traceback" not in done.stderr, done.stderr
    steps = _steps(workspace)
    _, delivery_ended = steps["notification"]
    # The regulator track drafted its reports and passed its filing gate while notices went out.
    assert steps["reports"][1] < delivery_ended
    assert steps["gate:filing"][1] < delivery_ended
    # The later phases come after delivery, with its counts.
    assert steps["reports:later"][0] >= delivery_ended
    phases = dict(workspace.query(
        "SELECT o.phase, count(*) FROM regulatorreport r JOIN obligation o "
        "ON o.id = r.obligation_id GROUP BY o.phase"))
    assert {"initial", "supplementary"} <= set(phases)
    # One report per obligation, never two.
    assert max(n for (n,) in workspace.query(
        "SELECT count(*) FROM regulatorreport GROUP BY obligation_id")) == 1
