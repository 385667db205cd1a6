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


def _sent(sandbox) -> int:
    return sum(sandbox.get("/sandbox/stats")["counts"].values())


def _unsent(workspace) -> int:
    try:
        return int(workspace.query(
            "SELECT count(*) FROM delivery WHERE state IN ('pending', 'claimed', 'unknown')")[0][0])
    except Exception:  # not created yet
        return 20_000


def _progress(workspace) -> str:
    try:
        steps = workspace.query("SELECT name, state FROM step")
        states = workspace.query("SELECT state, count(*) FROM delivery GROUP BY state")
    except Exception:  # not created yet
        return "no database yet"
    return f"steps {dict(steps)} deliveries {dict(states)}"


def test_twenty_sigkills_lose_nothing_and_send_nothing_twice(workspace, sandbox_process, tmp_path):
    files = demo.write(tmp_path / "inputs", count=25_000, seed=20, strangers=0)
    workspace.env.update({
        "BREACHFLOW_EMAIL_BATCH": "100",
        "TWILIO_ACCOUNT_SID": "AC" + "1" * 32, "TWILIO_AUTH_TOKEN": "sandbox-token",
        "BREACHFLOW_TWILIO_BASE_URL": sandbox_process.url,
        "BREACHFLOW_SMS_FROM": "+15005550006", "BREACHFLOW_VOICE_FROM": "+15005550006",
        "BREACHFLOW_PUSH_URL": f"json://{sandbox_process.url.split('://')[1]}/push/{{token}}",
        # The sandbox has no sender limits; the default voice pace (1 call/s) would only wait.
        "BREACHFLOW_RATE_VOICE": "200", "BREACHFLOW_RATE_SMS": "2000", "BREACHFLOW_RATE_PUSH": "2000",
    })
    run_args = ("run", str(files["incident.json"]), "--affected", str(files["affected.csv"]),
                "--directory", str(files["directory.csv"]), "--auto-approve")
    rng = random.Random(2026)
    began = time.monotonic()
    kills, finished = 0, False
    process = workspace.start(*run_args)
    while kills < KILLS:
        # The first half lands anywhere (start-up, identification, notices, the gates); the
        # second half lands while notices are going out: after a random number of sends.
        deadline = time.monotonic() + (rng.uniform(3.0, 10.0) if kills < KILLS // 2 else 90.0)
        # Spread over what is left to send, so that a faster machine still sees every kill.
        share = max(100, _unsent(workspace) // (KILLS - kills + 1))
        target = _sent(sandbox_process) + rng.randint(50, share)
        while time.monotonic() < deadline and process.poll() is None:
            if kills >= KILLS // 2 and _sent(sandbox_process) >= target:
                break
            time.sleep(0.05)
        if process.poll() is not None:
            assert process.returncode == 0, process.stderr.read() if process.stderr else ""
            finished = True
            break
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=30)
        kills += 1
        print(f"kill {kills} at {time.monotonic() - began:.0f}s:", _progress(workspace))
        incident_id = _incident_id(workspace)
        process = workspace.start("resume", incident_id) if incident_id else workspace.start(*run_args)
    if not finished:
        _, err = process.communicate(timeout=600)
        assert process.returncode == 0, err
    assert kills == KILLS, "the run must have been interrupted twenty times"

    incident_id = _incident_id(workspace)
    final = workspace.run("resume", incident_id)
    assert final.returncode == 0, final.stderr
    people = workspace.query("SELECT count(*) FROM affectedsubject")[0][0]
    assert people >= 20_000

    ledger = dict(workspace.query("SELECT id, state FROM delivery"))
    assert ledger
    assert not {"pending", "claimed", "unknown"} & set(ledger.values()), "a notice was lost"
    messages = sandbox_process.get("/sandbox/messages")
    per_delivery = Counter(m["delivery_id"] for m in messages)
    accepted = {d for d, state in ledger.items() if state in ("accepted", "delivered")}
    counted = dict(workspace.query("SELECT id, unverified_resends FROM delivery"))
    # The ledger and the sandbox agree, except where the provider could not be asked (a push
    # gateway; a call to a number two people share) — and every such row says so.
    disagree = set(per_delivery) ^ accepted
    assert all(counted.get(d, 0) > 0 for d in disagree), "the ledger and the sandbox disagree"
    assert not {d for d in accepted - set(per_delivery) if counted.get(d, 0) == 0}, "a lost notice"
    # The provider is asked before anything is resent. E-mail answers per claim and address:
    # exactly once. A push gateway cannot be asked, and a call to a number two people share
    # cannot be told apart from the other's: such resends may repeat, and each is counted on
    # its delivery (reported as unverified_resends), never silent.
    twice = {m["delivery_id"] for m in messages if per_delivery[m["delivery_id"]] > 1}
    assert not [m for m in messages if m["delivery_id"] in twice and m["channel"] == "email"]
    assert all(counted.get(d, 0) >= per_delivery[d] - 1 for d in twice), "an uncounted repeat"
    print(f"{people} people, {len(ledger)} deliveries, {len(messages)} messages, "
          f"{len(twice)} counted repeats after kills")
