"""What SMS and voice share: Twilio credentials, one client per worker thread, a bounded pool,
pacing, and the mapping of Twilio's answers onto ledger outcomes (`classify.TWILIO_CODES`).

Twilio takes one message or call per request, so a batch is sent by a small pool of threads
(`BREACHFLOW_TWILIO_WORKERS`, default 8; Twilio's REST concurrency limit is per account). Each
request first takes its tokens from the channel's pacer, so the configured rate holds across
all batches, processes and hosts. The library's own retries stay off: a retry is the ledger's."""

from __future__ import annotations

import os
import threading
from abc import abstractmethod
from collections.abc import Callable
from collections.abc import Set as AbstractSet
from datetime import datetime
from typing import Any
from urllib.parse import urlencode

import requests
from twilio.base.exceptions import TwilioException
from twilio.rest import Client

from incidents import credentials
from incidents.channels import classify, pacing, quiet
from incidents.channels.base import OUTCOME, Outcome, Outgoing, PerMessageChannel, Result, provider_timeout
from incidents.channels.classify import Disposition
from incidents.channels.twilio_http import twilio_http_client
from incidents.exceptions import ChannelHalted
from incidents.models import Notice

SANDBOX_ACCOUNT = "AC" + "5a" * 16
DEFAULT_TIMEOUT = 15.0
CALLBACK_PATH = "/v1/providers/twilio/status"


def callback_base() -> str:
    """Where Twilio posts status callbacks: the intake API's public URL."""
    return os.environ.get("BREACHFLOW_PUBLIC_URL", "http://127.0.0.1:8000").rstrip("/")


class TwilioChannel(PerMessageChannel):
    """A Twilio resource (Messages or Calls) sent one request per message by a thread pool."""

    def __init__(self, *, account_sid: str, auth_token: str, sender: str,
                 base_url: str | None = None, callback_url: str | None = None,
                 workers: int | None = None, timeout: float | None = None,
                 pacer: pacing.Pacer | None = None) -> None:
        self.account_sid, self.sender = account_sid, sender
        self._auth_token, self._base_url = auth_token, base_url
        self._timeout = timeout or provider_timeout(DEFAULT_TIMEOUT)
        self.callback_url = (callback_url or callback_base() + CALLBACK_PATH)
        self._start_pool(workers or int(os.environ.get("BREACHFLOW_TWILIO_WORKERS", "8")),
                         f"twilio-{self.name}")
        self.pacer = pacer or pacing.default()
        self._local = threading.local()

    # --- clients ------------------------------------------------------------------------------

    def client(self) -> Client:
        """This thread's client: the last response's headers (Retry-After) stay readable."""
        found: Client | None = getattr(self._local, "client", None)
        if found is None:
            http = twilio_http_client(self._base_url, timeout=self._timeout)
            found = Client(self.account_sid, self._auth_token, http_client=http)
            self._local.client = found
        return found

    def status_callback(self, delivery_id: str) -> str:
        """Only the opaque delivery id travels in the URL (Twilio keeps it with the message)."""
        return f"{self.callback_url}?{urlencode({'delivery_id': delivery_id})}"

    # --- sending ------------------------------------------------------------------------------

    @abstractmethod
    def _create(self, client: Client, notice: Notice, message: Outgoing) -> str:
        """Make the one request; return the resource SID."""

    def _tokens(self, notice: Notice) -> float:  # noqa: ARG002
        return 1.0

    def _refuse(self, notice: Notice, message: Outgoing) -> str | None:  # noqa: ARG002
        """An error code when the message must not be sent at all (checked before pacing)."""
        return None

    def _send_one(self, notice: Notice, message: Outgoing) -> Result:
        refused = self._refuse(notice, message)
        if refused:
            return Result(message.delivery_id, Outcome.FAILED, error=refused)
        self.pacer.acquire(self.name, self._tokens(notice))
        client = self.client()
        try:
            with quiet.captured():
                sid = self._create(client, notice, message)
        except TwilioException as error:
            return self._refused(client, message, error)
        except requests.exceptions.ConnectTimeout:
            return Result(message.delivery_id, Outcome.RETRY, error=f"{self.prefix}-connect-timeout")
        except requests.exceptions.ConnectionError as error:
            if _never_connected(error):
                return Result(message.delivery_id, Outcome.RETRY, error=f"{self.prefix}-connection-refused")
            return Result(message.delivery_id, Outcome.UNKNOWN, error=f"{self.prefix}-connection-lost")
        except requests.exceptions.Timeout:
            return Result(message.delivery_id, Outcome.UNKNOWN, error=f"{self.prefix}-timeout")
        return Result(message.delivery_id, Outcome.ACCEPTED, provider_id=sid)

    @property
    def prefix(self) -> str:
        return f"twilio-{self.name}"

    def _refused(self, client: Client, message: Outgoing, error: TwilioException) -> Result:
        status = int(getattr(error, "status", 0) or 0)
        code = getattr(error, "code", None)
        code = int(code) if isinstance(code, int | str) and str(code).isdigit() else None
        kind = classify.twilio_error(status, code)
        label = f"twilio-{code or status}"
        if kind is Disposition.HALT:
            raise ChannelHalted(f"Twilio refused the {self.name} channel ({label}): check "
                                "TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN and the sender")
        wait = None
        if kind is Disposition.TRANSIENT:
            wait = _retry_after(getattr(client.http_client, "last_headers", {}))
            if wait:
                self.pacer.hold(self.name, wait)
        return Result(message.delivery_id, OUTCOME[kind], error=label, retry_after=wait)

    # --- reconciliation -----------------------------------------------------------------------

    def reconcile(self, *, messages: list[Outgoing], notices: dict[int, Notice],
                  claim_token: str, since: datetime) -> dict[str, str | None]:  # noqa: ARG002
        """Ask Twilio's list API, per number, for what we sent since the claim."""
        client = self.client()
        found: dict[str, str | None] = {}
        taken: set[str] = set()  # two people on one number must not both claim one resource
        for message in messages:
            with quiet.captured():  # the list query carries the phone number
                sid = self._find(client, message, notices.get(message.notice_id), since,
                                 taken=taken)
            found[message.delivery_id] = sid
            if sid:
                taken.add(sid)
        return found

    @abstractmethod
    def _find(self, client: Client, message: Outgoing, notice: Notice | None,
              since: datetime, *, taken: AbstractSet[str]) -> str | None:
        """The SID of the resource we created for this message since `since`, if any, other
        than those in `taken`."""


def _never_connected(error: requests.exceptions.ConnectionError) -> bool:
    """A refused or unresolvable connection: the request never left, so a resend is safe."""
    text = repr(error.args[0]) if error.args else ""
    return any(marker in text for marker in ("NewConnectionError", "NameResolutionError",
                                             "Connection refused"))


def _retry_after(headers: dict[str, str]) -> float | None:
    value = {k.lower(): v for k, v in (headers or {}).items()}.get("retry-after")
    try:
        return max(0.5, float(value)) if value else None
    except ValueError:
        return None


def from_env(factory: Callable[..., Any], *, sender_env: str, sandbox: str | None,
             sandbox_sender: str) -> Any:
    """Build a Twilio channel from TWILIO_* credentials, else for the sandbox, else None."""
    sid, token = credentials.get("TWILIO_ACCOUNT_SID"), credentials.get("TWILIO_AUTH_TOKEN")
    if sid and token:
        sender = credentials.get(sender_env)
        if not sender:
            return None
        return factory(account_sid=sid, auth_token=token, sender=sender,
                       base_url=os.environ.get("BREACHFLOW_TWILIO_BASE_URL") or None)
    if sandbox:
        channel = factory(account_sid=SANDBOX_ACCOUNT, auth_token="sandbox-token",  # noqa: S106
                          sender=os.environ.get(sender_env) or sandbox_sender, base_url=sandbox)
        channel.sandboxed = True
        return channel
    return None
