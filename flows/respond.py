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
from prefect.futures import wait

from flows import artifacts, fanout
from flows.gates import gate
from incidents import channels, db, ledger, notification, stages, steps
from incidents.sqltypes import utcnow

MAX_ROUNDS = 50
BATCH_WORKERS = 4


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
close_task = _stage("close", stages.close_stage)


@task(name="prepare-deliveries", cache_policy=NO_CACHE, retries=1)
def prepare_deliveries(incident_id: str) -> dict[str, int]:
    created = ledger.plan(incident_id)
    reconciled = notification.reconcile(incident_id, older_than=notification.RECONCILE_AFTER)
    return {"created": created, **{f"reconciled_{k}": v for k, v in reconciled.items()}}


@task(name="send-batch", cache_policy=NO_CACHE, retries=2, retry_delay_seconds=[2, 10],
      task_run_name="send-{channel}")
def send_batch(incident_id: str, channel: str) -> dict[str, int]:
    return notification.send_batch(incident_id, channel)


@task(name="settle-round", cache_policy=NO_CACHE)
def settle_round(incident_id: str) -> dict[str, int]:
    reconciled = notification.reconcile(incident_id)
    moved = ledger.fall_back(incident_id)
    return {**reconciled, "fallback": moved}


def _notify(incident_id: str) -> dict[str, Any]:
    logger = get_run_logger()
    prepare_deliveries(incident_id)
    served = set(channels.active())
    for _ in range(MAX_ROUNDS):
        ledger.fail_unserved(incident_id, served)
        settle_round(incident_id)
        ledger.fail_unserved(incident_id, served)
        open_rows = ledger.open_counts(incident_id)
        if not open_rows:
            break
        futures = [send_batch.submit(incident_id, channel)
                   for channel, n in sorted(open_rows.items())
                   for _ in range(math.ceil(n / channels.active()[channel].batch_size))]
        wait(futures)
        sent = [f.result() for f in futures]
        if not any(sent):
            due = ledger.next_due(incident_id)
            pause = 1.0 if due is None else max(0.5, min(30.0, (due - utcnow()).total_seconds()))
            logger.info("waiting %.1fs for retries and reconciliation", pause)
            time.sleep(pause)
    with db.session() as s:
        counts = ledger.counts(s, incident_id)
    if ledger.open_counts(incident_id):
        raise RuntimeError("deliveries still open after the last round; resume to continue")
    return {f"{channel}_{state}": n for channel, states in counts.items()
            for state, n in states.items()}


@flow(name="respond_to_incident", flow_run_name="incident-{incident_id}",
      task_runner=fanout.task_runner(max_workers=BATCH_WORKERS),
      log_prints=False)
def respond_to_incident(incident_id: str, auto_approve: bool = False) -> dict[str, Any]:
    """Take one incident from triage to close; safe to run again at any point."""
    outcome = triage_task(incident_id)
    if outcome.get("is_breach"):
        gate(incident_id, "triage", auto_approve=auto_approve,
             description=f"Confirm triage of incident {incident_id}: severity {outcome.get('severity')}.")
        identification_task(incident_id)
        assessment_task(incident_id)
        artifacts.obligations(incident_id)
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
    return dict(close_task(incident_id))
