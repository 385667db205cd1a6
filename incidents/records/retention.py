"""Retention: after the retention period a closed incident's contact data is removed, while the
counts, decisions and the audit trail stay, as the privacy policy promises (§IV(III), §V(III)).

Purged, a person cannot be found again from what is kept: their directory id is replaced by a
random one (a hash of the id could be reversed by hashing candidate ids), their notice page
link is deleted (the page answers 404), the providers' message ids are cleared, their
activation codes are deleted (the remedy vendor knows who enrolled with which code), the mail
house's batch folders of the incident (letters and manifests with addresses) are removed, and
the output folder is scrubbed of their ids (the data-quality report keeps its counts only).
What the providers themselves keep is theirs to delete: see the README's "Retention"."""

from __future__ import annotations

import json
import os
import re
import secrets
import shutil
from datetime import timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import delete, update
from sqlmodel import col, select

from incidents import audit, db, service
from incidents.exceptions import InputError
from incidents.models import ActivationCode, AffectedSubject, Delivery, Incident, NoticeLink
from incidents.records import anchors
from incidents.sqltypes import utcnow

CLOSED = ("closed", "not_a_breach")
DEFAULT_RETENTION_DAYS = 365
CONTACT_FIELDS = ("full_name", "email", "phone", "push_target", "birth_date", "guardian_email",
                  "guardian_phone", "postal_address")
# Files of the output folder that are text and may quote a directory id. The documents (notices,
# reports, announcement, charts) are rendered per group of people, never per person, and are
# the record of what was sent and filed: they are not rewritten.
DOCUMENT_FOLDERS = frozenset({"notices", "reports", "announcement", "charts"})
TEXT_SUFFIXES = frozenset({".json", ".jsonl", ".csv", ".txt", ".md", ".html", ".svg"})
MAX_SCRUB_BYTES = 64 * 1024 * 1024
_WORD = re.compile(r"[^\s\"',;:<>\[\]{}()|=]+")


def retention() -> timedelta:
    return timedelta(days=int(os.environ.get("BREACHFLOW_RETENTION_DAYS", DEFAULT_RETENTION_DAYS)))


def purge(*, incident_id: str, actor: str) -> dict[str, Any]:
    """Remove one closed incident's contact data; returns counts only."""
    with db.session() as s:
        incident = service.get_incident(session=s, incident_id=incident_id)
        if incident.status not in CLOSED:
            raise InputError(f"incident {incident.external_id!r} is {incident.status}: "
                             "only a closed incident can be purged", field="INCIDENT_ID")
        if incident.purged_at is not None:
            return {"people": 0, "already_purged": True}
        people = list(s.exec(select(AffectedSubject.id, AffectedSubject.subject_id).where(
            AffectedSubject.incident_id == incident.id)))
        for pk, _ in people:
            # Random: nothing kept (not even this incident's id) leads back to the person.
            s.execute(update(AffectedSubject).where(col(AffectedSubject.id) == pk).values(
                subject_id=f"purged-{secrets.token_hex(12)}", **dict.fromkeys(CONTACT_FIELDS)))
        links = s.execute(delete(NoticeLink).where(col(NoticeLink.incident_id) == incident.id))
        cleared = s.execute(update(Delivery).where(
            col(Delivery.incident_id) == incident.id, col(Delivery.provider_id).is_not(None))
            .values(provider_id=None))
        codes = s.execute(delete(ActivationCode).where(col(ActivationCode.incident_id) == incident.id))
        incident.purged_at = utcnow()
        letters = _remove_mail_batches(incident.id)
        out = Path(incident.settings.out) if incident.settings.out else None
        scrubbed = scrub_folder(out, {sid for _, sid in people}, dict(incident.quality)) \
            if out is not None else 0
        audit.record(s, incident_id=incident.id, actor=actor, action="retention.purged",
                     detail={"people": len(people), "fields": list(CONTACT_FIELDS),
                             "notice_links_deleted": links.rowcount,  # type: ignore[attr-defined]
                             "provider_ids_cleared": cleared.rowcount,  # type: ignore[attr-defined]
                             "activation_codes_deleted": codes.rowcount,  # type: ignore[attr-defined]
                             "mail_batches_removed": letters,
                             "files_scrubbed": scrubbed})
        incident_id = incident.id
    if out is not None:
        anchors.anchor_incident(incident_id)
    return {"people": len(people), "already_purged": False}


def _remove_mail_batches(incident_id: str) -> int:
    """The incident's folder in the mail house's drop (`BREACHFLOW_MAIL_DIR`, named by our own
    id); returns the batches removed."""
    drop = os.environ.get("BREACHFLOW_MAIL_DIR")
    folder = Path(drop) / incident_id if drop else None
    if folder is None or not folder.is_dir():
        return 0
    batches = sum(1 for p in folder.iterdir() if p.is_dir())
    shutil.rmtree(folder)
    return batches


def _scrub_text(text: str, ids: set[str], odd: list[str]) -> str:
    text = _WORD.sub(lambda m: "[purged]" if m.group(0) in ids else m.group(0), text)
    for subject_id in odd:  # ids with spaces or punctuation: few, looked for one by one
        text = text.replace(subject_id, "[purged]")
    return text


def scrub_folder(out: Path, ids: set[str], quality: dict[str, Any]) -> int:
    """Remove the incident's directory ids from its output folder; returns files changed. The
    data-quality report keeps its counts; any other text file outside the documents has each
    id replaced."""
    if not out.is_dir():
        return 0
    changed = 0
    report = out / "data-quality.json"
    if report.is_file():
        report.write_text(json.dumps({**quality, "purged": True}, indent=1), encoding="utf-8")
        changed += 1
    odd = [i for i in ids if not _WORD.fullmatch(i)]
    for path in sorted(out.rglob("*")):
        if (path == report or not path.is_file() or path.suffix.lower() not in TEXT_SUFFIXES
                or path.relative_to(out).parts[0] in DOCUMENT_FOLDERS
                or path.stat().st_size > MAX_SCRUB_BYTES):
            continue
        text = path.read_text(encoding="utf-8", errors="surrogateescape")
        cleaned = _scrub_text(text, ids, odd)
        if cleaned != text:
            path.write_text(cleaned, encoding="utf-8", errors="surrogateescape")
            changed += 1
    return changed


def expired() -> list[str]:
    """Closed incidents past the retention period whose contact data is still there."""
    cutoff = utcnow() - retention()
    with db.session() as s:
        return list(s.exec(select(Incident.id).where(
            col(Incident.status).in_(CLOSED), col(Incident.purged_at).is_(None),
            col(Incident.closed_at) <= cutoff)))
