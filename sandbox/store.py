"""What the sandbox accepted: an in-memory inbox per channel, optionally appended to JSONL."""

from __future__ import annotations

import json
import threading
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from .wire import CHANNELS, iso_z


@dataclass
class StoredMessage:
    """One message to one recipient, as the provider would have delivered it.

    `delivery_id` is breachflow's ledger key when the sender attached one (SendGrid custom arg
    `delivery_id`; Twilio `StatusCallback` query parameter `delivery_id`; push payload key,
    header `X-Delivery-Id` or query parameter `delivery_id`). It drives the duplicate count.
    """

    channel: str
    id: str
    recipient: str
    received_at: datetime
    status: str
    delivery_id: str | None = None
    fields: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        document: dict[str, Any] = {
            "channel": self.channel,
            "id": self.id,
            "recipient": self.recipient,
            "received_at": iso_z(self.received_at),
            "status": self.status,
            "delivery_id": self.delivery_id,
        }
        document.update(self.fields)
        return document

    @classmethod
    def from_json(cls, document: dict[str, Any]) -> StoredMessage:
        common = ("channel", "id", "recipient", "received_at", "status", "delivery_id")
        return cls(
            channel=str(document["channel"]),
            id=str(document["id"]),
            recipient=str(document["recipient"]),
            received_at=datetime.fromisoformat(str(document["received_at"])),
            status=str(document["status"]),
            delivery_id=document.get("delivery_id"),
            fields={k: v for k, v in document.items() if k not in common},
        )


class MessageStore:
    """Thread-safe inbox plus request counters; every method takes the one lock."""

    def __init__(self, persist_path: Path | None = None) -> None:
        self._lock = threading.Lock()
        self._messages: list[StoredMessage] = []
        self._counters: Counter[tuple[str, str]] = Counter()
        self._persist_path = persist_path
        if persist_path is not None:
            self._messages.extend(_load_jsonl(persist_path))

    def add(self, messages: Iterable[StoredMessage]) -> None:
        batch = list(messages)
        with self._lock:
            self._messages.extend(batch)
            if self._persist_path is not None:
                _append_jsonl(self._persist_path, batch)

    def count(self, channel: str, outcome: str) -> None:
        with self._lock:
            self._counters[(channel, outcome)] += 1

    def select(
        self,
        channel: str | None = None,
        where: Callable[[StoredMessage], bool] | None = None,
    ) -> list[StoredMessage]:
        """Matching messages, oldest first."""
        with self._lock:
            snapshot = list(self._messages)
        return [
            m for m in snapshot if (channel is None or m.channel == channel) and (where is None or where(m))
        ]

    def reset(self) -> None:
        with self._lock:
            self._messages.clear()
            self._counters.clear()
            if self._persist_path is not None:
                self._persist_path.write_text("", encoding="utf-8")

    def stats(self) -> dict[str, Any]:
        with self._lock:
            snapshot = list(self._messages)
            counters = dict(self._counters)
        duplicates = _duplicates(snapshot)
        outcomes: dict[str, dict[str, int]] = {c: {} for c in CHANNELS}
        for (channel, outcome), n in sorted(counters.items()):
            outcomes.setdefault(channel, {})[outcome] = n
        return {
            "counts": {c: sum(1 for m in snapshot if m.channel == c) for c in CHANNELS},
            "duplicates": {c: len(duplicates[c]) for c in CHANNELS},
            "duplicates_total": sum(len(ids) for ids in duplicates.values()),
            "duplicate_delivery_ids": {c: sorted(set(duplicates[c])) for c in CHANNELS},
            "requests": outcomes,
        }


def _duplicates(messages: list[StoredMessage]) -> dict[str, list[str]]:
    """Per channel, one delivery id for each recipient that got that id more than once.

    Only ids are reported, never recipients, so the stats page carries no personal data.
    """
    seen = Counter((m.channel, m.recipient.casefold(), m.delivery_id) for m in messages)
    found: dict[str, list[str]] = {c: [] for c in CHANNELS}
    for (channel, _recipient, delivery_id), n in seen.items():
        if delivery_id is not None and n > 1:
            found.setdefault(channel, []).append(delivery_id)
    return found


def _load_jsonl(path: Path) -> list[StoredMessage]:
    if not path.exists():
        return []
    messages = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            messages.append(StoredMessage.from_json(json.loads(line)))
    return messages


def _append_jsonl(path: Path, batch: list[StoredMessage]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a", encoding="utf-8") as handle:
        for message in batch:
            handle.write(json.dumps(message.to_json()) + "\n")
