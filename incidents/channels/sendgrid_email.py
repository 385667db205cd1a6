"""E-mail through SendGrid's v3 mail/send with the official `sendgrid` client.

One request per batch and notice: up to 1,000 personalizations, each carrying only the opaque
delivery id in `custom_args` and the request the claim token (SendGrid keeps those forever as
non-PII; reconciliation asks by the claim);
the categories carry the incident id. Answers are classified by `classify.SENDGRID_HTTP`.
A 413 (never processed) splits the batch; a 400 that names one personalization fails only that
person and the rest is sent again at once; a 400 about the notice itself halts the channel."""

from __future__ import annotations

import json
import os
import time
import urllib.error
from datetime import datetime
from typing import Any, ClassVar

from python_http_client import exceptions as http_errors
from sendgrid import SendGridAPIClient
from sendgrid.helpers.mail import (
    Category,
    Content,
    CustomArg,
    From,
    Mail,
    Personalization,
    Substitution,
    To,
)

from incidents import credentials
from incidents.channels import classify, pacing
from incidents.channels.base import (
    OUTCOME,
    Channel,
    Outcome,
    Outgoing,
    Recorder,
    Result,
    provider_timeout,
)
from incidents.channels.classify import Disposition
from incidents.exceptions import ChannelHalted
from incidents.models import Notice
from incidents.notices import page as notice_page

DEFAULT_HOST = "https://api.sendgrid.com"
TIMEOUT_SECONDS = 30
MAX_PERSONALIZATIONS = 1000


class SendGridEmail(Channel):
    name: ClassVar[str] = "email"
    batch_size = MAX_PERSONALIZATIONS

    def __init__(self, *, api_key: str, host: str = DEFAULT_HOST, sender: str,
                 sender_name: str | None = None, timeout: float | None = None,
                 pacer: pacing.Pacer | None = None) -> None:
        self.client = SendGridAPIClient(api_key=api_key, host=host)
        self.pacer = pacer or pacing.default()
        # Smaller batches trade throughput for finer checkpoints (and testable crash windows).
        self.batch_size = max(1, min(MAX_PERSONALIZATIONS,
                                     int(os.environ.get("BREACHFLOW_EMAIL_BATCH", "1000"))))
        # The library default is no timeout at all.
        self.client.client.timeout = timeout or provider_timeout(TIMEOUT_SECONDS)
        self.sender, self.sender_name = sender, sender_name

    @classmethod
    def from_env(cls) -> SendGridEmail | None:
        key = credentials.get("SENDGRID_API_KEY")
        if not key:
            return None
        return cls(api_key=key, host=os.environ.get("BREACHFLOW_SENDGRID_HOST", DEFAULT_HOST),
                   sender=credentials.get("BREACHFLOW_EMAIL_FROM", "security@example.com") or "")

    def _mail(self, notice: Notice, messages: list[Outgoing], claim_token: str,
              incident_ref: str, tos: dict[str, To] | None = None) -> Mail:
        tos = tos or {}
        mail = Mail(from_email=From(self.sender, self.sender_name), subject=notice.subject)
        mail.add_content(Content("text/plain", notice.body_text))
        if notice.body_html:
            mail.add_content(Content("text/html", notice.body_html))
        for index, message in enumerate(messages):
            personalization = Personalization()
            personalization.add_to(tos.get(message.delivery_id) or To(message.address))
            personalization.add_custom_arg(CustomArg("delivery_id", message.delivery_id))
            if message.link_token:
                # One rendered notice for the group; each person's own page link substituted.
                personalization.add_substitution(Substitution(
                    notice_page.placeholder_url(), notice_page.url_for(message.link_token)))
            for placeholder, value in message.fills:
                personalization.add_substitution(Substitution(placeholder, value))
            # Appended in order, so a 400 naming personalizations.N points at messages[N].
            mail.add_personalization(personalization, index=index)
        # The claim is the same for the whole request: once at the root, which SendGrid merges
        # into every message's custom_args (reconciliation asks by it).
        mail.custom_arg = CustomArg("claim", claim_token)
        mail.category = [Category("breach-notice"), Category(incident_ref)]
        return mail

    def send(self, *, notice: Notice, messages: list[Outgoing], claim_token: str,
             incident_ref: str, record: Recorder | None = None) -> list[Result]:  # noqa: ARG002 - one request
        found: dict[str, Result] = {}
        usable = []
        tos: dict[str, To] = {}
        for message in messages:
            to = To(message.address)  # parsed once: the helper's parser is its slowest part
            if to.email and to.email == message.address.strip() and not to.name:
                usable.append(message)
                tos[message.delivery_id] = to
            else:  # the helper would drop it silently; SendGrid would refuse the whole request
                found[message.delivery_id] = Result(message.delivery_id, Outcome.FAILED,
                                                    error="sendgrid-invalid-address")
        pending = _unique_addresses(usable)
        try:
            while pending:
                part = pending.pop()
                pending.extend(self._send_part(notice, part, claim_token, incident_ref, found, tos))
        except ChannelHalted as error:
            self.halted = str(error)
            if not any(r.outcome is not Outcome.FAILED for r in found.values()):
                raise  # nothing of this batch went out: the claim is simply given back
        return [found.get(m.delivery_id) or Result(m.delivery_id, Outcome.RETRY, error="halted")
                for m in messages]

    def _send_part(self, notice: Notice, part: list[Outgoing], claim_token: str,
                   incident_ref: str, found: dict[str, Result],
                   tos: dict[str, To]) -> list[list[Outgoing]]:
        """Send one request; return the parts that must be sent again right away."""

        def every(outcome: Outcome, error: str | None = None, provider_id: str | None = None,
                  retry_after: float | None = None) -> list[list[Outgoing]]:
            for m in part:
                found[m.delivery_id] = Result(m.delivery_id, outcome, provider_id, error, retry_after)
            return []

        mail = self._mail(notice, part, claim_token, incident_ref, tos)
        self.pacer.acquire(self.name, 1.0)  # e-mail is paced in requests
        try:
            response = self.client.send(mail)
        except http_errors.HTTPError as error:
            status = int(error.status_code)
            kind = classify.sendgrid_status(status)
            if kind is Disposition.HALT:
                raise ChannelHalted(f"SendGrid answered {status}: check SENDGRID_API_KEY and "
                                    "BREACHFLOW_EMAIL_FROM") from None
            if status == 413 and len(part) > 1:
                half = len(part) // 2
                return [part[:half], part[half:]]
            if status == 400:
                return self._refused(error, part, found)
            if status == 429:
                wait = _reset_after(error.headers)
                self.pacer.hold(self.name, wait or 1.0)
                return every(Outcome.RETRY, "sendgrid-429", retry_after=wait)
            return every(OUTCOME[kind], f"sendgrid-{status}")
        except urllib.error.URLError as error:
            if isinstance(error.reason, ConnectionRefusedError):
                return every(Outcome.RETRY, "sendgrid-connection-refused")
            return every(Outcome.UNKNOWN, f"sendgrid-{type(error.reason).__name__}")
        except (TimeoutError, ConnectionError) as error:
            return every(Outcome.UNKNOWN, f"sendgrid-{type(error).__name__}")
        return every(Outcome.ACCEPTED, provider_id=response.headers.get("X-Message-Id"))

    def _refused(self, error: http_errors.HTTPError, part: list[Outgoing],
                 found: dict[str, Result]) -> list[list[Outgoing]]:
        field = _first_field(error)
        index = _personalization_index(field)
        if index is None or index >= len(part):
            # The notice itself was refused: every person would fail the same way.
            raise ChannelHalted(f"SendGrid refused the notice (field {field}): check the "
                                "e-mail template and sender") from None
        bad = part[index]
        found[bad.delivery_id] = Result(bad.delivery_id, Outcome.FAILED, None, "sendgrid-400:address")
        rest = part[:index] + part[index + 1:]
        return [rest] if rest else []

    def reconcile(self, *, messages: list[Outgoing], notices: dict[int, Notice],  # noqa: ARG002
                  claim_token: str, since: datetime) -> dict[str, str | None]:  # noqa: ARG002
        response = self.client.client.messages.get(
            query_params={"limit": 1000, "query": f"unique_args['claim']=\"{claim_token}\""})
        seen: dict[str, str] = {}
        for entry in json.loads(response.body or b"{}").get("messages", []):
            seen[str(entry.get("to_email", "")).lower()] = str(entry.get("msg_id"))
        return {m.delivery_id: seen.get(m.address.lower()) for m in messages}


def _unique_addresses(messages: list[Outgoing]) -> list[list[Outgoing]]:
    """Parts in which no address appears twice: SendGrid refuses a request that repeats one,
    and people do share addresses (a family mailbox, a guardian of two children)."""
    parts: list[tuple[set[str], list[Outgoing]]] = []
    for message in messages:
        key = message.address.strip().casefold()
        for seen, part in parts:
            if key not in seen:
                seen.add(key)
                part.append(message)
                break
        else:
            parts.append(({key}, [message]))
    return [part for _, part in parts]


def _reset_after(headers: Any) -> float | None:
    """Seconds until X-RateLimit-Reset (epoch seconds), else Retry-After; None without either."""
    headers = headers or {}
    reset = headers.get("X-RateLimit-Reset")
    try:
        if reset:
            return max(0.5, float(reset) - time.time())
        retry_after = headers.get("Retry-After")
        return max(0.5, float(retry_after)) if retry_after else None
    except ValueError:
        return None


def _first_field(error: http_errors.HTTPError) -> str:
    try:
        errors: list[dict[str, Any]] = json.loads(error.body or b"{}").get("errors", [])
    except ValueError:
        return "unparsed"
    return str(errors[0].get("field")) if errors else "unknown"


def _personalization_index(field: str) -> int | None:
    parts = field.split(".")
    if len(parts) >= 2 and parts[0] == "personalizations" and parts[1].isdigit():
        return int(parts[1])
    return None
