"""The Prefect automations `breachflow serve` creates: tell the responders when a run of an
incident flow is Suspended or Paused (a gate waits for an answer: the triage gate suspends; the
notices gate pauses while the regulator track runs beside it, and the filing gate always pauses
the regulator track's own run), Crashed or Failed.

Each notifies the notification blocks named in BREACHFLOW_ALERT_BLOCKS (incidents/alerts/send.py)
with the run's name, state and link. Automations see what a flow's own hooks cannot: a run
whose process was killed. They are replaced on each start (a changed block list applies) and
none is created without a block. With `prefect deploy` instead of `serve`, create them once
with `python -m flows.automations` against the same Prefect API."""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any
from uuid import UUID

from incidents.alerts import send as alerting

logger = logging.getLogger("breachflow.automations")

FLOWS = ["respond_to_incident", "regulator_track", "deliver_notices", "deadline_watch",
         "purge_expired"]
STATES = {"Suspended": "waits for a responder", "Paused": "waits for a responder",
          "Crashed": "crashed", "Failed": "failed"}
SUBJECT = "breachflow: {{ flow.name }} run {{ flow_run.name }} is {{ flow_run.state.name }}"
BODY = ("The run {{ flow_run.name }} of {{ flow.name }} is {{ flow_run.state.name }}.\n"
        "{{ flow_run.state.message }}\n"
        "Open it: {{ flow_run|ui_url }}\n"
        "A gate waits for an answer in its form; a crashed or failed run continues with "
        "`breachflow resume <incident>`.")


def name(state: str) -> str:
    return f"breachflow: a run {STATES[state]} ({state})"


def specs(block_ids: list[UUID]) -> list[Any]:
    from prefect.automations import AutomationCore, EventTrigger, Posture, SendNotification

    return [AutomationCore(
        name=name(state), enabled=True,
        description=f"Notify the responders when a breachflow run {what} ({state}).",
        trigger=EventTrigger(
            expect={f"prefect.flow-run.{state}"},
            match={"prefect.resource.id": "prefect.flow-run.*"},
            match_related={"prefect.resource.role": "flow", "prefect.resource.name": FLOWS},
            posture=Posture.Reactive, threshold=1, within=timedelta(0)),
        actions=[SendNotification(block_document_id=block, subject=SUBJECT, body=BODY)
                 for block in block_ids],
    ) for state, what in STATES.items()]


def ensure() -> list[str]:
    """Create (or replace) the automations; the names created. Never raises: serving the
    deployments matters more than a notification about them."""
    slugs = alerting.blocks()
    if not slugs:
        logger.info("no %s: no automations created", alerting.BLOCKS_ENV)
        return []
    try:
        from prefect.blocks.core import Block
        from prefect.client.orchestration import get_client

        ids: list[UUID] = []
        for slug in slugs:
            block: Any = Block.load(slug, _sync=True)  # type: ignore[call-arg]
            ids.append(block._block_document_id)
        created = []
        with get_client(sync_client=True) as client:
            # Names before the state was in them: an upgraded server would notify twice.
            earlier = {f"breachflow: a run {what}" for what in STATES.values()}
            wanted = specs(ids)
            for spec_name in [*earlier, *(spec.name for spec in wanted)]:
                for old in client.read_automations_by_name(spec_name):
                    client.delete_automation(old.id)
            for spec in wanted:
                client.create_automation(spec)
                created.append(spec.name)
        return created
    except Exception as error:
        logger.warning("the automations were not created (%s)", type(error).__name__)
        return []


if __name__ == "__main__":
    from flows import runtime

    runtime.configure()
    print("\n".join(ensure()) or f"nothing created: set {alerting.BLOCKS_ENV}")  # noqa: T201
