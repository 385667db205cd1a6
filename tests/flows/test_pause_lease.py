"""A run that paused in process for a gate had its deployment concurrency slot given back by
Prefect's server: the engine's failed renewal of that lease no longer ends the run (it did,
225 s into a wait at the notices gate); before any such pause it still does."""

from __future__ import annotations

import uuid

from prefect.concurrency import _leases

from flows import gates


class Scope:
    cancelled = False

    def cancel(self) -> None:
        self.cancelled = True


def _renewal_fails() -> bool:
    scope = Scope()
    _leases._handle_lease_renewal_failure(RuntimeError("410 Gone"), uuid.uuid4(), True, False,
                                          scope)
    return scope.cancelled


def test_a_failed_renewal_ends_the_run_only_before_a_pause_in_process(monkeypatch):
    monkeypatch.setattr(_leases, "_handle_lease_renewal_failure",
                        _leases._handle_lease_renewal_failure)
    monkeypatch.setattr(gates, "_PAUSED_IN_PROCESS", gates.threading.Event())
    gates._slot_given_back_on_pause()
    gates._slot_given_back_on_pause()  # once
    assert _renewal_fails() is True
    gates._PAUSED_IN_PROCESS.set()
    assert _renewal_fails() is False
