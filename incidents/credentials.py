"""Secrets and provider settings: from the environment, else from a Prefect Secret block.

A variable such as `SENDGRID_API_KEY` may instead be kept in the Prefect server as the Secret
block `breachflow-sendgrid-api-key` (the variable's name, lowercase, `_` as `-`, prefixed
`breachflow-` unless it already is). The environment wins; blocks are read only with a Prefect
server to read them from (PREFECT_API_URL) and once per process. Values are never logged."""

from __future__ import annotations

import logging
import os
import threading

logger = logging.getLogger("breachflow.credentials")

# What a block may hold for the providers (DESIGN: credentials and senders).
PROVIDER_VARIABLES = ("SENDGRID_API_KEY", "BREACHFLOW_EMAIL_FROM", "TWILIO_ACCOUNT_SID",
                      "TWILIO_AUTH_TOKEN", "BREACHFLOW_SMS_FROM", "BREACHFLOW_VOICE_FROM",
                      "LOB_API_KEY", "BREACHFLOW_LOB_FROM", "BREACHFLOW_SENDGRID_WEBHOOK_PUBLIC_KEY")

_lock = threading.Lock()
_blocks: dict[str, str | None] = {}


def block_name(variable: str) -> str:
    name = variable.lower().replace("_", "-")
    return name if name.startswith("breachflow-") else f"breachflow-{name}"


def from_block(name: str) -> str | None:
    """The value of the Secret block `name`, or None (no server, no block, an error)."""
    if not os.environ.get("PREFECT_API_URL"):
        return None  # without a server Prefect would start a temporary one just to say no
    with _lock:
        if name in _blocks:
            return _blocks[name]
    try:
        from prefect.blocks.system import Secret

        value = Secret.load(name, _sync=True).get()  # type: ignore[call-arg,union-attr]
        found = str(value) if value else None
    except Exception as error:  # a missing block is the usual case, not an error
        logger.debug("no Prefect Secret block %r (%s)", name, type(error).__name__)
        found = None
    with _lock:
        _blocks[name] = found
    return found


def get(variable: str, default: str | None = None, *, block: str | None = None) -> str | None:
    """The variable from the environment, else its Secret block, else `default`."""
    return os.environ.get(variable) or from_block(block or block_name(variable)) or default


def reset() -> None:
    """Forget the blocks read (a test, or after the blocks changed)."""
    with _lock:
        _blocks.clear()
