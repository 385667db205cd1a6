"""Without --auto-approve the run pauses at each gate for a Prefect input form; the answers
(who, what) land in the audit trail and bind the approval to the notices' versions. A filing
"no" is recorded with its comment and asked again; a filing recorded from the command line
while the form waits stands, and once every report is recorded so the run goes on."""

from __future__ import annotations

import json
import time

import pytest
from prefect.client.orchestration import get_client
from prefect.client.schemas.filters import FlowRunFilter, FlowRunFilterName, FlowRunFilterTags
from prefect.flow_runs import resume_flow_run

from incidents import demo
from incidents.names import safe_name
from tests.prefect_forms import prefilled

pytestmark = pytest.mark.prefect


def _paused_run(tag: str, timeout: float = 120) -> str:
    deadline = time.monotonic() + timeout
    with get_client(sync_client=True) as client:
        while time.monotonic() < deadline:
            runs = client.read_flow_runs(flow_run_filter=FlowRunFilter(
                tags=FlowRunFilterTags(all_=[tag])))
            if runs and runs[0].state and runs[0].state.is_paused():
                return str(runs[0].id)
            time.sleep(0.5)
    raise AssertionError(f"flow run {tag} did not pause")


def _paused_named(name: str, timeout: float = 120) -> str:
    """A paused run by its name: the regulator track's own run."""
    deadline = time.monotonic() + timeout
    with get_client(sync_client=True) as client:
        while time.monotonic() < deadline:
            runs = client.read_flow_runs(flow_run_filter=FlowRunFilter(
                name=FlowRunFilterName(any_=[name])))
            if runs and runs[0].state and runs[0].state.is_paused():
                return str(runs[0].id)
            time.sleep(0.5)
    raise AssertionError(f"flow run {name} did not pause")


def _wait_unpaused(run_id: str) -> None:
    with get_client(sync_client=True) as client:
        for _ in range(120):
            state = client.read_flow_run(run_id).state
            if state and not state.is_paused():
                return
            time.sleep(0.25)


def test_gates_wait_for_the_form_and_record_the_answers(workspace, tmp_path):
    files = demo.write(tmp_path / "inputs", count=60, seed=9, strangers=0)
    run = workspace.start("run", str(files["incident.json"]), "--affected",
                          str(files["affected.csv"]), "--directory", str(files["directory.csv"]))
    try:
        deadline = time.monotonic() + 60
        while not (workspace.home / "breachflow.db").exists() and time.monotonic() < deadline:
            time.sleep(0.2)
        incident_id = None
        while incident_id is None and time.monotonic() < deadline:
            try:
                incident_id = workspace.query("SELECT id FROM incident")[0][0]
            except Exception:  # the schema is still being created
                time.sleep(0.2)
        name = f"incident:{incident_id}"
        for answer in [
            {"decision": "confirm", "severity": "P2", "reason": "customer data", "approver": "alice"},
            {"decision": "approve", "approver": "bob", "comment": "reviewed by counsel"},
        ]:
            run_id = _paused_run(name)
            resume_flow_run(run_id, run_input=prefilled(run_id, answer))
            _wait_unpaused(run_id)
        # The filing gate pauses the regulator track's own run, one line per report.
        reports = [r for (r,) in workspace.query(
            "SELECT r.id FROM regulatorreport r JOIN obligation o ON o.id = r.obligation_id "
            "WHERE o.phase IN ('initial', 'preliminary') ORDER BY r.id")]
        assert len(reports) >= 2
        first, rest = reports[0], reports[1:]
        good = {"report": first, "filed": "yes", "filed_at": "2026-12-06T09:00:00+01:00",
                "reference": "DPC-2026-0042"}
        # A filing time in the future is refused and the form asked again: nothing recorded.
        filing_run = _paused_named(f"regulator-{incident_id}")
        with get_client(sync_client=True) as client:  # found in the UI by the ticket id
            tags = set(client.read_flow_run(filing_run).tags)
        [(ticket,)] = workspace.query("SELECT external_id FROM incident")
        assert {safe_name(ticket), "regulator-track"} <= tags and name not in tags
        resume_flow_run(filing_run, run_input={"approver": "carol", "reports": [
            good, *({"report": r, "filed": "yes", "filed_at": "2099-01-01T00:00:00Z"}
                    for r in rest)]})
        _wait_unpaused(filing_run)
        filing_run = _paused_named(f"regulator-{incident_id}")
        assert workspace.query("SELECT count(*) FROM auditevent WHERE action = 'report.filed'"
                               ) == [(0,)]
        # One filed, the others declined with a comment: the "yes" is recorded, the "no" too,
        # and the gate asks again for the others (paused, its state naming the decline).
        resume_flow_run(filing_run, run_input={
            "approver": "carol", "comment": "the regulator's portal is down", "reports": [
                good, *({"report": r, "filed": "no", "jurisdiction": "XX (filed by phone)"}
                        for r in rest)]})
        _wait_unpaused(filing_run)
        filing_run = _paused_named(f"regulator-{incident_id}")
        with get_client(sync_client=True) as client:
            state = client.read_flow_run(filing_run).state
            assert state is not None and state.state_details.pause_key == "gate-filing-initial-3"
            assert state.message is not None and state.message.startswith(
                "Declined by unverified:carol: “the regulator's portal is down”.")
            schema = json.loads(client.read_flow_run_input(
                filing_run, "paused-gate-filing-initial-3-schema"))
        listed = schema["properties"]["reports"]
        assert [row["report"] for row in listed["default"]] == rest
        assert "Declined by unverified:carol" in listed["description"]
        assert f"breachflow filed {incident_id} REPORT" in listed["description"]
        # One of them recorded from the command line meanwhile: the answer the form then gets
        # for it is set aside, the recorded filing stands.
        cli = workspace.run("filed", incident_id, str(rest[0]), "--at",
                            "2026-12-06T10:00:00Z", "--reference", "CLI-7", "--actor", "dave")
        assert cli.returncode == 0, cli.stderr
        resume_flow_run(filing_run, run_input={"approver": "carol", "reports": [
            {"report": r, "filed": "yes", "filed_at": "2026-12-06T11:00:00Z",
             "reference": "DPC-late"} for r in rest]})
        _wait_unpaused(filing_run)
        # The later phases' gate, once delivery ended: every report recorded from the command
        # line while its form waits, and the run goes on without an answer to the form.
        later = _asked_after(workspace, "gate-filing-later")
        filing_run = _paused_named(f"regulator-{incident_id}")
        for report in later:
            cli = workspace.run("filed", incident_id, str(report), "--at",
                                "2026-12-06T12:00:00Z", "--actor", "erin")
            assert cli.returncode == 0, cli.stderr
        _, err = run.communicate(timeout=180)
    finally:
        if run.poll() is None:
            run.kill()
    assert run.returncode == 0, err
    assert "Traceback" not in err
    events = {action: (actor, json.loads(detail)) for action, actor, detail in workspace.query(
        "SELECT action, actor, detail FROM auditevent")}
    # A name typed into the form is recorded as such, never as an identity.
    assert events["gate.triage"][0] == "unverified:alice"
    assert events["gate.triage"][1]["approver_claimed"] == "alice"
    assert events["gate.triage"][1]["reason"] == "customer data"
    assert events["gate.notices"][0] == "unverified:bob"
    hashes = {h for (h,) in workspace.query("SELECT content_hash FROM notice")}
    assert set(events["gate.notices"][1]["content_hashes"]) == hashes
    assert {a for (a,) in workspace.query("SELECT approved_by FROM notice")} == {"unverified:bob"}
    assert events["gate.filing"][0] == "unverified:carol"
    filed = dict(workspace.query("SELECT id, filing_reference FROM regulatorreport "
                                 "WHERE filed_at IS NOT NULL"))
    assert filed == {first: "DPC-2026-0042", rest[0]: "CLI-7",
                     **dict.fromkeys(rest[1:], "DPC-late"), **dict.fromkeys(later, None)}
    declined = [json.loads(d) for (d,) in workspace.query(
        "SELECT detail FROM auditevent WHERE action = 'report.not_filed'")]
    assert {d["report"] for d in declined} == set(rest)
    assert {d["comment"] for d in declined} == {"the regulator's portal is down"}
    # The form's jurisdiction field is editable: the record takes the report's own.
    own = dict(workspace.query("SELECT id, jurisdiction FROM regulatorreport"))
    assert [d["jurisdiction"] for d in declined] == [own[d["report"]] for d in declined]
    assert not [d for (d,) in workspace.query("SELECT detail FROM auditevent")
                if "filed by phone" in d]
    asked = [json.loads(d)["key"] for (d,) in workspace.query(
        "SELECT detail FROM auditevent WHERE action = 'gate.asked'")]
    assert [k for k in asked if k.startswith("gate-filing")] == [
        "gate-filing-initial", "gate-filing-initial-2", "gate-filing-initial-3",
        "gate-filing-later"]
    later_gate = json.loads(workspace.query(
        "SELECT outcome FROM step WHERE name = 'gate:filing-later'")[0][0])
    assert later_gate["recorded_by_command"] is True and later_gate["filed"] == []
    assert {actor for (actor,) in workspace.query(
        "SELECT actor FROM auditevent WHERE action = 'report.filed'")} >= {"erin"}
    assert workspace.query("SELECT status FROM incident") == [("closed",)]
    # Each wait was announced as a Prefect event on the incident, for automations to act on.
    # (the filing gate is on the regulator track, beside the notices: no order between them)
    # The filing form was asked three times (a future filing time, a decline), then the later.
    waited = _waited_gates(incident_id, count=6)
    assert waited[0] == "triage" and sorted(waited) == ["filing"] * 4 + ["notices", "triage"]


def _asked_after(workspace, key: str, timeout: float = 180) -> list[int]:
    """The later phases' reports once their gate was asked (delivery ended)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        asked = [json.loads(d)["key"] for (d,) in workspace.query(
            "SELECT detail FROM auditevent WHERE action = 'gate.asked'")]
        if key in asked:
            return [r for (r,) in workspace.query(
                "SELECT r.id FROM regulatorreport r JOIN obligation o ON o.id = r.obligation_id "
                "WHERE o.phase NOT IN ('initial', 'preliminary') ORDER BY r.id")]
        time.sleep(0.5)
    raise AssertionError(f"{key} was never asked")


def _waited_gates(incident_id: str, *, count: int) -> list[str]:
    from prefect.events.filters import (
        EventFilter,
        EventNameFilter,
        EventOrder,
        EventResourceFilter,
    )

    deadline = time.monotonic() + 30
    gates: list[str] = []
    while time.monotonic() < deadline and len(gates) < count:
        with get_client(sync_client=True) as client:
            page = client.read_events(filter=EventFilter(
                event=EventNameFilter(name=["breachflow.gate.waiting"]),
                resource=EventResourceFilter(id=[f"breachflow.incident.{incident_id}"]),
                order=EventOrder.ASC), limit=50)
        gates = [event.payload["gate"] for event in page.events]
        time.sleep(0.5)
    return gates
