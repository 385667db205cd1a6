"""The two tracks after assessment, side by side: the regulator track (flows/filing_gate.py) and
the individual track (notices, approval, delivery, announcement) in respond_to_incident.

Delivery can take hours to weeks while a regulator's clock runs in hours, so the regulator
track never waits for the notices: it drafts the initial and preliminary reports right after
assessment and asks its filing gate while notices go out. The individual track starts its plan
and notices once those drafts exist (seconds), not at once: on a small machine both at the same
time slowed the reports by minutes, and the notices do not go out before their approval anyway.
It is its own (sub)flow run in a thread of the same process, so that its gate pauses it alone:
a paused flow run stops every task of its own (Prefect refuses to start them), and the
individual track must keep sending.
The later phases (final, supplementary) carry the delivery's counts and dates: the individual
track drafts them once delivery ended, and the regulator track then asks their filing gate.

Whatever stops the individual track (a declined approval, a failure, a kill) ends the wait of
the regulator track for the later phases; a re-run resumes both from their step records."""

from __future__ import annotations

import contextvars
import threading
import time
from typing import Any

from prefect import flow, get_run_logger, task
from prefect.cache_policies import NO_CACHE

from flows import artifacts, filing_gate, hooks, labels, limits
from incidents import db, pipeline, steps

LATER = "reports:later"
POLL_SECONDS = 1.0
# A subflow run must be created while its parent runs: the caller waits for it to begin before
# its own gate may pause it.
BEGIN_SECONDS = 60.0
# (moment, incident id) -> the event the tracks signal each other with: the individual track
# "ended", the regulator track "begun" and its initial reports "drafted".
_EVENTS: dict[tuple[str, str], threading.Event] = {}
_LOCK = threading.Lock()


def _event(moment: str, incident_id: str) -> threading.Event:
    with _LOCK:
        return _EVENTS.setdefault((moment, incident_id), threading.Event())


def _ended(incident_id: str) -> threading.Event:
    return _event("ended", incident_id)


def _begun(incident_id: str) -> threading.Event:
    return _event("begun", incident_id)


def _drafted(incident_id: str) -> threading.Event:
    return _event("drafted", incident_id)


def individual_track_ended(incident_id: str) -> None:
    _ended(incident_id).set()


@task(name="reports", cache_policy=NO_CACHE, retries=1, retry_delay_seconds=2)
def initial_reports_task(incident_id: str) -> dict[str, Any]:
    """The initial and preliminary reports, drafted right after assessment. On SQLite the
    notices step beside it may hold the only writer for minutes: the reports wait for it (the
    stage skips what it already drafted) rather than fail."""
    outcome = db.waiting_for_writer(
        lambda: steps.run(incident_id, "reports", pipeline.reports_stage),
        what="reports", log=get_run_logger())
    get_run_logger().info("reports: %s", outcome)
    return outcome


@task(name="reports-later", cache_policy=NO_CACHE, retries=1, retry_delay_seconds=2)
def later_reports_task(incident_id: str) -> dict[str, Any]:
    """The final and supplementary reports, drafted once delivery ended (its counts, dates)."""
    outcome = steps.run(incident_id, LATER, pipeline.later_reports_stage)
    get_run_logger().info("reports-later: %s", outcome)
    return outcome


def _later_drafted(incident_id: str) -> bool:
    """Wait until the individual track drafted the later phases, or stopped without them."""
    ended = _ended(incident_id)
    while steps.state(incident_id, LATER) != "done":
        if ended.wait(POLL_SECONDS) and steps.state(incident_id, LATER) != "done":
            return False
    return True


@flow(name="regulator_track", flow_run_name="regulator-{incident_id}", log_prints=False,
      timeout_seconds=limits.FLOW_TIMEOUTS["regulator_track"],
      on_failure=[hooks.run_failed], on_crashed=[hooks.run_crashed])
def regulator_track(incident_id: str, auto_approve: bool = False) -> dict[str, Any]:
    """Draft each initial report, its filing gate, then the later phases' gate. An unanswered
    gate ends the track (the run completes; the reports stay outstanding); a "no" is asked
    again by the gate itself (flows/filing_gate.py)."""
    _begun(incident_id).set()
    # Found in the UI beside the incident's main run: its filing gate pauses this run.
    labels.label_run(incident_id, track=labels.REGULATOR_TRACK)
    try:
        initial_reports_task(incident_id)
    finally:
        _drafted(incident_id).set()  # drafted or failed: the individual track goes on
    artifacts.documents(incident_id)
    first = filing_gate.ask(incident_id, stage="initial", auto_approve=auto_approve)
    if first.get("declined") or first.get("timed_out"):
        get_run_logger().warning("regulator track of incident %s ended at the filing gate: %s",
                                 incident_id, {k: first.get(k) for k in ("declined", "timed_out")})
        return {"initial": first, "ended": "declined" if first.get("declined") else "timed out"}
    if not _later_drafted(incident_id):
        return {"initial": first, "ended": "the individual track stopped before the later phases"}
    later = filing_gate.ask(incident_id, stage="later", auto_approve=auto_approve)
    return {"initial": first, "later": later}


class RegulatorTrack:
    """The regulator track running beside the caller (a flow run) in its own thread."""

    def __init__(self, incident_id: str, *, auto_approve: bool) -> None:
        self.incident_id = incident_id
        self.outcome: dict[str, Any] | None = None
        self.error: BaseException | None = None
        _ended(incident_id).clear()
        _begun(incident_id).clear()
        _drafted(incident_id).clear()
        context = contextvars.copy_context()  # the caller's flow run: this one is its subflow
        self.thread = threading.Thread(target=context.run, args=(self._run, auto_approve),
                                       name=f"regulator-{incident_id}", daemon=True)
        self.started = time.monotonic()
        self.thread.start()
        _begun(incident_id).wait(BEGIN_SECONDS)

    def _run(self, auto_approve: bool) -> None:
        try:
            self.outcome = regulator_track(self.incident_id, auto_approve=auto_approve)
        except BaseException as error:  # handed to the caller in join()
            self.error = error

    def drafted(self) -> None:
        """Wait until the initial reports are drafted (not filed: their gate is the track's
        own). Drafting takes seconds; the plan and the notices after it take minutes of the
        same two cores at a million people, and SQLite's only writer: beside them the reports
        were ready minutes later."""
        while not _drafted(self.incident_id).wait(POLL_SECONDS):
            if not self.thread.is_alive():
                return

    def join(self) -> dict[str, Any]:
        self.thread.join()
        if self.error is not None:
            raise self.error
        return self.outcome or {}
