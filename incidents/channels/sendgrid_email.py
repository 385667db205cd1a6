"""E-mail through SendGrid's v3 mail/send with the official `sendgrid` client.

One request per batch and notice: up to 1,000 personalizations, each carrying only the opaque
delivery id and the claim token in `custom_args` (SendGrid keeps those forever as non-PII)."""

from __future__ import annotations

import json
import os
import socket
import urllib.error
from datetime import datetime
from typing import Any, ClassVar

from python_http_client import exceptions as http_errors
from sendgrid import SendGridAPIClient
from sendgrid.helpers.mail import Category, Content, CustomArg, From, Mail, Personalization, To

from incidents.channels.base import Channel, ChannelHalted, Outcome, Outgoing, Result
from incidents.models import Notice

DEFAULT_HOST = "https://api.sendgrid.com"
TIMEOUT_SECONDS = 30


class SendGridEmail(Channel):
    name: ClassVar[str] = "email"
    batch_size = 1000  # SendGrid: at most 1,000 personalizations per request

    def __init__(self, *, api_key: str, host: str = DEFAULT_HOST, sender: str,
                 sender_name: str | None = None) -> None:
        self.client = SendGridAPIClient(api_key=api_key, host=host)
        # Smaller batches trade throughput for finer checkpoints (and testable crash windows).
        self.batch_size = min(1000, int(os.environ.get("BREACHFLOW_EMAIL_BATCH", "1000")))
        self.client.client.timeout = TIMEOUT_SECONDS  # the library default is no timeout at all
        self.sender, self.sender_name = sender, sender_name

    @classmethod
    def from_env(cls) -> SendGridEmail | None:
        key = os.environ.get("SENDGRID_API_KEY")
        if not key:
            return None
        return cls(api_key=key, host=os.environ.get("BREACHFLOW_SENDGRID_HOST", DEFAULT_HOST),
                   sender=os.environ.get("BREACHFLOW_EMAIL_FROM", "security@example.com"))

    def _mail(self, notice: Notice, messages: list[Outgoing], claim_token: str,
              incident_ref: str) -> Mail:
        mail = Mail(from_email=From(self.sender, self.sender_name), subject=notice.subject)
        mail.add_content(Content("text/plain", notice.body_text))
        if notice.body_html:
            mail.add_content(Content("text/html", notice.body_html))
        for message in messages:
            personalization = Personalization()
            personalization.add_to(To(message.address))
            personalization.add_custom_arg(CustomArg("delivery_id", message.delivery_id))
            personalization.add_custom_arg(CustomArg("claim", claim_token))
            mail.add_personalization(personalization)
        mail.category = [Category("breach-notice"), Category(incident_ref)]
        return mail

    def send(self, *, notice: Notice, messages: list[Outgoing], claim_token: str,
             incident_ref: str) -> list[Result]:
        def every(outcome: Outcome, error: str | None = None, provider_id: str | None = None,
                  retry_after: float | None = None) -> list[Result]:
            return [Result(m.delivery_id, outcome, provider_id, error, retry_after) for m in messages]

        try:
            response = self.client.send(self._mail(notice, messages, claim_token, incident_ref))
        except http_errors.HTTPError as error:
            status = int(error.status_code)
            if status in (401, 403):
                raise ChannelHalted(f"SendGrid answered {status}: check SENDGRID_API_KEY") from None
            if status == 429:
                reset = (error.headers or {}).get("X-RateLimit-Reset")
                wait = max(1.0, float(reset) - datetime.now().timestamp()) if reset else None
                return every(Outcome.RETRY, "sendgrid-429", retry_after=wait)
            if status == 413:
                return every(Outcome.RETRY, "sendgrid-413")
            if 400 <= status < 500:
                return every(Outcome.FAILED, f"sendgrid-{status}:{_first_field(error)}")
            return every(Outcome.UNKNOWN, f"sendgrid-{status}")
        except urllib.error.URLError as error:
            if isinstance(error.reason, ConnectionRefusedError):
                return every(Outcome.RETRY, "sendgrid-connection-refused")
            return every(Outcome.UNKNOWN, f"sendgrid-{type(error.reason).__name__}")
        except (TimeoutError, socket.timeout, ConnectionError) as error:
            return every(Outcome.UNKNOWN, f"sendgrid-{type(error).__name__}")
        message_id = response.headers.get("X-Message-Id")
        return every(Outcome.ACCEPTED, provider_id=message_id)

    def reconcile(self, *, messages: list[Outgoing], claim_token: str,
                  since: datetime) -> dict[str, str | None]:
        response = self.client.client.messages.get(
            query_params={"limit": 1000, "query": f"unique_args['claim']=\"{claim_token}\""})
        found: dict[str, str] = {}
        for entry in json.loads(response.body or b"{}").get("messages", []):
            found[str(entry.get("to_email", "")).lower()] = str(entry.get("msg_id"))
        return {m.delivery_id: found.get(m.address.lower()) for m in messages}


def _first_field(error: http_errors.HTTPError) -> str:
    try:
        errors: list[dict[str, Any]] = json.loads(error.body or b"{}").get("errors", [])
    except ValueError:
        return "unparsed"
    return str(errors[0].get("field")) if errors else "unknown"
