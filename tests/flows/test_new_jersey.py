"""New Jersey's State Police before its residents (N.J.S.A. 56:8-163(c)(1)), in the flow: the
other residents' notices go out while New Jersey's wait, and those go out in the same run once
the State Police report's filing is recorded (`breachflow filed`) while its filing gate is open."""

from __future__ import annotations

import csv
import json
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from uuid import UUID

import pytest
from prefect.client.orchestration import get_client
from prefect.client.schemas.filters import FlowRunFilter, FlowRunFilterName, FlowRunFilterTags
from prefect.flow_runs import resume_flow_run

from tests.prefect_forms import prefilled

pytestmark = pytest.mark.prefect

# subject_id, country, region, locale: two New Jersey residents among others.
PEOPLE = [("nj-1", "US", "US-NJ", "en-US"), ("nj-2", "US", "US-NJ", "en-US"),
          ("ny-1", "US", "US-NY", "en-US"), ("de-1", "DE", "", "de-DE"),
          ("gb-1", "GB", "", "en-GB")]
WAIT = 180.0


def _inputs(folder: Path) -> dict[str, Path]:
    folder.mkdir(parents=True, exist_ok=True)
    paths = {name: folder / name for name in ("incident.json", "affected.csv", "directory.csv")}
    with open(paths["directory.csv"], "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["subject_id", "full_name", "email", "country", "region", "locale",
                         "electronic_consent"])
        for subject_id, country, region, locale in PEOPLE:
            writer.writerow([subject_id, f"Person {subject_id}", f"{subject_id}@mail.example",
                             country, region, locale, "true"])
    with open(paths["affected.csv"], "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["subject_id"])
        writer.writerows([subject_id] for subject_id, *_ in PEOPLE)
    aware = datetime.now(UTC).replace(microsecond=0) - timedelta(hours=6)
    paths["incident.json"].write_text(json.dumps({
        "external_id": "NJ-ORDER-1", "title": "Customer database copied",
        "detected_at": aware.isoformat(), "aware_at": aware.isoformat(),
        "data_categories": ["name", "email", "ssn"], "breach_types": ["confidentiality"],
        "cause": "external_attack", "contained": True, "systems": ["customer-db"],
        "measures_taken": "Access revoked."}))
    return paths


def _until(what: str, check, timeout: float = WAIT):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = check()
        if found:
            return found
        time.sleep(0.5)
    raise AssertionError(f"timed out waiting for {what}")


def _paused(flow_filter: FlowRunFilter) -> str | None:
    with get_client(sync_client=True) as client:
        runs = client.read_flow_runs(flow_run_filter=flow_filter)
    return str(runs[0].id) if runs and runs[0].state and runs[0].state.is_paused() else None


def _pause_key(run_id: str) -> str | None:
    with get_client(sync_client=True) as client:
        state = client.read_flow_run(UUID(run_id)).state
    return state.state_details.pause_key if state and state.is_paused() else None


def _answer(flow_filter: FlowRunFilter, answer: dict[str, object]) -> None:
    run_id = _until("a paused run", lambda: _paused(flow_filter))
    resume_flow_run(run_id, run_input=prefilled(run_id, answer))
    _until("the run to go on", lambda: _paused(flow_filter) is None)


def _emailed(sandbox_process) -> dict[str, str]:
    """Recipient -> when the sandbox received their e-mail (each at most once)."""
    emails = sandbox_process.emails()
    recipients = [m["recipient"] for m in emails]
    assert len(recipients) == len(set(recipients)), "a notice was sent twice"
    return {m["recipient"]: m["received_at"] for m in emails}


def test_new_jersey_notices_wait_for_the_state_police_filing_while_the_others_go_out(
        workspace, sandbox_process, tmp_path):
    files = _inputs(tmp_path / "inputs")
    run = workspace.start("run", str(files["incident.json"]), "--affected",
                          str(files["affected.csv"]), "--directory", str(files["directory.csv"]))
    try:
        def opened() -> str | None:
            try:
                rows = workspace.query("SELECT id FROM incident")
            except Exception:  # the schema is still being created
                return None
            return rows[0][0] if rows else None

        incident_id = _until("the incident", opened)
        main = FlowRunFilter(tags=FlowRunFilterTags(all_=[f"incident:{incident_id}"]))
        _answer(main, {"decision": "confirm", "severity": "P2", "reason": "SSNs copied",
                       "approver": "alice"})
        _answer(main, {"decision": "approve", "approver": "bob"})

        # The others are told; New Jersey's notices wait (the notification step says why)
        # while the regulator track's filing gate is open.
        others = {f"{p[0]}@mail.example" for p in PEOPLE if p[2] != "US-NJ"}
        jersey = {f"{p[0]}@mail.example" for p in PEOPLE if p[2] == "US-NJ"}

        def held() -> bool:
            rows = workspace.query("SELECT state, error FROM step WHERE name = 'notification'")
            return bool(rows) and rows[0][0] == "failed" and "notices wait" in (rows[0][1] or "")

        _until("the notification to wait for New Jersey", held)
        assert set(_emailed(sandbox_process)) == others
        assert workspace.query(
            "SELECT DISTINCT d.state FROM delivery d JOIN affectedsubject s ON s.id = d.subject_pk "
            "WHERE s.subject_id LIKE 'nj-%'") == [("pending",)]
        status = json.loads(workspace.run("status", incident_id, "--json").stdout)
        reasons = status["accounting"]["by_jurisdiction"]["US-NJ"]["reasons"]
        assert any("State Police" in r and "56:8-163(c)(1)" in r for r in reasons), reasons
        regulator = FlowRunFilter(name=FlowRunFilterName(any_=[f"regulator-{incident_id}"]))
        assert _until("the filing gate", lambda: _paused(regulator))

        # The State Police report is filed, and recorded from the command line.
        filed_at = datetime.now(UTC).replace(microsecond=0)
        stamp = filed_at.isoformat().replace("+00:00", "Z")
        recorded = workspace.run("filed", incident_id, "US-NJ", "--at", stamp,
                                 "--reference", "NJSP-2026-7")
        assert recorded.returncode == 0, recorded.stderr

        # The same run sends New Jersey's notices now, each once, after the filing.
        sent = _until("New Jersey's notices", lambda: jersey <= set(_emailed(sandbox_process))
                      and _emailed(sandbox_process))
        assert set(sent) == others | jersey
        # (both times are whole seconds, the filing's taken before it was recorded)
        assert min(datetime.fromisoformat(sent[r].replace("Z", "+00:00")) for r in jersey) >= filed_at

        # The filing gate is answered for every report it lists (New Jersey's answer is set
        # aside: the recorded filing stands), then the later phases' gate once delivery ended:
        # the run ends and the incident closes.
        deadline = time.monotonic() + WAIT
        while run.poll() is None and time.monotonic() < deadline:
            waiting = _paused(regulator)
            if waiting is None:
                time.sleep(0.5)
                continue
            key = _pause_key(waiting)
            listed = prefilled(waiting, {})["reports"]
            resume_flow_run(waiting, run_input=prefilled(waiting, {"approver": "carol", "reports": [
                {**row, "filed": "yes", "filed_at": stamp} for row in listed]}))
            _until("the gate to take the answer", lambda w=waiting, k=key: _pause_key(w) != k)
        _, err = run.communicate(timeout=WAIT)
    finally:
        if run.poll() is None:
            run.kill()
    assert run.returncode == 0, err
    assert workspace.query("SELECT status FROM incident") == [("closed",)]
    assert workspace.query("SELECT filing_reference FROM regulatorreport r JOIN obligation o "
                           "ON o.id = r.obligation_id WHERE o.jurisdiction = 'US-NJ' "
                           "AND o.audience = 'regulator'") == [("NJSP-2026-7",)]
