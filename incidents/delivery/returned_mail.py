"""Returned mail: letters the post brought back move their people on.

`breachflow mail returned INCIDENT_ID FILE.csv` reads a CSV with a `delivery_id` column (the
reference printed on each letter) and optional `reason` and `returned_at` (ISO 8601). Every row
is checked before anything is written: an unreadable file, a missing column, an id that is not
one of this incident's letters or a date that is not one fails with the line named and changes
nothing. Then each letter becomes `bounced` through the ledger's event path (a letter already
returned stays as it is), the ladder moves its person on (their next channel, else the
announcement or `needs_action`), the steps that follow run again on `breachflow resume`, and
the audit trail records the counts."""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Final

from sqlmodel import col, select

from incidents import audit, db, service, steps
from incidents.delivery import ledger
from incidents.exceptions import InputError
from incidents.models import Delivery

MAX_BYTES: Final = 50 * 1024 * 1024
# A reason is kept as a short code only: free text from a mail room may quote an address.
_REASON: Final = re.compile(r"[^a-z]+")
RERUN: Final = ("notification", "announcement", "close")


@dataclass(frozen=True)
class Returned:
    delivery_id: str
    reason: str
    returned_at: datetime | None


def read(path: Path) -> list[Returned]:
    """The rows of a returned-mail file, checked; InputError names the first problem."""
    label = f"returned-mail file {path.name!r}"
    try:
        if path.stat().st_size > MAX_BYTES:
            raise InputError(f"{label}: larger than {MAX_BYTES // 1024 // 1024} MiB", field="FILE")
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as error:
        raise InputError(f"{label}: cannot be read ({type(error).__name__})", field="FILE") from None
    try:
        rows = list(csv.reader(text.splitlines()))
    except csv.Error as error:
        raise InputError(f"{label}: not CSV ({error})", field="FILE") from None
    if not rows or "delivery_id" not in [c.strip() for c in rows[0]]:
        raise InputError(f"{label}: needs a delivery_id column (the reference printed on the "
                         "letter)", field="delivery_id")
    header = [c.strip() for c in rows[0]]
    found: list[Returned] = []
    for number, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue
        if len(row) != len(header):
            raise InputError(f"{label}, line {number}: {len(row)} fields, the header has "
                             f"{len(header)}", field="FILE")
        values = dict(zip(header, (cell.strip() for cell in row), strict=True))
        delivery_id = values["delivery_id"]
        if not re.fullmatch(r"[0-9a-f]{32}", delivery_id):
            raise InputError(f"{label}, line {number}: delivery_id is not a letter reference",
                             field="delivery_id")
        found.append(Returned(delivery_id, _reason(values.get("reason") or ""),
                              _when(values.get("returned_at") or "", label=label, line=number)))
    if not found:
        raise InputError(f"{label}: no returned letters listed", field="FILE")
    return found


def _reason(raw: str) -> str:
    code = _REASON.sub("-", raw.lower()).strip("-")[:40].strip("-")
    return code or "returned"


def _when(raw: str, *, label: str, line: int) -> datetime | None:
    if not raw:
        return None
    try:
        moment = datetime.fromisoformat(raw.replace("Z", "+00:00"))
    except ValueError:
        raise InputError(f"{label}, line {line}: returned_at is not an ISO 8601 date or time",
                         field="returned_at") from None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def returned(*, incident_id: str, path: Path, actor: str) -> dict[str, Any]:
    """Mark the listed letters returned and move their people on; counts only."""
    rows = read(path)
    with db.session() as s:
        incident = service.get_incident(session=s, incident_id=incident_id)
        ids = [r.delivery_id for r in rows]
        letters = set(s.exec(select(Delivery.id).where(
            col(Delivery.incident_id) == incident.id, col(Delivery.channel) == "letter",
            col(Delivery.id).in_(ids))).all())
    unknown = [n for n, r in enumerate(rows, start=2) if r.delivery_id not in letters]
    if unknown:
        raise InputError(f"returned-mail file {path.name!r}, line {unknown[0]}: not a letter of "
                         f"this incident ({len(unknown)} such rows)", field="delivery_id")
    moved = sum(ledger.apply_event(r.delivery_id, "bounced", error=f"returned:{r.reason}",
                                   at=r.returned_at, channel="letter") for r in rows)
    # Every channel of the ladder is a candidate here; one this process does not serve fails
    # at once in the next delivery round and the ladder moves on from there.
    fallback = ledger.fall_back(incident.id) if moved else 0
    with db.session() as s:
        if moved:
            steps.run_again(s, incident_id=incident.id, names=RERUN)
        counts = {"rows": len(rows), "returned": moved, "already_returned": len(rows) - moved,
                  "next_channel": fallback}
        audit.record(s, incident_id=incident.id, actor=actor, action="mail.returned",
                     detail=counts)
    return {**counts, "incident_id": incident.id}
