"""A safety net: scrub anything shaped like an e-mail address or a phone number from text
that leaves the database (step errors, log records). The first line of defence is never to
put personal data there at all."""

from __future__ import annotations

import logging
import re

_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(\.[\w-]+)+")
# Contacts are E.164 in breachflow, so a phone number starts with "+"; requiring it keeps
# dates and external ids like "DEMO-20261129-064436" readable.
_PHONE = re.compile(r"\+\d[\d ()-]{6,}\d")


def redact(text: str) -> str:
    return _PHONE.sub("[phone]", _EMAIL.sub("[email]", text))


class RedactingFilter(logging.Filter):
    """Installed on breachflow's and Prefect's handlers so a slip in a message is scrubbed."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        return True
