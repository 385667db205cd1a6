"""The intake API's secrets: from the environment, else from Prefect Secret blocks.

They are never logged or echoed; a missing one disables the endpoints that need it (the
server still starts, so the Prefect UI remains usable) and the reply names the variable."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from incidents import credentials

logger = logging.getLogger("breachflow.intake")

WEBHOOK_SECRET_ENV = "BREACHFLOW_WEBHOOK_SECRET"  # noqa: S105 - a name, not a secret
API_TOKEN_ENV = "BREACHFLOW_API_TOKEN"  # noqa: S105 - a name, not a secret
# Prefect Secret block names used when the variables are not set.
WEBHOOK_SECRET_BLOCK = "breachflow-webhook-secret"  # noqa: S105 - a name, not a secret
API_TOKEN_BLOCK = "breachflow-api-token"  # noqa: S105 - a name, not a secret
MAX_BODY_BYTES = 1024 * 1024


@dataclass(frozen=True)
class IntakeSettings:
    webhook_secrets: tuple[str, ...]
    api_token: str | None
    max_body_bytes: int = MAX_BODY_BYTES

    def __repr__(self) -> str:  # never show a secret, even in a traceback
        return (f"IntakeSettings(webhook_secret={'set' if self.webhook_secrets else 'unset'}, "
                f"api_token={'set' if self.api_token else 'unset'})")


def _secret(env: str, block: str) -> str | None:
    return credentials.get(env, block=block)


def load() -> IntakeSettings:
    secret = _secret(WEBHOOK_SECRET_ENV, WEBHOOK_SECRET_BLOCK)
    token = _secret(API_TOKEN_ENV, API_TOKEN_BLOCK)
    if not secret:
        logger.warning("%s is not set: POST /v1/incidents answers 503", WEBHOOK_SECRET_ENV)
    if not token:
        logger.warning("%s is not set: GET /v1/incidents/{id} answers 503", API_TOKEN_ENV)
    return IntakeSettings(webhook_secrets=(secret,) if secret else (), api_token=token)
