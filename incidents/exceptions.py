"""breachflow's errors: one tree, so that every caller knows what it may catch.

    BreachflowError
    ├── InputError            bad input from a person or a tool: exit 2 / HTTP 4xx, nothing written
    ├── NotFound              an incident id or external_id that does not exist
    ├── Unaccounted           the incident cannot close: people are pending or need action, or a
    │                         required media notice has no recorded outlet
    ├── StepFailed            a stage failed; the message names the stage and the reason
    ├── ChannelHalted         a channel's credentials or account are refused: the channel stops
    ├── SignatureError        the intake API refuses a webhook signature (HTTP 401)
    ├── BodyTooLarge          the intake API refuses a body over its limit (HTTP 413)
    ├── ServeError            `breachflow serve` could not start one of its parts (exit 1)
    └── WebhookError          a provider callback is refused; `.status` is the HTTP answer
        ├── WebhookRejected       not a well-formed provider event (400)
        ├── WebhookUnauthorized   missing, wrong or stale signature (401)
        └── WebhookNotConfigured  the verification key or token is not configured (503)

Messages name the field, setting or stage at fault, never a secret or a person's data.
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
    """Raised by the close step with counts and reasons: a responder must resolve people or
    record the media notice."""


class StepFailed(BreachflowError):
    def __init__(self, step: str, reason: str, *, waiting: bool = False,
                 locked: bool = False) -> None:
        super().__init__(f"step {step!r} failed: {reason}")
        self.step = step
        self.reason = reason
        self.waiting = waiting  # waits for a person's decision, nothing broke
        self.locked = locked  # SQLite's writer was held by another step: worth running again


class ChannelHalted(BreachflowError):
    """Credentials or account problems: stop the whole channel and alert a person.
    The message names the setting to check, never an address."""


class SignatureError(BreachflowError):
    """Why a signature was refused: safe to show to the caller (it reveals no secret)."""


class BodyTooLarge(BreachflowError):
    pass


class ServeError(BreachflowError):
    pass


class WebhookError(BreachflowError):
    status = 400


class WebhookRejected(WebhookError):
    """The request is not a well-formed provider event (answer 400)."""

    status = 400


class WebhookUnauthorized(WebhookError):
    """Missing, wrong or stale signature (answer 401)."""

    status = 401


class WebhookNotConfigured(WebhookError):
    """The verification key or token is not configured (answer 503); the message names it."""

    status = 503


class NoticesHeld(Unaccounted):
    """Notices of some jurisdictions wait for a law-enforcement hold or a filing the law puts
    first: the notification step stops with what waits and why, and runs again on resume."""
