"""The audit trail: each event's hash is an HMAC-SHA256, under a key kept outside the database,
of its content and the previous event's hash; anchors outside the database fix its length.

Without the key nobody can write a hash that verifies, so an edited, inserted, removed or
reordered event shows, even if every later hash is recomputed. The key is
`BREACHFLOW_AUDIT_KEY` (any string; the same on every host that writes events) or else the
file `audit.key` in BREACHFLOW_HOME, created with mode 0600 on first use.

The chain alone cannot show that its newest events were deleted: what remains is a valid,
shorter chain. Anchors can. At each gate and at close the flow writes the number of events
and the newest hash to `audit-anchors.jsonl` in the incident's output folder (and to a Prefect
artifact; incidents/records/anchors.py), and `verify` checks every anchor it finds against the
trail."""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import secrets
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlmodel import Session, col, select

from incidents import config
from incidents.models import AuditEvent
from incidents.sqltypes import utcnow

GENESIS = "0" * 64
KEY_ENV = "BREACHFLOW_AUDIT_KEY"
KEY_FILE = "audit.key"
ANCHOR_FILE = "audit-anchors.jsonl"


def _key_from_file(path: Path) -> bytes:
    try:
        handle = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        for _ in range(50):  # another process may be writing it this instant
            value = path.read_bytes().strip()
            if value:
                return value
            time.sleep(0.02)
        raise RuntimeError(f"the audit key file {path.name} in BREACHFLOW_HOME is empty") from None
    value = secrets.token_hex(32).encode()
    with os.fdopen(handle, "wb") as written:
        written.write(value + b"\n")
    return value


_keys: dict[str, bytes] = {}


def key() -> bytes:
    """The chain's key: BREACHFLOW_AUDIT_KEY, else BREACHFLOW_HOME/audit.key (made if missing)."""
    configured = os.environ.get(KEY_ENV)
    if configured:
        return configured.encode()
    home = config.load().home
    found = _keys.get(str(home))
    if found is None:
        home.mkdir(parents=True, exist_ok=True)
        found = _keys[str(home)] = _key_from_file(home / KEY_FILE)
    return found


def _body(event: AuditEvent) -> bytes:
    return json.dumps(
        [event.incident_id, event.at.isoformat(), event.actor, event.action, event.detail,
         event.prev_hash],
        sort_keys=True, separators=(",", ":"), default=str,
    ).encode()


def _digest(event: AuditEvent, secret: bytes | None = None) -> str:
    return hmac.new(secret or key(), _body(event), hashlib.sha256).hexdigest()


def record(session: Session, *, incident_id: str, actor: str, action: str,
           detail: dict[str, Any] | None = None) -> AuditEvent:
    """Append an event; `detail` holds decisions and counts, never personal data."""
    last = session.exec(
        select(AuditEvent.hash).where(AuditEvent.incident_id == incident_id)
        .order_by(col(AuditEvent.id).desc()).limit(1)
    ).first()
    event = AuditEvent(incident_id=incident_id, at=utcnow(), actor=actor, action=action,
                       detail=detail or {}, prev_hash=last or GENESIS, hash="")
    event.hash = _digest(event)
    session.add(event)
    session.flush()
    return event


@dataclass(frozen=True)
class Anchor:
    """The trail's length and newest hash at one moment, kept outside the database."""

    events: int
    head: str
    at: str
    where: str = "file"

    def json(self) -> dict[str, Any]:
        return {"events": self.events, "head": self.head, "at": self.at}


def anchor(session: Session, *, incident_id: str) -> Anchor:
    hashes = session.exec(select(AuditEvent.hash).where(AuditEvent.incident_id == incident_id)
                          .order_by(col(AuditEvent.id))).all()
    return Anchor(len(hashes), hashes[-1] if hashes else GENESIS, utcnow().isoformat())


def write_anchor(found: Anchor, *, out_dir: Path) -> Path:
    """Append the anchor to the output folder's anchor file (one JSON object per line)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / ANCHOR_FILE
    with open(path, "a", encoding="utf-8") as handle:
        handle.write(json.dumps(found.json(), sort_keys=True) + "\n")
    return path


def read_anchors(out_dir: Path) -> list[Anchor]:
    path = out_dir / ANCHOR_FILE
    if not path.is_file():
        return []
    found = []
    for line in path.read_text(encoding="utf-8").splitlines():
        try:
            data = json.loads(line)
            found.append(Anchor(int(data["events"]), str(data["head"]), str(data["at"])))
        except (ValueError, KeyError, TypeError):
            found.append(Anchor(-1, "", "", "file (unreadable line)"))
    return found


def verify(session: Session, *, incident_id: str,
           anchors: list[Anchor] | None = None) -> list[str]:
    """Problems found in the chain and against the anchors; empty when every event is intact,
    in place, and no anchored event is missing."""
    problems: list[str] = []
    secret = key()
    expected_prev = GENESIS
    events = session.exec(
        select(AuditEvent).where(AuditEvent.incident_id == incident_id).order_by(col(AuditEvent.id))
    ).all()
    for event in events:
        if event.prev_hash != expected_prev:
            problems.append(f"event {event.id} ({event.action}): chain broken before it")
        if not hmac.compare_digest(_digest(event, secret), event.hash):
            problems.append(f"event {event.id} ({event.action}): content was altered "
                            "(or written without the audit key)")
        expected_prev = event.hash
    for found in anchors or []:
        if found.events < 0:
            problems.append(f"anchor ({found.where}): unreadable")
        elif found.events > len(events):
            problems.append(f"anchor of {found.at} ({found.where}): {found.events} events, "
                            f"only {len(events)} remain: events were removed")
        elif found.events and events[found.events - 1].hash != found.head:
            problems.append(f"anchor of {found.at} ({found.where}): event {found.events} is not "
                            "the one anchored: the trail was rewritten")
    return problems


def reseal(rows: list[dict[str, Any]], secret: bytes) -> dict[int, tuple[str, str]]:
    """Keyed hashes for one incident's events written before the chain was keyed (rows in id
    order, as dicts of AuditEvent columns): id -> (prev_hash, hash), as far as their old
    unkeyed chain holds. From the first event whose old hash does not match, nothing is
    resealed: `verify` reports those events."""
    updated: dict[int, tuple[str, str]] = {}
    old_prev, new_prev = GENESIS, GENESIS
    for row in rows:
        event = AuditEvent(**{**row, "prev_hash": old_prev})
        if row["prev_hash"] != old_prev or hashlib.sha256(_body(event)).hexdigest() != row["hash"]:
            break
        old_prev = row["hash"]
        event.prev_hash = new_prev
        sealed = _digest(event, secret)
        updated[row["id"]] = (new_prev, sealed)
        new_prev = sealed
    return updated
