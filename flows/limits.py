"""How long each flow and task may run, and how many runs of each deployment at once.

The timeouts catch a hang, not a slow day: each is several times what the stage takes for a
million people, so a run that hits one is stuck (a provider that never answers, a lock never
released) and fails where `breachflow resume` can pick it up. A timed-out task runs again once
(its retry) and continues from its checkpoint. `respond_to_incident` waits at most
gates.WAIT_SECONDS (a week) at each gate in a local run, hence its long bound.

`prefect.yaml` repeats these numbers for `prefect deploy`; tests/flows/test_prefect_conventions.py
keeps the two equal."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from prefect.client.schemas.objects import ConcurrencyLimitConfig

MINUTE, HOUR, DAY = 60, 3600, 86400

FLOW_TIMEOUTS = {
    "respond_to_incident": 8 * DAY,
    # the regulator track waits at its filing gates (a week each, as the incident's run); its
    # tasks run in the track's own thread, where Prefect cannot interrupt a task: this bounds them
    "regulator_track": 15 * DAY,
    "deliver_notices": DAY,
    "notice_cards": HOUR,
    "deadline_watch": 10 * MINUTE,
    "purge_expired": HOUR,
}

TASK_TIMEOUTS = {
    "triage": 10 * MINUTE,
    "identification": 4 * HOUR,
    "assessment": HOUR,
    "plan": 30 * MINUTE,
    "notices": 2 * HOUR,
    "announcement": HOUR,
    "close": 30 * MINUTE,
    "prepare-deliveries": 2 * HOUR,
    "settle-round": HOUR,
}

# Deployment concurrency: (limit, collision strategy). Incident runs queue beyond the limit
# (every incident gets its run, in turn); a second deadline watch or purge while one runs is
# pointless, so it is cancelled.
CONCURRENCY = {
    "respond": (10, "ENQUEUE"),
    "resume": (10, "ENQUEUE"),
    "deliver-notices": (20, "ENQUEUE"),
    "deadline-watch": (1, "CANCEL_NEW"),
    "purge-expired": (1, "CANCEL_NEW"),
}


def concurrency(deployment: str) -> ConcurrencyLimitConfig:
    """The `concurrency_limit` argument of `to_deployment` for one of ours."""
    from prefect.client.schemas.objects import ConcurrencyLimitConfig, ConcurrencyLimitStrategy

    limit, strategy = CONCURRENCY[deployment]
    return ConcurrencyLimitConfig(limit=limit, collision_strategy=ConcurrencyLimitStrategy(strategy))
