"""The human view: `GET /` lists the latest messages per channel. Every value is escaped, since
message text, subjects and tokens come from whoever called the sandbox."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from html import escape
from typing import Any

from .store import StoredMessage
from .wire import CHANNELS, iso_z

PER_CHANNEL = 50
_SNIPPET = 140


def render(stats: Mapping[str, Any], messages: Sequence[StoredMessage]) -> str:
    sections = [_section(channel, messages) for channel in CHANNELS]
    counts = ", ".join(f"{escape(c)}: {int(stats['counts'][c])}" for c in CHANNELS)
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta http-equiv="refresh" content="5">
<title>breachflow sandbox inbox</title>
<style>
body {{ font: 14px system-ui, sans-serif; margin: 2em; }}
table {{ border-collapse: collapse; width: 100%; margin-bottom: 2em; }}
th, td {{ border-bottom: 1px solid #ddd; padding: 4px 8px; text-align: left; vertical-align: top; }}
.bad {{ color: #a00; }}
</style></head><body>
<h1>breachflow sandbox inbox</h1>
<p>Messages: {counts}. Duplicate deliveries: {int(stats["duplicates_total"])}.
<a href="/sandbox/stats">stats</a> · <a href="/sandbox/messages">all messages (JSON)</a></p>
{"".join(sections)}
</body></html>
"""


def _section(channel: str, messages: Sequence[StoredMessage]) -> str:
    latest = [m for m in messages if m.channel == channel][-PER_CHANNEL:]
    rows = "".join(_row(m) for m in reversed(latest)) or '<tr><td colspan="5">none yet</td></tr>'
    return (
        f"<h2>{escape(channel)}</h2><table><tr><th>received</th><th>to</th><th>subject / text</th>"
        f"<th>status</th><th>delivery id</th></tr>{rows}</table>"
    )


def _row(message: StoredMessage) -> str:
    status_class = "" if message.status in ("delivered", "completed") else ' class="bad"'
    return (
        f"<tr><td>{escape(iso_z(message.received_at))}</td><td>{escape(message.recipient)}</td>"
        f"<td>{escape(_summary(message))}</td><td{status_class}>{escape(message.status)}</td>"
        f"<td>{escape(message.delivery_id or '')}</td></tr>"
    )


def _summary(message: StoredMessage) -> str:
    f = message.fields
    if message.channel == "email":
        text = f.get("subject") or f.get("template_id") or ""
    elif message.channel == "sms":
        text = f.get("body") or ""
    elif message.channel == "voice":
        text = f.get("twiml") or f.get("url") or ""
    else:
        text = " — ".join(str(x) for x in (f.get("title"), f.get("message")) if x)
    text = str(text)
    return text if len(text) <= _SNIPPET else text[: _SNIPPET - 1] + "…"
