"""breachflow's errors.

    BreachflowError
    ├── InputError          bad input from a person or a tool: exit 2 / HTTP 4xx, nothing written
    ├── NotFound            an incident id or external_id that does not exist
    ├── Unaccounted         the incident cannot close: people are pending or need action
    └── StepFailed          a stage failed; the message names the stage and the reason
"""

from __future__ import annotations


class BreachflowError(Exception):
    pass


class InputError(BreachflowError):
    """Raised with a message that names the offending field, column or file."""

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


class NotFound(BreachflowError):
    pass


class Unaccounted(BreachflowError):
    """Raised by the close step with counts and reasons: a responder must resolve people."""


class StepFailed(BreachflowError):
    def __init__(self, step: str, reason: str, *, waiting: bool = False) -> None:
        super().__init__(f"step {step!r} failed: {reason}")
        self.step = step
        self.reason = reason
        self.waiting = waiting  # waits for a person's decision, nothing broke
