"""Alerts to responders: pages for new breaches, deadline warnings. Two kinds of destination,
used together: Apprise URLs from the environment (chat, e-mail, PagerDuty ...) and Prefect
notification blocks (which wrap Apprise) named in BREACHFLOW_ALERT_BLOCKS as `type-slug/name`
(e.g. `slack-webhook/secops`), kept in the Prefect server with their secrets. The URLs and blocks
hold tokens, so no message here ever names them."""

from __future__ import annotations

import logging
import os
import re
from typing import Any

from incidents.privacy import redact

logger = logging.getLogger("breachflow.alerts")

BLOCKS_ENV = "BREACHFLOW_ALERT_BLOCKS"


def blocks() -> list[str]:
    """The notification blocks to alert, `type-slug/name`, separated by spaces or commas. Only
    with a Prefect server (PREFECT_API_URL): without one there is nowhere to load them from."""
    if not os.environ.get("PREFECT_API_URL"):
        return []
    return [b for b in re.split(r"[\s,]+", os.environ.get(BLOCKS_ENV, "")) if b]


def configured(urls: list[str]) -> bool:
    return bool(urls or blocks())


def _to_block(slug: str, title: str, body: str) -> str | None:
    try:
        from prefect.blocks.core import Block

        block: Any = Block.load(slug, _sync=True)  # type: ignore[call-arg]
        with block.raise_on_failure():
            block.notify(body=body, subject=title, _sync=True)
    except Exception as error:  # a missing block, or the service refused
        return f"notification block {slug!r}: {type(error).__name__}"
    return None


def send(urls: list[str], title: str, body: str, *, what: str = "alert") -> str | None:
    """None when every destination (URLs and blocks) accepted the message, else why not."""
    errors = [error for error in (to_urls(urls, title, body, what=what) if urls else None,
                                  *(_to_block(slug, title, body) for slug in blocks())) if error]
    return "; ".join(errors)[:500] if errors else None


def to_urls(urls: list[str], title: str, body: str, *, what: str) -> str | None:
    import apprise

    targets = apprise.Apprise()
    for url in urls:
        if not targets.add(url):
            return f"a {what} URL is not a valid Apprise URL"
    try:
        ok = targets.notify(title=title, body=body)
    except Exception as error:  # Apprise plugins raise their transport errors
        return redact(f"{type(error).__name__}: {error}")[:500]
    return None if ok else "Apprise reported a failed notification"
