"""Twilio HTTP clients that send every Twilio request to one base URL.

The official client builds `https://{product}.twilio.com/...` URLs and its `region`/`edge` options
cannot reach localhost, so a stand-in (the sandbox, a recording proxy) needs the host rewritten
for every product (api, lookups, messaging, ...). `BREACHFLOW_TWILIO_BASE_URL` configures it.

    client = twilio.rest.Client(sid, token, http_client=twilio_http_client(timeout=10))

Each keeps the headers of its last response in `last_headers`: a 429's Retry-After, which the
library's exceptions do not carry (use one client per thread to read it safely).

They also replace the library's request logging, which writes query strings (phone numbers, for
`messages.list(to=...)`) at INFO level, by a DEBUG line with method, host and path only.
"""

from __future__ import annotations

import logging
import os
from typing import Any
from urllib.parse import SplitResult, urlsplit, urlunsplit

from twilio.http.async_http_client import AsyncTwilioHttpClient
from twilio.http.http_client import TwilioHttpClient
from twilio.http.response import Response

BASE_URL_ENV = "BREACHFLOW_TWILIO_BASE_URL"
ORIGINAL_HOST_HEADER = "X-Forwarded-Host"

_logger = logging.getLogger(__name__)


def parse_base_url(base_url: str) -> SplitResult:
    """Validate a base URL (`http://127.0.0.1:8025`, optionally with a path prefix)."""
    parts = urlsplit(base_url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ValueError(f"{BASE_URL_ENV} must be an http(s) URL with a host")
    if parts.query or parts.fragment:
        raise ValueError(f"{BASE_URL_ENV} must not have a query or fragment")
    return parts


def rewrite_url(base: SplitResult, url: str) -> tuple[str, str]:
    """(the URL on the base, the Twilio host it was meant for)."""
    original = urlsplit(url)
    path = base.path.rstrip("/") + original.path
    return urlunsplit((base.scheme, base.netloc, path, original.query, "")), original.netloc


def _headers_with_host(headers: dict[str, str] | None, host: str) -> dict[str, str]:
    # The original host lets one stand-in tell products apart (api vs lookups vs messaging).
    return {**(headers or {}), ORIGINAL_HOST_HEADER: host}


def _log(method: str, url: str) -> None:
    parts = urlsplit(url)
    _logger.debug("twilio %s %s%s", method.upper(), parts.netloc, parts.path)


class _QuietLogging:
    def log_request(self, kwargs: dict[str, Any]) -> None:
        _log(str(kwargs["method"]), str(kwargs["url"]))

    def log_response(self, status_code: int, _response: Any) -> None:
        _logger.debug("twilio response %s", status_code)


class QuietTwilioHttpClient(_QuietLogging, TwilioHttpClient):  # type: ignore[misc]
    """The stock client against the real Twilio hosts, with the PII-free logging."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.last_headers: dict[str, str] = {}

    def request(self, method: str, url: str, params: dict[str, object] | None = None,
                data: dict[str, object] | None = None, headers: dict[str, str] | None = None,
                auth: tuple[str, str] | None = None, timeout: float | None = None,
                allow_redirects: bool = False) -> Response:
        response: Response = super().request(method, url, params=params, data=data,
                                             headers=headers, auth=auth, timeout=timeout,
                                             allow_redirects=allow_redirects)
        self.last_headers = dict(response.headers or {})
        return response


class RewritingTwilioHttpClient(QuietTwilioHttpClient):
    """The synchronous client on one base URL; other arguments are TwilioHttpClient's."""

    def __init__(self, base_url: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.base = parse_base_url(base_url)

    def request(self, method: str, url: str, params: dict[str, object] | None = None,
                data: dict[str, object] | None = None, headers: dict[str, str] | None = None,
                auth: tuple[str, str] | None = None, timeout: float | None = None,
                allow_redirects: bool = False) -> Response:
        target, host = rewrite_url(self.base, url)
        return super().request(method, target, params=params, data=data,
                               headers=_headers_with_host(headers, host), auth=auth,
                               timeout=timeout, allow_redirects=allow_redirects)


class AsyncRewritingTwilioHttpClient(_QuietLogging, AsyncTwilioHttpClient):  # type: ignore[misc]
    """The asyncio client (`create_async`); other arguments are AsyncTwilioHttpClient's.
    Leave `max_retries` unset: its retries resend POSTs on 5xx (research/channels.md §2.8)."""

    def __init__(self, base_url: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.base = parse_base_url(base_url)

    async def request(self, method: str, url: str, params: dict[str, object] | None = None,
                      data: dict[str, object] | None = None,
                      headers: dict[str, str] | None = None,
                      auth: tuple[str, str] | None = None, timeout: float | None = None,
                      allow_redirects: bool = False) -> Response:
        target, host = rewrite_url(self.base, url)
        return await super().request(method, target, params=params, data=data,
                                     headers=_headers_with_host(headers, host), auth=auth,
                                     timeout=timeout, allow_redirects=allow_redirects)


def twilio_http_client(base_url: str | None = None, *, timeout: float | None = None) -> TwilioHttpClient:
    """The client for `twilio.rest.Client(http_client=...)`: rewriting when `base_url` (or
    BREACHFLOW_TWILIO_BASE_URL) is set, the real hosts otherwise. Raises ValueError on a bad URL."""
    base_url = base_url or os.environ.get(BASE_URL_ENV) or None
    if base_url is None:
        return QuietTwilioHttpClient(timeout=timeout)
    return RewritingTwilioHttpClient(base_url, timeout=timeout)
