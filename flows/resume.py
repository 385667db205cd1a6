"""The `respond_to_incident/resume` deployment: continue an incident's response from where it
stopped (a crash, a declined gate, a failed step). Its runs are runs of the incident's flow,
`respond_to_incident`, named `incident-<id>` like the first one, so the UI shows one flow per
incident whichever way it was started. It takes the id or the external_id and the incident's
own auto-approve setting. Its gates suspend for the Prefect input forms like the original run's;
the database checkpoints make everything already done a no-op."""

from __future__ import annotations

from typing import Any

from prefect import flow

from flows import hooks, limits
from flows.fanout import task_runner
from flows.respond import BATCH_WORKERS, respond_to_incident
from incidents import db, service
from incidents.exceptions import NotFound


def _incident_id(given: str) -> str:
    try:
        with db.session() as s:
            return service.get_incident(session=s, incident_id=given).id
    except NotFound:
        return given  # the run fails with the NotFound message; its name says what was asked


def run_name() -> str:
    from prefect.runtime import flow_run

    return f"incident-{_incident_id(str(flow_run.parameters['incident_id']))}"


@flow(name="respond_to_incident", flow_run_name=run_name, log_prints=False,
      task_runner=task_runner(max_workers=BATCH_WORKERS),
      timeout_seconds=limits.FLOW_TIMEOUTS["respond_to_incident"],
      on_failure=[hooks.run_failed], on_crashed=[hooks.run_crashed])
def resume_incident(incident_id: str) -> Any:
    """incident_id: the incident's id or external_id."""
    with db.session() as s:
        incident = service.get_incident(session=s, incident_id=incident_id)
        found, auto = incident.id, incident.settings.auto_approve
    outcome = respond_to_incident.fn(found, auto_approve=auto)
    return outcome if not isinstance(outcome, dict) else dict(outcome)  # a Failed state stays one
