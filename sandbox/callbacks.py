"""Twilio status callbacks: POSTs signed with X-Twilio-Signature, sent from one worker thread."""

from __future__ import annotations

import queue
import threading
import urllib.error
import urllib.request
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from urllib.parse import urlencode, urlsplit

from twilio.request_validator import RequestValidator


@dataclass(frozen=True)
class CallbackJob:
    """The callbacks of one resource, sent in order (queued -> sent -> delivered)."""

    url: str
    method: str  # "POST" or "GET", as the StatusCallbackMethod asked
    auth_token: str  # the token Twilio would sign with: the account's
    events: tuple[Mapping[str, str], ...]


def signed_request(job: CallbackJob, params: Mapping[str, str]) -> urllib.request.Request:
    """The request Twilio would make, signed the way `RequestValidator.validate` checks.
    Only http(s) URLs reach here: `twilio_api` refuses any other StatusCallback with 21609."""
    if urlsplit(job.url).scheme not in ("http", "https"):
        raise ValueError("status callbacks go to http(s) URLs only")
    validator = RequestValidator(job.auth_token)
    if job.method == "GET":
        separator = "&" if urlsplit(job.url).query else "?"
        url = f"{job.url}{separator}{urlencode(params)}"
        signature = validator.compute_signature(url, {})
        return urllib.request.Request(url, method="GET", headers=_headers(signature))  # noqa: S310 (scheme checked)
    signature = validator.compute_signature(job.url, dict(params))
    headers = _headers(signature)
    headers["Content-Type"] = "application/x-www-form-urlencoded"
    body = urlencode(params).encode("utf-8")
    return urllib.request.Request(job.url, data=body, method="POST", headers=headers)  # noqa: S310 (scheme checked)


def _headers(signature: str) -> dict[str, str]:
    return {
        "X-Twilio-Signature": signature,
        "User-Agent": "TwilioProxy/1.1 (breachflow sandbox)",
    }


class CallbackSender:
    """Delivers jobs in submission order; outcomes are reported, never logged (URLs may carry
    ids and the parameters carry phone numbers)."""

    def __init__(self, on_result: Callable[[bool], None], timeout: float = 5.0) -> None:
        self._on_result = on_result
        self._timeout = timeout
        self._queue: queue.Queue[CallbackJob | None] = queue.Queue()
        self._thread: threading.Thread | None = None
        self._stopping = threading.Event()

    def start(self) -> None:
        if self._thread is None:
            self._stopping.clear()
            self._thread = threading.Thread(target=self._run, name="sandbox-twilio-callbacks", daemon=True)
            self._thread.start()

    def submit(self, job: CallbackJob) -> None:
        self._queue.put(job)

    def stop(self) -> None:
        """Drop what is still queued; a callback in flight may finish in the (daemon) thread."""
        if self._thread is not None:
            self._stopping.set()
            self._queue.put(None)
            self._thread.join(timeout=1.0)
            self._thread = None

    def _run(self) -> None:
        while (job := self._queue.get()) is not None:
            for params in job.events:
                if self._stopping.is_set():
                    return
                self._on_result(self._deliver(job, params))

    def _deliver(self, job: CallbackJob, params: Mapping[str, str]) -> bool:
        request = signed_request(job, params)
        try:
            with urllib.request.urlopen(request, timeout=self._timeout) as response:  # noqa: S310 (scheme checked)
                status: int = response.status
        except (urllib.error.URLError, OSError, ValueError):
            return False
        return 200 <= status < 300
