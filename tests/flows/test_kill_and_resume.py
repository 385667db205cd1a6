"""A crash never loses a notice and never sends one twice: SIGKILL mid-send, then resume."""

from __future__ import annotations

import json
import signal
import time
from collections import Counter

import pytest

from incidents import demo
from incidents.delivery import ledger as ledger_

pytestmark = pytest.mark.prefect


def _ledger(workspace):
    return dict(workspace.query(
        "SELECT id, state FROM delivery WHERE channel = 'email'"))


def test_sigkill_while_sending_then_resume_sends_each_notice_exactly_once(
        workspace, sandbox_process, tmp_path):
    files = demo.write(tmp_path / "inputs", count=2000, seed=5, strangers=0)
    workspace.env["BREACHFLOW_EMAIL_BATCH"] = "10"
    run = workspace.start("run", str(files["incident.json"]), "--affected",
                          str(files["affected.csv"]), "--directory", str(files["directory.csv"]),
                          "--auto-approve")
    deadline = time.monotonic() + 240
    sent_at_kill = 0
    while time.monotonic() < deadline and run.poll() is None:
        sent_at_kill = sandbox_process.get("/sandbox/stats")["counts"]["email"]
        if sent_at_kill >= 40:
            run.send_signal(signal.SIGKILL)
            break
        time.sleep(0.02)
    run.wait(timeout=30)
    assert run.returncode == -signal.SIGKILL, "the run finished before it could be killed"
    ledger = _ledger(workspace)
    assert 0 < sent_at_kill < len(ledger), "the kill must land while notices are being sent"
    assert set(ledger.values()) - {"accepted"}, "some deliveries must still be open after the kill"

    incident_id = workspace.query("SELECT id FROM incident")[0][0]
    resumed = workspace.run("resume", incident_id)
    assert resumed.returncode == 0, resumed.stderr

    emails = sandbox_process.emails()
    per_delivery = Counter(m["delivery_id"] for m in emails)
    per_address = Counter(m["recipient"] for m in emails)
    ledger = _ledger(workspace)
    assert set(ledger.values()) == {"accepted"}
    assert max(per_delivery.values()) == 1, "a notice was sent twice"
    assert max(per_address.values()) == 1, "a person received the same notice twice"
    assert set(per_delivery) == set(ledger), "the ledger and the sandbox disagree"
    # E-mail goes to those whose every law accepts it (US law: only with E-SIGN consent).
    with_email = sum(1 for codes, consent in workspace.query(
        "SELECT jurisdictions, electronic_consent FROM affectedsubject WHERE email IS NOT NULL")
        if "email" in ledger_.lawful(json.loads(codes), bool(consent)))
    guardians = workspace.query(
        "SELECT count(*) FROM delivery WHERE channel='email' AND recipient_kind='guardian'")[0][0]
    assert len(ledger) == with_email + guardians
    # The regulator track ran beside the sending and was killed with it: every report, of every
    # phase, drafted exactly once.
    per_obligation = workspace.query(
        "SELECT o.id, o.phase, count(r.id) FROM obligation o LEFT JOIN regulatorreport r "
        "ON r.obligation_id = o.id WHERE o.audience = 'regulator' AND (o.required OR "
        "o.needs_review) GROUP BY o.id")
    assert per_obligation and {n for _, _, n in per_obligation} == {1}
    assert {phase for _, phase, _ in per_obligation} >= {"initial", "supplementary"}

    # A second resume of the finished incident changes nothing and sends nothing.
    before = (workspace.query("SELECT * FROM delivery ORDER BY id"),
              workspace.query("SELECT name, state, attempts, finished_at FROM step ORDER BY name"))
    again = workspace.run("resume", incident_id)
    assert again.returncode == 0, again.stderr
    assert len(sandbox_process.emails()) == len(emails)
    after = (workspace.query("SELECT * FROM delivery ORDER BY id"),
             workspace.query("SELECT name, state, attempts, finished_at FROM step ORDER BY name"))
    assert after == before
