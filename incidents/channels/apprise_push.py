"""Push notifications through Apprise, one target per person.

A person's `push_target` is a device token, which is put (URL-quoted) into
`BREACHFLOW_PUSH_URL` (the operator's template with `{token}`, e.g.
`gorush://push.example.com/{token}`), or a whole Apprise URL of a push vendor whose scheme the
operator allows in `BREACHFLOW_PUSH_SCHEMES` (default none). A whole URL is checked again
here, when it is sent (`contacts.push_target_problem`, and its host must resolve to public
addresses only): a directory row must not make the server call an internal address, change
the HTTP method or add headers. A refused target fails as `push-target-refused`.

Apprise throttles per plugin *instance*: most push plugins (fcm, ntfy, pushover, …) inherit
`request_rate_per_sec = 5.5`, which is the pause in seconds between two requests of the same
instance. A URL listing many device tokens is one instance, so 1,000 tokens would take 1.5 hours
(measured: 3 ntfy topics on one URL, 11 s; on three URLs, no wait). So every person gets their
own instance, which never waits (a fresh instance sends at once), and a thread pool
(`BREACHFLOW_PUSH_WORKERS`, default 8) sends them concurrently; our pacer, not Apprise's
throttle, keeps the channel under its rate. `bench/deliver.py` prints these figures.

Apprise reports only success or failure; the HTTP status comes from its warning line
(`error=429`), read from this thread's records only (`quiet`), which no log handler sees.
A push gateway has no API to ask what was delivered, so an ambiguous push cannot be
reconciled: after the window it is sent again and counted (`Delivery.unverified_resends`)."""

from __future__ import annotations

import os
import re
from datetime import datetime
from typing import ClassVar
from urllib.parse import quote

import apprise

from incidents.channels import classify, pacing, quiet
from incidents.channels.base import OUTCOME, Outcome, Outgoing, PerMessageChannel, Result, provider_timeout
from incidents.channels.classify import Disposition
from incidents.exceptions import ChannelHalted
from incidents.identification import contacts
from incidents.models import Notice

# Schemes whose requests can carry our delivery id as a header (the receiver may keep it):
# the operator's own push service (BREACHFLOW_PUSH_URL), never a directory's URL.
HEADER_SCHEMES = frozenset({"json", "jsons", "form", "forms"})
_STATUS = re.compile(r"error=(\d{3})")

class ApprisePush(PerMessageChannel):
    name: ClassVar[str] = "push"
    batch_size = 500
    reconcilable: ClassVar[bool] = False

    def __init__(self, *, url_template: str | None = None, schemes: frozenset[str] | None = None,
                 workers: int | None = None, timeout: float | None = None,
                 pacer: pacing.Pacer | None = None) -> None:
        self.url_template = url_template
        self.schemes = contacts.push_schemes() if schemes is None else schemes
        self._start_pool(workers or int(os.environ.get("BREACHFLOW_PUSH_WORKERS", "8")), "push")
        self.timeout = timeout or provider_timeout(10.0)
        self.pacer = pacer or pacing.default()

    @classmethod
    def from_env(cls, sandbox: str | None = None) -> ApprisePush | None:
        template = os.environ.get("BREACHFLOW_PUSH_URL")
        schemes = contacts.push_schemes()
        if template:
            return cls(url_template=template, schemes=schemes)
        if sandbox:
            channel = cls(url_template=f"json://{sandbox.split('://', 1)[1]}/push/{{token}}",
                          schemes=schemes)
            channel.sandboxed = True
            return channel
        # Without a template, only people whose target is a whole Apprise URL can be reached.
        return cls(url_template=None, schemes=schemes) if schemes else None

    def target_url(self, target: str, delivery_id: str) -> str | None:
        """The Apprise URL for one person, or None if it may not be used."""
        if "://" in target:
            if contacts.push_target_problem(target, schemes=self.schemes) is not None:
                return None
            scheme = target.split("://", 1)[0].lower()
            host = contacts.push_host(target)
            if scheme not in contacts.FIXED_HOST_PUSH_SCHEMES and (
                    host is None or not contacts.resolves_public(host)):
                return None
            return f"{target}?rto={self.timeout:g}"
        if not self.url_template:
            return None
        # Quoted whole: a token cannot add a path, a query or a host to the operator's URL.
        url = self.url_template.replace("{token}", quote(target, safe=""))
        scheme = url.split("://", 1)[0].lower()
        extra = [] if "rto=" in url else [f"rto={self.timeout:g}"]
        if scheme in HEADER_SCHEMES:
            extra.append(f"+X-Delivery-Id={quote(delivery_id, safe='')}")
        return url + ("&" if "?" in url else "?") + "&".join(extra) if extra else url

    def _send_one(self, notice: Notice, message: Outgoing) -> Result:
        with quiet.captured() as lines:
            url = self.target_url(message.address, message.delivery_id)
            plugin = apprise.Apprise.instantiate(url, suppress_exceptions=True) if url else None
            if plugin is None:
                return Result(message.delivery_id, Outcome.FAILED, error="push-target-refused")
            self.pacer.acquire(self.name, 1.0)
            ok = plugin.notify(body=message.text(notice.body_text.strip()), title=notice.subject,
                               notify_type=apprise.NotifyType.WARNING)
        if ok:
            return Result(message.delivery_id, Outcome.ACCEPTED,
                          provider_id=f"push:{message.delivery_id}")
        return self._failed(message, lines)

    def _failed(self, message: Outgoing, lines: list[str]) -> Result:
        status = next((int(m.group(1)) for line in lines if (m := _STATUS.search(line))), None)
        if status is None:
            # A connection error or timeout: the request may have reached the gateway.
            return Result(message.delivery_id, Outcome.UNKNOWN, error="push-connection")
        kind = classify.push_status(status)
        if kind is Disposition.HALT:
            raise ChannelHalted(f"the push gateway answered {status}: check BREACHFLOW_PUSH_URL "
                                "and its credentials")
        if kind is Disposition.TRANSIENT:
            self.pacer.hold(self.name, 1.0)
        return Result(message.delivery_id, OUTCOME[kind], error=f"push-{status}")

    def reconcile(self, *, messages: list[Outgoing], notices: dict[int, Notice],  # noqa: ARG002
                  claim_token: str, since: datetime) -> dict[str, str | None]:  # noqa: ARG002
        """Push gateways keep no record we could ask: none is known to have been sent (the
        ledger counts the resend as unverified)."""
        return {m.delivery_id: None for m in messages}
