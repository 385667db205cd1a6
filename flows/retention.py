"""The scheduled retention flow: purge every closed incident past the retention period."""

from __future__ import annotations

from prefect import flow, get_run_logger

from flows import hooks, limits
from incidents.records import retention


@flow(name="purge_expired", log_prints=False, timeout_seconds=limits.FLOW_TIMEOUTS["purge_expired"],
      on_failure=[hooks.run_failed], on_crashed=[hooks.run_crashed])
def purge_expired() -> dict[str, int]:
    purged = 0
    for incident_id in retention.expired():
        retention.purge(incident_id=incident_id, actor="retention-schedule")
        purged += 1
    get_run_logger().info("purged %d incident(s) past the retention period", purged)
    return {"purged": purged}
