"""Start an incident's response as a run of the `respond_to_incident` deployment, so that its
gates can suspend for the Prefect input forms. The idempotency key comes from the external_id:
however often a tool retries, Prefect keeps one run per incident."""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass
from datetime import UTC, datetime

import anyio

logger = logging.getLogger("breachflow.intake")

RESPOND = "respond_to_incident/respond"
RESUME = "respond_to_incident/resume"
DEADLINE_WATCH = "deadline_watch/deadline-watch"
LAUNCH_TIMEOUT_SECONDS = 15.0


@dataclass(frozen=True)
class Launch:
    flow_run_id: str | None
    runner: str  # ready | not-ready | unreachable
    message: str


def idempotency_key(external_id: str) -> str:
    return f"breachflow-incident:{external_id}"


async def start_response(*, incident_id: str, external_id: str) -> Launch:
    """Create (or find) the deployment run of this incident; never raises."""
    if not os.environ.get("PREFECT_API_URL"):
        message = ("no Prefect API configured (PREFECT_API_URL): the incident is recorded but "
                   "no flow run was started; run `breachflow serve`, then start deployment "
                   f"{RESUME} with incident_id={incident_id}")
        logger.error("incident %s: %s", incident_id, message)
        return Launch(None, "unreachable", message)
    try:
        with anyio.fail_after(LAUNCH_TIMEOUT_SECONDS):
            return await _create(incident_id=incident_id, external_id=external_id)
    except Exception as error:
        message = (f"the Prefect API could not start deployment {RESPOND} "
                   f"({type(error).__name__}): the incident is recorded; start deployment "
                   f"{RESUME} with incident_id={incident_id} once Prefect is back")
        logger.error("incident %s: %s", incident_id, message)
        return Launch(None, "unreachable", message)


async def _create(*, incident_id: str, external_id: str) -> Launch:
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.objects import DeploymentStatus
    from prefect.states import Scheduled

    async with get_client() as client:
        deployment = await client.read_deployment_by_name(RESPOND)
        run = await client.create_flow_run_from_deployment(
            deployment.id, parameters={"incident_id": incident_id},
            state=Scheduled(scheduled_time=datetime.now(UTC)),
            idempotency_key=idempotency_key(external_id), tags=["intake"])
    if deployment.status == DeploymentStatus.READY:
        return Launch(str(run.id), "ready", "flow run scheduled")
    message = (f"no runner is polling deployment {RESPOND}: flow run {run.id} waits in "
               "Scheduled until `breachflow serve` (or a worker) runs")
    logger.warning("incident %s: %s", incident_id, message)
    return Launch(str(run.id), "not-ready", message)
