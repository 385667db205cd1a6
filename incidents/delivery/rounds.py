"""The delivery rounds: how one incident's notices go out until every ledger row is settled.

Each round honours the sending switch (paused stops the run, cancelled ends the open rows), ends
the rows of channels that no process here serves, settles what is in flight (reconciles ambiguous
sends, falls back to the next channel), and sends what is due. A round with nothing to do waits for
the next retry or reconciliation; after STALL_SECONDS without progress the stage stops and a resume
continues. This module decides what happens and when it is done; the conductor (the Prefect flow,
flows/delivery.py) decides how the batches run and where progress is shown. Counts only."""

from __future__ import annotations

import time
from typing import Any, Protocol

from incidents import channels, db, holds
from incidents.delivery import ledger, providers, send
from incidents.exceptions import BreachflowError, NoticesHeld
from incidents.sqltypes import utcnow

STALL_SECONDS = 15 * 60  # no row moved for this long: stop and let a resume continue


class Conductor(Protocol):
    """What runs the rounds' work: the flow wraps each call in Prefect tasks and artifacts."""

    def prepare(self, incident_id: str) -> object:
        """Run `prepare` (once, before the first round)."""

    def settle(self, incident_id: str) -> dict[str, int]:
        """Run `settle` and return its counts."""

    def send_due(self, incident_id: str, due: dict[str, int]) -> list[dict[str, int]]:
        """Send the due rows (channel -> count) in batches; one count document per batch."""

    def show_progress(self, *, force: bool = False) -> None:
        """Show how far delivery has come."""

    def wait(self, seconds: float) -> None:
        """Pause between two rounds that had nothing to do."""


def prepare(incident_id: str) -> dict[str, int]:
    """One ledger row per person x channel x recipient, and ambiguous sends of an earlier run
    reconciled before anything is sent again."""
    created = ledger.plan(incident_id, served=channels.active())
    reconciled = send.reconcile(incident_id, older_than=send.RECONCILE_AFTER)
    return {"created": created, **{f"reconciled_{k}": v for k, v in reconciled.items()}}


def settle(incident_id: str) -> dict[str, int]:
    """Reconcile what is in flight, then move dead rows to the next channel of the ladder."""
    reconciled = send.reconcile(incident_id)
    moved = ledger.fall_back(incident_id, served=channels.active())
    return {**reconciled, "fallback": moved}


def deliver(incident_id: str, conductor: Conductor) -> dict[str, Any]:
    """Send every notice of the incident through the ledger until each row is settled."""
    conductor.prepare(incident_id)
    providers.record_or_check(incident_id)  # never fall back to the sandbox (or out of it) silently
    served = set(channels.active())
    stalled_since = time.monotonic()
    while True:
        switch = ledger.sending(incident_id)
        if switch == "paused":
            conductor.show_progress(force=True)
            raise BreachflowError("sending is paused for this incident: run `breachflow sending "
                                  "resume` and then `breachflow resume` to continue")
        if switch == "cancelled":
            ledger.set_sending(incident_id, "cancelled")  # rows reconciled back to pending end too
        ledger.fail_unserved(incident_id, served)
        settled = conductor.settle(incident_id)
        ledger.fail_unserved(incident_id, served)
        _first_notice_deadlines(incident_id)
        # Rows of a jurisdiction on hold (law enforcement, a report to be filed first) wait
        # outside this run: the hold's release or the filing sets this step to run again.
        held = ledger.held_ids(incident_id)
        open_rows = ledger.open_counts(incident_id, held)
        halted = {c: reason for c in open_rows if (reason := send.halted(c))}
        if not open_rows or set(open_rows) <= set(halted):
            break
        due = {c: n for c, n in ledger.due_counts(incident_id, held).items() if c not in halted}
        sent = conductor.send_due(incident_id, due)
        conductor.show_progress(force=True)
        if any(sent) or any(settled.values()):
            stalled_since = time.monotonic()
        elif time.monotonic() - stalled_since > STALL_SECONDS:
            raise RuntimeError("deliveries made no progress for "
                               f"{STALL_SECONDS // 60} minutes; resume to continue")
        else:
            nxt = ledger.next_due(incident_id, held)
            wait_for = send.RECONCILE_AFTER.total_seconds() / 2
            if nxt is not None:
                wait_for = min(wait_for, (nxt - utcnow()).total_seconds())
            conductor.wait(max(0.5, min(30.0, wait_for)))
    conductor.show_progress(force=True)
    with db.session() as s:
        counts = ledger.counts(s, incident_id)
    if halted:
        raise BreachflowError("channel(s) halted, their notices wait: " + "; ".join(
            f"{c}: {reason}" for c, reason in sorted(halted.items())))
    outcome: dict[str, Any] = {f"{channel}_{state}": n for channel, states in counts.items()
                               for state, n in states.items()}
    outcome["unverified_resends"] = ledger.unverified_resends(incident_id)
    _first_notice_deadlines(incident_id)
    waiting = ledger.held_counts(incident_id, held)
    if waiting:
        with db.session() as s:
            why = "; ".join(f"{code} {w.reason}" for code, w in
                            sorted(holds.waiting(s, incident_id).items()))
        sent = sum(n for key, n in outcome.items() if key.endswith(("_accepted", "_delivered")))
        raise NoticesHeld(f"{waiting} notices wait ({why}); {sent} sent. `breachflow resume` "
                          "sends them once the hold ends or the report is filed")
    return outcome


def _first_notice_deadlines(incident_id: str) -> None:
    """Regulators told "at the same time as" or "within N days after" the individuals get
    their deadline once the first notice of their law is out."""
    with db.session() as s:
        holds.first_notice_deadlines(s, incident_id)
