"""The `resume` deployment: continue an incident's response from where it stopped (a crash,
a declined gate, a failed step). Its gates suspend for the Prefect input forms like the
original run's; the database checkpoints make everything already done a no-op."""

from __future__ import annotations

from typing import Any

from prefect import flow

from flows.fanout import task_runner
from flows.respond import BATCH_WORKERS, respond_to_incident
from incidents import db, service


@flow(name="resume_incident", flow_run_name="resume-{incident_id}", log_prints=False,
      task_runner=task_runner(max_workers=BATCH_WORKERS))
def resume_incident(incident_id: str) -> dict[str, Any]:
    """incident_id: the incident's id or external_id."""
    with db.session() as s:
        incident = service.get_incident(session=s, incident_id=incident_id)
        found, auto = incident.id, incident.settings.auto_approve
    return dict(respond_to_incident.fn(found, auto_approve=auto))
