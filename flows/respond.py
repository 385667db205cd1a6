"""respond_to_incident: the whole response as one Prefect flow.

The database is the checkpoint and Prefect the conductor: every task takes the incident id,
its stage records a Step, and a re-run (Prefect retry, `breachflow resume`, a new run) skips
what is done. Tasks return counts only; no personal data reaches Prefect."""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from typing import Any

from prefect import flow, get_run_logger, task
from prefect.cache_policies import NO_CACHE
from prefect.futures import as_completed
from prefect.states import Failed

from flows import artifacts, fanout, progress
from flows.gates import gate, triage_gate
from flows.planning import plan_task
from incidents import channels, db, ledger, notification, paging, stages, steps
from incidents.exceptions import BreachflowError, StepFailed
from incidents.sqltypes import utcnow

STALL_SECONDS = 15 * 60  # no row moved for this long: stop and let a resume continue
BATCH_WORKERS = 8  # task slots of the fan-out: the lanes of every channel sending at once
# Batch tasks per channel at a time: while one lane claims, records or (e-mail) builds its
# request, the other's request is with the provider; Twilio and push lanes share one pool.
LANES = {"email": 2, "sms": 2, "voice": 2, "push": 2}


def _stage(name: str, work: Callable[[str], dict[str, Any]]) -> Any:
    @task(name=name, cache_policy=NO_CACHE, retries=1, retry_delay_seconds=2)
    def run(incident_id: str) -> dict[str, Any]:
        outcome = steps.run(incident_id, name, work)
        get_run_logger().info("%s: %s", name, outcome)
        return outcome

    return run


triage_task = _stage("triage", stages.triage_stage)
identification_task = _stage("identification", stages.identification_stage)
assessment_task = _stage("assessment", stages.assessment_stage)
notices_task = _stage("notices", stages.notices_stage)
announcement_task = _stage("announcement", stages.announcement_stage)
reports_task = _stage("reports", stages.reports_stage)


@task(name="close", cache_policy=NO_CACHE)
def close_task(incident_id: str) -> dict[str, Any]:
    """Close, or report (counts and what to do) why it cannot: people are unaccounted for. The
    flow then ends Failed with that message and the incident stays open."""
    try:
        outcome = steps.run(incident_id, "close", stages.close_stage)
    except StepFailed as error:
        if not error.waiting:
            raise
        get_run_logger().warning("%s", error)
        return {"waiting": str(error)}
    get_run_logger().info("close: %s", outcome)
    return outcome


@task(name="prepare-deliveries", cache_policy=NO_CACHE, retries=1)
def prepare_deliveries(incident_id: str) -> dict[str, int]:
    created = ledger.plan(incident_id, served=channels.active())
    reconciled = notification.reconcile(incident_id, older_than=notification.RECONCILE_AFTER)
    return {"created": created, **{f"reconciled_{k}": v for k, v in reconciled.items()}}


@task(name="send-batch", cache_policy=NO_CACHE, retries=2, retry_delay_seconds=[2, 10],
      task_run_name="send-{channel}")
def send_batch(incident_id: str, channel: str) -> dict[str, int]:
    return notification.send_batch(incident_id, channel)


@task(name="settle-round", cache_policy=NO_CACHE)
def settle_round(incident_id: str) -> dict[str, int]:
    reconciled = notification.reconcile(incident_id)
    moved = ledger.fall_back(incident_id, served=channels.active())
    return {**reconciled, "fallback": moved}


def _send_due(incident_id: str, due: dict[str, int], bar: progress.DeliveryProgress) -> list[dict[str, int]]:
    """Send what is due, each channel in its own lanes: at most LANES[channel] batch tasks at a
    time, the next one submitted as soon as one finishes. A slow channel (voice at one call per
    second) never holds the others' slots, and every channel keeps sending."""
    remaining = {c: math.ceil(n / channels.active()[c].batch_size) for c, n in sorted(due.items())}
    in_flight: dict[Any, str] = {}
    sent: list[dict[str, int]] = []

    def top_up() -> None:
        for channel, left in remaining.items():
            lanes = sum(1 for c in in_flight.values() if c == channel)
            for _ in range(min(left, LANES.get(channel, 1) - lanes)):
                in_flight[send_batch.submit(incident_id, channel)] = channel
                remaining[channel] -= 1

    top_up()
    while in_flight:
        future = next(as_completed(list(in_flight)))
        channel = in_flight.pop(future)
        outcome = future.result()
        sent.append(outcome)
        if not outcome:
            remaining[channel] = 0  # nothing was due after all (another worker took it)
        top_up()
        bar.update()
    return sent


def _notify(incident_id: str) -> dict[str, Any]:
    """Send every notice of the incident through the ledger until each row is settled."""
    logger = get_run_logger()
    prepare_deliveries(incident_id)
    served = set(channels.active())
    bar = progress.DeliveryProgress(incident_id)
    stalled_since = time.monotonic()
    while True:
        switch = ledger.sending(incident_id)
        if switch == "paused":
            bar.update(force=True)
            raise BreachflowError("sending is paused for this incident: run `breachflow sending "
                                  "resume` and then `breachflow resume` to continue")
        if switch == "cancelled":
            ledger.set_sending(incident_id, "cancelled")  # rows reconciled back to pending end too
        ledger.fail_unserved(incident_id, served)
        settled = settle_round(incident_id)
        ledger.fail_unserved(incident_id, served)
        open_rows = ledger.open_counts(incident_id)
        halted = {c: reason for c in open_rows if (reason := notification.halted(c))}
        if not open_rows or set(open_rows) <= set(halted):
            break
        due = {c: n for c, n in ledger.due_counts(incident_id).items() if c not in halted}
        sent = _send_due(incident_id, due, bar)
        bar.update(force=True)
        if any(sent) or any(settled.values()):
            stalled_since = time.monotonic()
        elif time.monotonic() - stalled_since > STALL_SECONDS:
            raise RuntimeError("deliveries made no progress for "
                               f"{STALL_SECONDS // 60} minutes; resume to continue")
        else:
            nxt = ledger.next_due(incident_id)
            wait_for = notification.RECONCILE_AFTER.total_seconds() / 2
            if nxt is not None:
                wait_for = min(wait_for, (nxt - utcnow()).total_seconds())
            pause = max(0.5, min(30.0, wait_for))
            logger.info("waiting %.1fs for retries and reconciliation", pause)
            time.sleep(pause)
    bar.update(force=True)
    with db.session() as s:
        counts = ledger.counts(s, incident_id)
    if halted:
        raise BreachflowError("channel(s) halted, their notices wait: " + "; ".join(
            f"{c}: {reason}" for c, reason in sorted(halted.items())))
    outcome: dict[str, Any] = {f"{channel}_{state}": n for channel, states in counts.items()
                               for state, n in states.items()}
    outcome["unverified_resends"] = ledger.unverified_resends(incident_id)
    return outcome


@flow(name="respond_to_incident", flow_run_name="incident-{incident_id}",
      task_runner=fanout.task_runner(max_workers=BATCH_WORKERS),
      log_prints=False)
def respond_to_incident(incident_id: str, auto_approve: bool = False) -> Any:
    """Take one incident from triage to close; safe to run again at any point."""
    triage_task(incident_id)
    route = triage_gate(incident_id, auto_approve=auto_approve)
    if route == "merged":
        return {"status": "merged"}  # its alerts belong to another incident's run now
    if route == "breach":
        identification_task(incident_id)
        assessment_task(incident_id)
        paging.page_if_severe(incident_id)  # the number of people may have raised the severity
        artifacts.obligations(incident_id)
        plan_task(incident_id)
        notices_task(incident_id)
        artifacts.documents(incident_id)
        gate(incident_id, "notices", auto_approve=auto_approve,
             description=f"Approve the notices of incident {incident_id}: samples are in the "
                         "output folder under notices/.")
        steps.run(incident_id, "notification", _notify)
        announcement_task(incident_id)
        reports_task(incident_id)
        artifacts.documents(incident_id)
        gate(incident_id, "filing", auto_approve=auto_approve,
             description=f"Confirm filing of the regulator reports of incident {incident_id}.")
    closed = close_task(incident_id)
    if "waiting" in closed:
        return Failed(message=closed["waiting"])
    return closed
