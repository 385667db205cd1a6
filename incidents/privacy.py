"""A safety net: scrub anything shaped like an e-mail address, a phone number or a URL's
credentials from text that leaves the database (step errors, log records and the tracebacks
they carry). The first line of defence is never to put personal data there at all."""

from __future__ import annotations

import logging
import re
import traceback

_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(\.[\w-]+)+")
# International numbers start with "+"; requiring it for free-form digits keeps dates and
# external ids like "DEMO-20261129-064436" readable. North American numbers are also written
# nationally: (415) 555-0100, 415-555-0100, 415.555.0100.
_PHONE = re.compile(r"\+\d[\d ()-]{6,}\d"
                    r"|\(\d{3}\)\s*\d{3}[-.\s]\d{4}\b"
                    r"|\b\d{3}[-.]\d{3}[-.]\d{4}\b")
# scheme://user:password@host -> scheme://[credentials]@host
_URL_CREDENTIALS = re.compile(r"(\b[A-Za-z][A-Za-z0-9+.-]*://)[^\s/@:]*:[^\s/@]*@")


def redact(text: str) -> str:
    text = _URL_CREDENTIALS.sub(r"\1[credentials]@", text)
    return _PHONE.sub("[phone]", _EMAIL.sub("[email]", text))


class RedactingFilter(logging.Filter):
    """Installed on breachflow's and Prefect's handlers so a slip in a message is scrubbed.
    A record's traceback is formatted here and scrubbed with the message: handlers format
    `exc_info` themselves, after every filter has run."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        extra = []
        if record.exc_info and record.exc_info[0] is not None:
            extra.append("".join(traceback.format_exception(*record.exc_info)).rstrip())
        elif record.exc_text:
            extra.append(record.exc_text)
        if record.stack_info:
            extra.append(record.stack_info)
        full = "\n".join([message, *extra])
        cleaned = redact(full)
        if cleaned != full or extra:
            record.msg, record.args = cleaned, None
            record.exc_info, record.exc_text, record.stack_info = None, None, None
        return True
