"""State hooks of the incident flows: when a run fails or crashes, say so where responders look.

The hook emits `breachflow.run.failed` / `breachflow.run.crashed` (flows/events.py) and alerts the
Apprise URLs of BREACHFLOW_ALERT_URLS with what to do (`breachflow resume`). Notification
blocks are alerted by the automations `breachflow serve` creates (flows/automations.py), which
also see runs whose process died before a hook could run; so each destination hears once.
A hook never raises: Prefect would only log it."""

from __future__ import annotations

import logging
from typing import Any

from flows import events
from incidents.alerts import deadline_watch
from incidents.alerts import send as alerting

logger = logging.getLogger("breachflow.hooks")


def _incident_id(flow_run: Any) -> str | None:
    value = (getattr(flow_run, "parameters", None) or {}).get("incident_id")
    return str(value) if value else None


def _report(kind: str, event: str, flow: Any, flow_run: Any, state: Any) -> None:
    incident_id = _incident_id(flow_run)
    try:
        if incident_id is not None:
            events.emit(event, incident_id=incident_id, payload={
                "flow": flow.name, "flow_run_id": str(flow_run.id), "state": state.type.value})
        urls = deadline_watch.alert_urls()
        if urls:
            what = f"incident {incident_id}" if incident_id else "a breachflow run"
            title = f"breachflow: the {flow.name} run of {what} {kind}"
            body = (f"Flow run {flow_run.name} ({flow_run.id}) {kind}: {state.name}.\n"
                    + (f"Continue it with: breachflow resume {incident_id}" if incident_id else ""))
            error = alerting.to_urls(urls, title, body, what="alert")
            if error:
                logger.warning("the %s alert was not sent: %s", kind, error)
    except Exception as error:
        logger.warning("the %s hook of flow run %s: %s", kind, flow_run.id, type(error).__name__)


def run_failed(flow: Any, flow_run: Any, state: Any) -> None:
    _report("failed", events.RUN_FAILED, flow, flow_run, state)


def run_crashed(flow: Any, flow_run: Any, state: Any) -> None:
    _report("crashed", events.RUN_CRASHED, flow, flow_run, state)
