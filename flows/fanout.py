"""Where the notification fan-out runs, and a flow that lets more machines help with it.

The send-batch tasks run on threads of the flow run's process by default; with
`BREACHFLOW_DASK_ADDRESS=tcp://scheduler:8786` they run on that Dask cluster through
`prefect-dask` (`local` starts a cluster of local worker processes per flow run). Either way
every batch claims its ledger rows with `FOR UPDATE SKIP LOCKED` on PostgreSQL, so any number
of processes, here or on other hosts, share one incident's deliveries without double sends."""

from __future__ import annotations

import os
from typing import Any

from prefect import flow
from prefect.task_runners import TaskRunner, ThreadPoolTaskRunner

from flows import hooks, limits

DASK_ENV = "BREACHFLOW_DASK_ADDRESS"
DASK_WORKERS_ENV = "BREACHFLOW_DASK_WORKERS"


def task_runner(*, max_workers: int) -> TaskRunner[Any]:
    """The fan-out's task runner, chosen when the flow module is imported."""
    address = os.environ.get(DASK_ENV)
    if not address:
        return ThreadPoolTaskRunner(max_workers=max_workers)
    from prefect_dask.task_runners import DaskTaskRunner

    if address == "local":
        workers = int(os.environ.get(DASK_WORKERS_ENV, "2"))
        return DaskTaskRunner(cluster_kwargs={"n_workers": workers, "threads_per_worker": 1,
                                              "processes": True, "dashboard_address": None})
    return DaskTaskRunner(address=address)


@flow(name="deliver_notices", flow_run_name="deliver-{incident_id}", log_prints=False,
      task_runner=task_runner(max_workers=4), timeout_seconds=limits.FLOW_TIMEOUTS["deliver_notices"],
      on_failure=[hooks.run_failed], on_crashed=[hooks.run_crashed])
def deliver_notices(incident_id: str) -> dict[str, Any]:
    """Help send one incident's notices from another process or host: claims what is due,
    sends it, settles it, and stops when nothing is left open. Safe beside the main run."""
    from flows.delivery import notify

    return notify(incident_id)


if __name__ == "__main__":
    import sys

    from flows import runtime

    runtime.configure()
    runtime.install_redaction()
    print(deliver_notices(sys.argv[1]))  # noqa: T201 - a command-line entry point
