"""Keep provider libraries' log lines about a person away from every log handler.

Inside `captured()`, records that Apprise or urllib3 emit in this thread go to the returned
list (warnings and above, for classifying a failure) and to no handler: urllib3 logs request
paths and query strings at DEBUG (a push path is a device token; a Twilio list query is a
phone number) and Apprise names topics and targets. Other threads are left alone."""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from contextlib import contextmanager

LOGGERS = ("apprise", "urllib3.connectionpool")
_state = threading.local()


class _ThreadCapture(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        found: list[str] | None = getattr(_state, "lines", None)
        if found is None:
            return True
        if record.levelno >= logging.WARNING:
            found.append(record.getMessage())
        return False


_filter = _ThreadCapture()
for _name in LOGGERS:
    logging.getLogger(_name).addFilter(_filter)


@contextmanager
def captured() -> Iterator[list[str]]:
    previous = getattr(_state, "lines", None)
    lines: list[str] = []
    _state.lines = lines
    try:
        yield lines
    finally:
        _state.lines = previous
