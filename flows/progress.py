"""The delivery progress artifact: one bar per incident in the Prefect UI, updated as batches
finish. Counts per channel and state only, never a person's data."""

from __future__ import annotations

import time
from typing import Any, cast
from uuid import UUID

from prefect.artifacts import create_progress_artifact, update_progress_artifact

from incidents import db
from incidents.delivery import ledger

MIN_INTERVAL = 1.0  # seconds between two updates: each one is a round trip to the server


def _counts(incident_id: str) -> dict[str, dict[str, int]]:
    with db.session() as s:
        return ledger.counts(s, incident_id)


def describe(counts: dict[str, dict[str, int]]) -> tuple[float, str]:
    """(percent settled, a one-line summary per channel)."""
    total = sum(n for states in counts.values() for n in states.values())
    settled = sum(n for states in counts.values() for state, n in states.items()
                  if state in ledger.FINAL)
    lines = [f"{channel}: " + ", ".join(f"{n} {state}" for state, n in sorted(states.items()))
             for channel, states in sorted(counts.items())]
    percent = 100.0 * settled / total if total else 100.0
    return percent, "; ".join(lines) or "nothing to send"


class DeliveryProgress:
    """Create once per run, `update()` whenever something finished; cheap when called often."""

    def __init__(self, incident_id: str) -> None:
        self.incident_id = incident_id
        self._last = 0.0
        percent, text = describe(_counts(incident_id))
        # Prefect wants keys of lowercase letters, digits and dashes; incident ids are hex.
        self.key = f"delivery-{incident_id}".lower()
        self.artifact_id = cast(UUID, create_progress_artifact(
            progress=percent, key=self.key, description=f"Notices settled. {text}"))

    def update(self, *, force: bool = False) -> dict[str, Any]:
        now = time.monotonic()
        if not force and now - self._last < MIN_INTERVAL:
            return {}
        self._last = now
        percent, text = describe(_counts(self.incident_id))
        update_progress_artifact(self.artifact_id, progress=percent,
                                 description=f"Notices settled. {text}")
        return {"progress": round(percent, 1)}
