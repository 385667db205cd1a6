"""Routes whose logic lives in other modules, written framework-free: the provider callbacks
(`incidents.channels.webhooks`) and the personal notice page (`incidents.notice_page`).
Each is mounted when its module exists, so the API works before they land."""

from __future__ import annotations

import importlib
import logging
from typing import Any

from fastapi import FastAPI

logger = logging.getLogger("breachflow.intake")


def _optional(module: str) -> Any | None:
    try:
        return importlib.import_module(module)
    except ModuleNotFoundError as error:
        if error.name != module:
            raise  # the module exists but is broken: say so at start, not per request
        return None


def mount_optional_routes(app: FastAPI) -> list[str]:
    """Mount what exists; returns the paths mounted."""
    mounted: list[str] = []
    webhooks = _optional("incidents.channels.webhooks")
    if webhooks is not None:
        # PROVIDER CALLBACKS: POST /v1/providers/sendgrid/events and
        # POST /v1/providers/twilio/status are wired here once the handlers' signatures are
        # fixed (handle_sendgrid_events(*, raw_body, headers), handle_twilio_status(*, url,
        # form, headers)).
        logger.info("provider webhook handlers found but not yet mounted")
    notice_page = _optional("incidents.notice_page")
    if notice_page is not None:
        _mount_notice_page(app, notice_page)
        mounted.append("/n/{token}")
    return mounted


def _mount_notice_page(app: FastAPI, module: Any) -> None:
    from fastapi.responses import HTMLResponse
    from starlette.concurrency import run_in_threadpool

    @app.get("/n/{token}", response_class=HTMLResponse, include_in_schema=False)
    async def personal_notice(token: str) -> HTMLResponse:
        # The token is the only credential: it is never logged (uvicorn runs without an
        # access log under `breachflow serve`).
        status_code, html = await run_in_threadpool(lambda: module.notice_page(token=token))
        return HTMLResponse(html, status_code=status_code, headers=dict(module.PAGE_HEADERS))
