"""A run waiting at a gate says where and how to answer (issue 20, point 2): the UI address
of the waiting run, `status` shows "waiting at gate: triage", Ctrl-C leaves with a message
(no crash), and `resume --auto-approve` passes the gates."""

from __future__ import annotations

import json
import signal
import subprocess
import sys

import pytest

from tests.incidents.cli_helpers import breachflow, run_args, user_env

pytestmark = pytest.mark.prefect


def test_a_waiting_gate_says_where_to_answer_and_ctrl_c_exits_cleanly(tmp_path):
    from incidents import demo

    files = demo.write(tmp_path / "inputs", count=20, seed=3, strangers=0)
    external_id = json.loads(files["incident.json"].read_text())["external_id"]
    env = user_env(tmp_path)
    run = subprocess.Popen(
        [sys.executable, "-m", "incidents.cli", *run_args(files)],
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    said = ""
    try:
        while "--auto-approve" not in said:
            line = run.stderr.readline() if run.stderr else ""
            assert line, f"the run ended without saying where to answer: {said}"
            said += line
        assert "Waiting at gate: triage" in said
        assert "/runs/flow-run/" in said  # the UI page of the waiting run
        status = breachflow("status", external_id, env=env)
        assert "waiting at gate: triage" in status.stdout
        document = json.loads(breachflow("status", external_id, "--json", env=env).stdout)
        assert document["incident"]["waiting_at_gate"] == "triage"
        run.send_signal(signal.SIGINT)
        _, rest = run.communicate(timeout=120)
    finally:
        if run.poll() is None:
            run.kill()
    assert run.returncode == 130
    assert "Traceback" not in rest and "Crash detected" not in rest
    assert f"breachflow resume {external_id}" in rest
    done = breachflow("resume", external_id, "--auto-approve", env=env)
    assert done.returncode in (0, 1), done.stderr  # 1: the close step may wait for people
    document = json.loads(breachflow("status", external_id, "--json", env=env).stdout)
    assert document["incident"]["waiting_at_gate"] is None
    assert {s["name"]: s["state"] for s in document["steps"]}["gate:triage"] == "done"


def test_the_filing_gate_names_the_command_that_records_a_filing(monkeypatch):
    import io
    import threading

    from incidents.cli_gates import GateWatch

    monkeypatch.delenv("PREFECT_API_URL", raising=False)
    watch = GateWatch.__new__(GateWatch)  # no database: only what it says is under test
    watch.incident_id, watch.external_id = "abc", "SIEM-1"
    watch.interactive, watch.out, watch.stopped = True, io.StringIO(), threading.Event()
    monkeypatch.setattr(watch, "_ask", lambda *_: pytest.fail("asked a yes/no for filing"))
    watch._announce("filing", "run-1")
    said = watch.out.getvalue()
    assert "Waiting at gate: filing" in said
    assert "breachflow filed SIEM-1 REPORT --at TIME --reference REF" in said


HANGING_CLEANUP = """
import sys, time
from incidents.cli_gates import leave_on_interrupt
try:
    with leave_on_interrupt("SIEM-1", grace=float(sys.argv[1])):
        print("running", flush=True)
        time.sleep(60)
except KeyboardInterrupt:
    print("cleaning up", flush=True)
    while True:  # as a Prefect API call cut off mid-request can: it never returns
        time.sleep(1)
"""


@pytest.mark.parametrize(("grace", "presses"), [(2.0, 1), (60.0, 2)])
def test_an_interrupted_run_leaves_even_when_its_cleanup_hangs(grace, presses):
    """Every step is checkpointed: after Ctrl-C the command waits `grace` for Prefect to record
    the interruption, and leaves at once at a second Ctrl-C."""
    process = subprocess.Popen([sys.executable, "-c", HANGING_CLEANUP, str(grace)],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert process.stdout is not None and process.stdout.readline() == "running\n"
        process.send_signal(signal.SIGINT)
        assert process.stdout.readline() == "cleaning up\n"
        if presses == 2:
            process.send_signal(signal.SIGINT)
        _, err = process.communicate(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == 130
    assert "`breachflow resume SIEM-1` continues" in err and "Traceback" not in err
