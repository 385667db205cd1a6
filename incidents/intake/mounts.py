"""Routes whose logic lives in other modules, written framework-free: the provider callbacks
(`incidents.delivery.provider_events`) and the personal notice page (`incidents.notices.page`).
Each is mounted when its module exists, so the API works before they land."""

from __future__ import annotations

import importlib
import logging
import os
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qsl

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, JSONResponse
from starlette.concurrency import run_in_threadpool

from incidents.exceptions import BodyTooLarge, WebhookError
from incidents.intake.bodies import read_body

logger = logging.getLogger("breachflow.intake")
SENDGRID_PATH = "/v1/providers/sendgrid/events"
TWILIO_PATH = "/v1/providers/twilio/status"


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
    webhooks = _optional("incidents.delivery.provider_events")
    if webhooks is not None:
        _mount_provider_callbacks(app, webhooks)
        mounted += [SENDGRID_PATH, TWILIO_PATH]
    notice_page = _optional("incidents.notices.page")
    if notice_page is not None:
        _mount_notice_page(app, notice_page)
        mounted.append("/n/{token}")
    samples = _optional("incidents.notices.samples")
    if samples is not None:
        _mount_notice_samples(app, samples)
        mounted.append(samples.PATH)
    return mounted


def _mount_notice_samples(app: FastAPI, module: Any) -> None:
    @app.get(module.PATH, response_class=HTMLResponse, include_in_schema=False)
    async def notice_sample(incident_id: str, notice_id: int, request: Request,
                            key: str = "") -> HTMLResponse:
        # The key in the link is the credential (an HMAC under the bearer token): the
        # Prefect UI links here, and a browser cannot send a bearer header on a click.
        secret = request.app.state.settings.api_token
        if not secret:
            return HTMLResponse("notice samples need BREACHFLOW_API_TOKEN", status_code=503)
        status_code, html = await run_in_threadpool(lambda: module.sample_page(
            incident_id=incident_id, notice_id=notice_id, key=key, secret=secret))
        from incidents.notices.page import PAGE_HEADERS

        return HTMLResponse(html, status_code=status_code, headers=dict(PAGE_HEADERS))


def _mount_notice_page(app: FastAPI, module: Any) -> None:
    @app.get("/n/{token}", response_class=HTMLResponse, include_in_schema=False)
    async def personal_notice(token: str) -> HTMLResponse:
        # The token is the only credential: it is never logged (uvicorn runs without an
        # access log under `breachflow serve`).
        status_code, html = await run_in_threadpool(lambda: module.notice_page(token=token))
        return HTMLResponse(html, status_code=status_code, headers=dict(module.PAGE_HEADERS))


def _mount_provider_callbacks(app: FastAPI, module: Any) -> None:
    async def _answer(call: Callable[[], int]) -> JSONResponse:
        try:
            moved = await run_in_threadpool(call)
        except WebhookError as error:
            # The handlers' messages name the problem, never a person.
            return JSONResponse({"error": str(error)}, status_code=error.status)
        return JSONResponse({"moved": moved})

    async def _body(request: Request, precheck: Callable[[], object],
                    limit: int) -> bytes | JSONResponse:
        """The body once configuration and signature headers are in order; else the refusal.
        Nothing is read from a request that cannot be verified, or past the route's limit."""
        try:
            precheck()
        except WebhookError as error:
            return JSONResponse({"error": str(error)}, status_code=error.status)
        try:
            return await read_body(request, limit)
        except BodyTooLarge:
            return JSONResponse({"error": f"body over {limit} bytes"}, status_code=413)

    @app.post(SENDGRID_PATH, responses={401: {"description": "bad or stale ECDSA signature"},
                                        413: {"description": "body over 16 MiB"},
                                        503: {"description": "verification key not set"}})
    async def sendgrid_events(request: Request) -> JSONResponse:
        """SendGrid's signed Event Webhook: moves the delivery ledger forward."""
        headers = dict(request.headers)
        raw = await _body(request, lambda: module.sendgrid_precheck(headers),
                          module.SENDGRID_MAX_BYTES)
        if isinstance(raw, JSONResponse):
            return raw
        return await _answer(lambda: module.handle_sendgrid_events(raw_body=raw, headers=headers))

    @app.post(TWILIO_PATH, responses={401: {"description": "bad X-Twilio-Signature"},
                                      413: {"description": "body over 64 KiB"},
                                      503: {"description": "TWILIO_AUTH_TOKEN not set"}})
    async def twilio_status(request: Request) -> JSONResponse:
        """Twilio's signed status callbacks for messages and calls."""
        headers = dict(request.headers)
        raw = await _body(request, lambda: module.twilio_precheck(headers),
                          module.TWILIO_MAX_BYTES)
        if isinstance(raw, JSONResponse):
            return raw
        # Twilio posts application/x-www-form-urlencoded; every field is signed, blanks too.
        form = dict(parse_qsl(raw.decode("utf-8", "replace"), keep_blank_values=True))
        # Twilio signs the URL it called: the public one, which a proxy may rewrite.
        base = os.environ.get("BREACHFLOW_PUBLIC_URL", "").rstrip("/")
        url = f"{base}{TWILIO_PATH}?{request.url.query}" if base else str(request.url)
        return await _answer(lambda: module.handle_twilio_status(url=url, form=form,
                                                                  headers=headers))
