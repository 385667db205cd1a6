"""The channel registry: which adapter serves each channel in this process.

A channel whose credentials are in the environment uses its configured endpoint; with none
set, the embedded sandbox (BREACHFLOW_SANDBOX_URL, started by `run`/`demo`) stands in."""

from __future__ import annotations

import os
import threading

from incidents.channels.base import Channel

_lock = threading.Lock()
_active: dict[str, Channel] | None = None


def _build() -> dict[str, Channel]:
    from incidents.channels.sendgrid_email import SendGridEmail

    found: dict[str, Channel] = {}
    sandbox = os.environ.get("BREACHFLOW_SANDBOX_URL")
    email = SendGridEmail.from_env()
    if email is None and sandbox:
        email = SendGridEmail(api_key="SG.sandbox", host=sandbox, sender="security@example.com")
        email.sandboxed = True
    if email is not None:
        found["email"] = email
    return found


def active() -> dict[str, Channel]:
    global _active
    with _lock:
        if _active is None:
            _active = _build()
        return _active


def reset() -> None:
    global _active
    with _lock:
        _active = None
