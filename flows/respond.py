"""respond_to_incident: the whole response as one Prefect flow.

The database is the checkpoint and Prefect the conductor: every task takes the incident id,
its stage records a Step, and a re-run (Prefect retry, `breachflow resume`, a new run) skips
what is done. Tasks return counts only; no personal data reaches Prefect."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from prefect import flow, get_run_logger, task
from prefect.cache_policies import NO_CACHE
from prefect.states import Failed

from flows import artifacts, delivery, fanout, filing_gate, hooks, labels, limits, tracks
from flows.gates import gate, triage_gate
from flows.planning import plan_task
from incidents import db, holds, pipeline, steps
from incidents.alerts import paging
from incidents.exceptions import StepFailed
from incidents.records import filing

BATCH_WORKERS = 8  # task slots of the fan-out: the lanes of every channel sending at once
FILING_POLL_SECONDS = 2.0  # the individual track looks for a filing that frees notices


def _stage(name: str, work: Callable[[str], dict[str, Any]]) -> Any:
    @task(name=name, cache_policy=NO_CACHE, retries=1, retry_delay_seconds=2,
          timeout_seconds=limits.TASK_TIMEOUTS[name])
    def run(incident_id: str) -> dict[str, Any]:
        outcome = steps.run(incident_id, name, work)
        get_run_logger().info("%s: %s", name, outcome)
        return outcome

    return run


triage_task = _stage("triage", pipeline.triage_stage)
identification_task = _stage("identification", pipeline.identification_stage)
assessment_task = _stage("assessment", pipeline.assessment_stage)
notices_task = _stage("notices", pipeline.notices_stage)
announcement_task = _stage("announcement", pipeline.announcement_stage)


@task(name="close", cache_policy=NO_CACHE, timeout_seconds=limits.TASK_TIMEOUTS["close"])
def close_task(incident_id: str) -> dict[str, Any]:
    """Close, or report (counts and what to do) why it cannot: people are unaccounted for. The
    flow then ends Failed with that message and the incident stays open."""
    try:
        outcome = steps.run(incident_id, "close", pipeline.close_stage)
    except StepFailed as error:
        if not error.waiting:
            raise
        get_run_logger().warning("%s", error)
        return {"waiting": str(error)}
    # Filings are the regulator track's: close does not wait for them, it names what is
    # still outstanding.
    with db.session() as s:
        left = filing.outstanding(s, incident_id)
    if left:
        get_run_logger().warning("incident %s: reports not yet filed: %s", incident_id,
                                 ", ".join(f"{o['jurisdiction']}/{o['phase']}" for o in left))
    outcome = {**outcome, "reports_outstanding": [
        f"{o['jurisdiction']}/{o['phase']}" for o in left]}
    get_run_logger().info("close: %s", outcome)
    return outcome


def _notification(incident_id: str, regulator: tracks.RegulatorTrack | None = None) -> None:
    """Send the notices. Notices a law-enforcement hold or a "regulator first" law holds back
    do not stop the individual track: what can go goes, and the step runs again on resume.
    A report that must be filed first (New Jersey's State Police) may be filed at the
    regulator track's gate meanwhile: then the notices it held go out in this run."""
    while True:
        try:
            steps.run(incident_id, "notification", delivery.notify)
            return
        except StepFailed as error:
            if not error.waiting:
                raise
            get_run_logger().warning("%s", error)
        if regulator is None or not _filed_meanwhile(incident_id, regulator):
            return


def _filed_meanwhile(incident_id: str, regulator: tracks.RegulatorTrack) -> bool:
    """Wait while the regulator track's first filing gate is open for a report the law puts
    before the individuals; True once every such report is filed."""
    gate_step = filing_gate.step_name("initial")

    def order_waits() -> bool:
        with db.session() as s:
            return any(w.kind == "order" for w in holds.waiting(s, incident_id).values())

    if not order_waits():
        return False  # only law-enforcement holds: nothing to wait for in this run
    while order_waits():
        if steps.state(incident_id, gate_step) == "done" or not regulator.thread.is_alive():
            return False
        time.sleep(FILING_POLL_SECONDS)
    return True


def _moved(incident_id: str) -> None:
    """What the UI shows moves on: tags (severity, jurisdictions) and the time left."""
    labels.label_run(incident_id)
    artifacts.obligations(incident_id)


@flow(name="notice_cards", flow_run_name="notices-{incident_id}", log_prints=False,
      timeout_seconds=limits.FLOW_TIMEOUTS["notice_cards"],
      on_failure=[hooks.run_failed], on_crashed=[hooks.run_crashed])
def notice_cards(incident_id: str) -> list[str]:
    """One card per notice group, on a run of their own: a large incident has hundreds, and the
    Prefect UI lists a run's artifacts a page of fifty at a time in no set order, which would
    bury the obligations table on the incident's run. The notice index and the approval form
    link every card."""
    return artifacts.notices(incident_id)


@flow(name="respond_to_incident", flow_run_name=labels.run_name,
      task_runner=fanout.task_runner(max_workers=BATCH_WORKERS),
      log_prints=False, timeout_seconds=limits.FLOW_TIMEOUTS["respond_to_incident"],
      on_failure=[hooks.run_failed], on_crashed=[hooks.run_crashed])
def respond_to_incident(incident_id: str, auto_approve: bool = False) -> Any:
    """Take one incident from triage to close; safe to run again at any point."""
    triage_task(incident_id)
    labels.label_run(incident_id)
    route = triage_gate(incident_id, auto_approve=auto_approve)
    labels.label_run(incident_id)
    if route == "merged":
        return {"status": "merged"}  # its alerts belong to another incident's run now
    regulator: tracks.RegulatorTrack | None = None
    if route == "breach":
        identification_task(incident_id)
        assessment_task(incident_id)
        paging.page_if_severe(incident_id)  # the number of people may have raised the severity
        _moved(incident_id)
        # Two tracks from here: the regulators' clocks do not wait for the notices to go out,
        # nor for the plan (counts, costs, charts for the responders: the reports do not read it).
        # The individual track lets the initial reports be drafted first (seconds).
        regulator = tracks.RegulatorTrack(incident_id, auto_approve=auto_approve)
        try:
            regulator.drafted()
            plan_task(incident_id)
            notices_task(incident_id)
            notice_cards(incident_id)
            artifacts.documents(incident_id)
            gate(incident_id, "notices", auto_approve=auto_approve)
            _notification(incident_id, regulator)
            _moved(incident_id)
            announcement_task(incident_id)
            tracks.later_reports_task(incident_id)
            artifacts.documents(incident_id)
            _moved(incident_id)
        finally:
            tracks.individual_track_ended(incident_id)
    # Close does not wait for the filings: its outcome lists the reports still outstanding.
    closed = close_task(incident_id)
    artifacts.audit_anchor(incident_id)  # the trail's length at close, outside the database
    if regulator is not None:
        closed = {**closed, "regulator_track": regulator.join()}
    if "waiting" in closed:
        return Failed(message=closed["waiting"])
    return closed
