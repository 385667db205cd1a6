"""Reliability: 20 SIGKILLs at random points across a 20,000-person run, each followed by
`resume`: no notice is lost and none is sent twice, counted at the sandbox and in the ledger."""

from __future__ import annotations

import random
import signal
import time
from collections import Counter

import pytest

from incidents import demo

pytestmark = pytest.mark.prefect

KILLS = 20


def _incident_id(workspace) -> str | None:
    try:
        rows = workspace.query("SELECT id FROM incident")
    except Exception:  # the database or its schema does not exist yet
        return None
    return rows[0][0] if rows else None


def test_twenty_sigkills_lose_nothing_and_send_nothing_twice(workspace, sandbox_process, tmp_path):
    files = demo.write(tmp_path / "inputs", count=25_000, seed=20)
    workspace.env.update({
        "BREACHFLOW_EMAIL_BATCH": "100",
        "TWILIO_ACCOUNT_SID": "AC" + "1" * 32, "TWILIO_AUTH_TOKEN": "sandbox-token",
        "BREACHFLOW_TWILIO_BASE_URL": sandbox_process.url,
        "BREACHFLOW_SMS_FROM": "+15005550006", "BREACHFLOW_VOICE_FROM": "+15005550006",
        "BREACHFLOW_PUSH_URL": f"json://{sandbox_process.url.split('://')[1]}/push/{{token}}",
    })
    run_args = ("run", str(files["incident.json"]), "--affected", str(files["affected.csv"]),
                "--directory", str(files["directory.csv"]), "--auto-approve")
    rng = random.Random(2026)
    kills, finished = 0, False
    process = workspace.start(*run_args)
    while kills < KILLS:
        # Start-up takes a few seconds; the rest of each slice lands somewhere in the run.
        deadline = time.monotonic() + rng.uniform(4.0, 14.0)
        while time.monotonic() < deadline and process.poll() is None:
            time.sleep(0.05)
        if process.poll() is not None:
            assert process.returncode == 0, process.stderr.read() if process.stderr else ""
            finished = True
            break
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=30)
        kills += 1
        incident_id = _incident_id(workspace)
        process = workspace.start("resume", incident_id) if incident_id else workspace.start(*run_args)
    if not finished:
        _, err = process.communicate(timeout=600)
        assert process.returncode == 0, err
    assert kills >= 10, "the run must have been interrupted many times"

    incident_id = _incident_id(workspace)
    final = workspace.run("resume", incident_id)
    assert final.returncode == 0, final.stderr
    people = workspace.query("SELECT count(*) FROM affectedsubject")[0][0]
    assert people >= 20_000

    ledger = dict(workspace.query("SELECT id, state FROM delivery"))
    assert ledger
    assert not {"pending", "claimed", "unknown"} & set(ledger.values()), "a notice was lost"
    received = [m["delivery_id"] for m in sandbox_process.get("/sandbox/messages")]
    per_delivery = Counter(received)
    assert max(per_delivery.values()) == 1, "a notice was sent twice"
    accepted = {d for d, state in ledger.items() if state in ("accepted", "delivered")}
    assert set(per_delivery) == accepted, "the ledger and the sandbox disagree"
    stats = sandbox_process.get("/sandbox/stats")
    assert stats["duplicates_total"] == 0
