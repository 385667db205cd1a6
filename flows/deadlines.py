"""The deadline watch: a scheduled flow that alerts responders as open obligations near their
deadlines (incidents/alerts/deadline_watch.py). `breachflow serve` deploys it on an interval."""

from __future__ import annotations

import os
from datetime import timedelta

from prefect import flow, get_run_logger

from flows import events, hooks, limits
from incidents.alerts import deadline_watch as alerts_deadline_watch
from incidents.sqltypes import utcnow

INTERVAL_ENV = "BREACHFLOW_DEADLINE_WATCH_SECONDS"


def interval() -> timedelta:
    return timedelta(seconds=int(os.environ.get(INTERVAL_ENV, "300")))


@flow(name="deadline_watch", log_prints=False, timeout_seconds=limits.FLOW_TIMEOUTS["deadline_watch"],
      on_failure=[hooks.run_failed], on_crashed=[hooks.run_crashed])
def deadline_watch() -> dict[str, int]:
    # The event first: an automation may notify where the Apprise alert cannot reach.
    for due in alerts_deadline_watch.due_alerts(now=utcnow()):
        events.emit(events.DEADLINE_NEAR, incident_id=due.incident_id, external_id=due.external_id,
                    payload={"jurisdiction": due.jurisdiction, "audience": due.audience,
                             "deadline": due.deadline.isoformat(), "level": due.level,
                             "citation": due.citation})
    counts = alerts_deadline_watch.check()
    get_run_logger().info("deadline watch: %s", counts)
    return counts
