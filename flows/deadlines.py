"""The deadline watch: a scheduled flow that alerts responders as open obligations near their
deadlines (incidents/alerts/deadline_watch.py). `breachflow serve` deploys it on an interval."""

from __future__ import annotations

import os
from datetime import timedelta

from prefect import flow, get_run_logger

from incidents.alerts import deadline_watch as alerts_deadline_watch

INTERVAL_ENV = "BREACHFLOW_DEADLINE_WATCH_SECONDS"


def interval() -> timedelta:
    return timedelta(seconds=int(os.environ.get(INTERVAL_ENV, "300")))


@flow(name="deadline_watch", log_prints=False)
def deadline_watch() -> dict[str, int]:
    counts = alerts_deadline_watch.check()
    get_run_logger().info("deadline watch: %s", counts)
    return counts
