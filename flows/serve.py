"""Register breachflow's deployments and execute their runs in this process (`prefect.serve`).

    respond_to_incident/respond         started by the intake API, one run per incident
    respond_to_incident/resume          continue an incident from where it stopped
    deliver_notices/deliver-notices     extra hands for one incident's notification
    deadline_watch/deadline-watch       every BREACHFLOW_DEADLINE_WATCH_SECONDS (300)
    purge_expired/purge-expired         daily retention purge

Deployment names are kebab-case and say what a run does; both ways into an incident's response
are deployments of its flow, `respond_to_incident`. `prefect.yaml` declares the same deployments
for `prefect deploy` (tests keep the two equal); the concurrency limits and timeouts are in
flows/limits.py.

Run it on as many hosts as needed (`breachflow serve --executor-only`): every process serving
the same deployments picks up their runs, and the shared PostgreSQL ledger keeps each notice
to one send. Runs execute as subprocesses that inherit this process's environment.
With `--pool NAME` the deployments go to a Prefect work pool and its workers run them."""

from __future__ import annotations

import os
from typing import Any

from flows import limits, runtime

RUN_LIMIT_ENV = "BREACHFLOW_RUN_LIMIT"
PURGE_CRON = "17 3 * * *"
NAMES = ("respond_to_incident/respond", "respond_to_incident/resume",
         "deliver_notices/deliver-notices", "deadline_watch/deadline-watch",
         "purge_expired/purge-expired")


def deployments() -> list[Any]:
    from prefect.types.entrypoint import EntrypointType

    from flows.deadlines import deadline_watch, interval
    from flows.fanout import deliver_notices
    from flows.respond import respond_to_incident
    from flows.resume import resume_incident
    from flows.retention import purge_expired

    # Module paths, not file paths: runs load the installed package from any directory.
    common: dict[str, Any] = {"entrypoint_type": EntrypointType.MODULE_PATH, "tags": ["breachflow"]}
    return [
        respond_to_incident.to_deployment(
            name="respond", description="The whole response to one incident.",
            concurrency_limit=limits.concurrency("respond"), **common),
        resume_incident.to_deployment(
            name="resume", description="Continue an incident from where it stopped.",
            concurrency_limit=limits.concurrency("resume"), **common),
        deliver_notices.to_deployment(
            name="deliver-notices", description="Help send one incident's notices.",
            concurrency_limit=limits.concurrency("deliver-notices"), **common),
        deadline_watch.to_deployment(
            name="deadline-watch", interval=interval(),
            description="Alert responders at 50/75/90 % of each deadline and when overdue.",
            concurrency_limit=limits.concurrency("deadline-watch"), **common),
        purge_expired.to_deployment(
            name="purge-expired", cron=PURGE_CRON,
            description="Remove contact data of closed incidents past retention.",
            concurrency_limit=limits.concurrency("purge-expired"), **common),
    ]


def deploy_to_pool(pool: str) -> None:
    """Register the deployments in a Prefect work pool instead: `prefect worker start --pool
    NAME` on each host executes their runs (a process pool imports the installed package)."""
    from prefect import deploy

    deploy(*deployments(), work_pool_name=pool, build=False, push=False,
           print_next_steps_message=False)


def main(argv: list[str] | None = None) -> None:
    import argparse

    parser = argparse.ArgumentParser(prog="python -m flows.serve", description=__doc__)
    parser.add_argument("--pool", help="register in this work pool and exit (workers execute)")
    args = parser.parse_args(argv)
    # A webhook's run should start within seconds, not the default ten.
    os.environ.setdefault("PREFECT_RUNNER_POLL_FREQUENCY", "2")
    runtime.configure()
    runtime.install_redaction()
    from flows import automations

    automations.ensure()  # notify on Suspended/Crashed/Failed runs (with BREACHFLOW_ALERT_BLOCKS)
    if args.pool:
        deploy_to_pool(args.pool)
        return
    from prefect import serve

    # pause_on_shutdown=False: one host stopping must not pause the deployments for the others.
    serve(*deployments(), pause_on_shutdown=False, print_starting_message=False,
          limit=int(os.environ.get(RUN_LIMIT_ENV, "10")))


if __name__ == "__main__":
    main()
