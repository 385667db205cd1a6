"""SMS through Twilio Messages with the official `twilio` client.

The sender is a Messaging Service SID (`MG…`, Twilio picks the number and handles STOP) or a
sender number (`BREACHFLOW_SMS_FROM`). Each message carries a `StatusCallback` whose only
parameter is the delivery id, and a `ValidityPeriod` (`BREACHFLOW_SMS_VALIDITY`, seconds,
default 4 hours) after which Twilio drops it instead of delivering a stale notice. Its length is
counted the way carriers bill it (GSM-7 or UCS-2 segments, `incidents.notices.segments`); the pacer
counts segments, since a sender's throughput (MPS) is in segments; a notice longer than
`BREACHFLOW_SMS_MAX_SEGMENTS` (default 10: Twilio's 1,600 characters) is not sent as SMS."""

from __future__ import annotations

import os
from collections.abc import Set as AbstractSet
from datetime import datetime, timedelta
from typing import ClassVar

from twilio.rest import Client

from incidents.channels.base import Outgoing
from incidents.channels.twilio_channel import TwilioChannel, from_env
from incidents.models import Notice
from incidents.notices import segments

SANDBOX_SERVICE = "MG" + "5b" * 16
DEFAULT_VALIDITY = 4 * 3600
MAX_VALIDITY = 36_000


class TwilioSms(TwilioChannel):
    name: ClassVar[str] = "sms"
    batch_size = 500

    def __init__(self, *, validity_period: int | None = None, max_segments: int | None = None,
                 **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        validity = validity_period or int(os.environ.get("BREACHFLOW_SMS_VALIDITY", DEFAULT_VALIDITY))
        self.validity_period = max(1, min(MAX_VALIDITY, validity))
        self.max_segments = max_segments or int(os.environ.get("BREACHFLOW_SMS_MAX_SEGMENTS", "10"))
        self.batch_size = int(os.environ.get("BREACHFLOW_SMS_BATCH", str(self.batch_size)))

    @classmethod
    def from_env(cls, sandbox: str | None = None) -> TwilioSms | None:
        channel: TwilioSms | None = from_env(cls, sender_env="BREACHFLOW_SMS_FROM",
                                             sandbox=sandbox, sandbox_sender=SANDBOX_SERVICE)
        return channel

    @property
    def uses_service(self) -> bool:
        return self.sender.startswith("MG")

    @staticmethod
    def text(notice: Notice, message: Outgoing | None = None) -> str:
        body = notice.body_text.strip()
        return message.text(body) if message is not None else body

    def _tokens(self, notice: Notice) -> float:
        return float(max(1, segments.segments(self.text(notice))))

    def _refuse(self, notice: Notice, message: Outgoing) -> str | None:  # noqa: ARG002
        if segments.segments(self.text(notice)) > self.max_segments:
            return "sms-too-long"
        return None

    def _create(self, client: Client, notice: Notice, message: Outgoing) -> str:
        sender = ({"messaging_service_sid": self.sender} if self.uses_service
                  else {"from_": self.sender})
        created = client.messages.create(
            to=message.address, body=self.text(notice, message),
            status_callback=self.status_callback(message.delivery_id),
            validity_period=self.validity_period, **sender)
        return str(created.sid)

    def _find(self, client: Client, message: Outgoing, notice: Notice | None,
              since: datetime, *, taken: AbstractSet[str]) -> str | None:
        after = since - timedelta(seconds=1)  # the API's dates have whole seconds
        for sent in client.messages.list(to=message.address, date_sent_after=after, limit=50):
            created = sent.date_created
            ours = (sent.messaging_service_sid == self.sender if self.uses_service
                    else sent.from_ == self.sender)
            same = notice is None or (sent.body or "").strip() == self.text(notice, message)
            if ours and same and created is not None and created >= after \
                    and str(sent.sid) not in taken:
                return str(sent.sid)
        return None
