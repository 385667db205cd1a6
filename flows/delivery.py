"""The notification stage as Prefect conducts it: the delivery rounds (incidents/delivery/rounds.py)
with every batch a task, each channel in its own lanes, and a progress bar in the UI. Used by
`respond_to_incident` and by `deliver_notices` (flows/fanout.py) alike."""

from __future__ import annotations

import math
import time
from typing import Any

from prefect import get_run_logger, task
from prefect.cache_policies import NO_CACHE
from prefect.futures import as_completed

from flows import events, limits, progress
from incidents import channels, db
from incidents.delivery import ledger, rounds, send
from incidents.exceptions import BreachflowError

# Batch tasks per channel at a time: while one lane claims, records or (e-mail) builds its
# request, the other's request is with the provider; Twilio and push lanes share one pool.
LANES = {"email": 2, "sms": 2, "voice": 2, "push": 2, "letter": 2}


@task(name="prepare-deliveries", cache_policy=NO_CACHE, retries=1,
      timeout_seconds=limits.TASK_TIMEOUTS["prepare-deliveries"])
def prepare_deliveries(incident_id: str) -> dict[str, int]:
    return rounds.prepare(incident_id)


# No timeout: batches run in the task runner's threads, where Prefect cannot interrupt a task
# (it would only warn, once per batch); the flow's timeout and the ledger's stall check bound them.
@task(name="send-batch", cache_policy=NO_CACHE, retries=2, retry_delay_seconds=[2, 10],
      task_run_name="send-{channel}")
def send_batch(incident_id: str, channel: str) -> dict[str, int]:
    return send.send_batch(incident_id, channel)


@task(name="settle-round", cache_policy=NO_CACHE, timeout_seconds=limits.TASK_TIMEOUTS["settle-round"])
def settle_round(incident_id: str) -> dict[str, int]:
    return rounds.settle(incident_id)


def _send_due(incident_id: str, due: dict[str, int], bar: progress.DeliveryProgress) -> list[dict[str, int]]:
    """Send what is due, each channel in its own lanes: at most LANES[channel] batch tasks at a
    time, the next one submitted as soon as one finishes. A slow channel (voice at one call per
    second) never holds the others' slots, and every channel keeps sending."""
    remaining = {c: math.ceil(n / channels.active()[c].batch_size) for c, n in sorted(due.items())}
    in_flight: dict[Any, str] = {}
    sent: list[dict[str, int]] = []

    def top_up() -> None:
        for channel, left in remaining.items():
            lanes = sum(1 for c in in_flight.values() if c == channel)
            for _ in range(min(left, LANES.get(channel, 1) - lanes)):
                in_flight[send_batch.submit(incident_id, channel)] = channel
                remaining[channel] -= 1

    top_up()
    while in_flight:
        future = next(as_completed(list(in_flight)))
        channel = in_flight.pop(future)
        outcome = future.result()
        sent.append(outcome)
        if not outcome:
            remaining[channel] = 0  # nothing was due after all (another worker took it)
        top_up()
        bar.update()
    return sent


class _PrefectConductor:
    """The rounds' work as Prefect tasks, with the delivery progress artifact."""

    def __init__(self) -> None:
        self.logger = get_run_logger()
        self.bar: progress.DeliveryProgress | None = None

    def prepare(self, incident_id: str) -> object:
        prepared = prepare_deliveries(incident_id)
        self.bar = progress.DeliveryProgress(incident_id)
        return prepared

    def settle(self, incident_id: str) -> dict[str, int]:
        return settle_round(incident_id)

    def send_due(self, incident_id: str, due: dict[str, int]) -> list[dict[str, int]]:
        return _send_due(incident_id, due, self._bar())

    def show_progress(self, *, force: bool = False) -> None:
        self._bar().update(force=force)

    def wait(self, seconds: float) -> None:
        self.logger.info("waiting %.1fs for retries and reconciliation", seconds)
        time.sleep(seconds)

    def _bar(self) -> progress.DeliveryProgress:
        if self.bar is None:
            raise RuntimeError("the deliveries were not prepared")
        return self.bar


def notify(incident_id: str) -> dict[str, Any]:
    """The notification stage, inside a flow run: the delivery rounds with batch tasks."""
    try:
        return rounds.deliver(incident_id, _PrefectConductor())
    except BreachflowError:
        if ledger.sending(incident_id) == "paused":
            events.emit(events.SENDING_PAUSED, incident_id=incident_id,
                        payload={"counts": ledger_counts(incident_id)})
        raise


def ledger_counts(incident_id: str) -> dict[str, dict[str, int]]:
    with db.session() as s:
        return ledger.counts(s, incident_id)
