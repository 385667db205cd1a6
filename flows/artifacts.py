"""Artifacts on every run, for the responders in the Prefect UI: the obligations with their
deadlines and time left, and links to the generated documents. Rules, ids, counts and file
names only: never a person's data."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from prefect.artifacts import create_markdown_artifact, create_table_artifact
from sqlmodel import col, select

from incidents import audit, db, service
from incidents.models import Obligation
from incidents.records import anchors
from incidents.records.status import obligation_json
from incidents.rendering.textify import markdown_escape
from incidents.sqltypes import utcnow

DOCUMENT_FOLDERS = ("notices", "announcement", "reports", "charts")


def time_left(deadline: Any, now: Any) -> str:
    if deadline is None:
        return "-"
    seconds = int((deadline - now).total_seconds())
    days, rest = divmod(abs(seconds), 86400)
    text = f"{days}d {rest // 3600}h"
    return f"overdue by {text}" if seconds < 0 else text


def obligations(incident_id: str) -> None:
    now = utcnow()
    with db.session() as s:
        incident = service.get_incident(session=s, incident_id=incident_id)
        found = list(s.exec(select(Obligation).where(Obligation.incident_id == incident.id)
                            .order_by(col(Obligation.deadline), col(Obligation.jurisdiction))))
    table = [{**{k: v for k, v in obligation_json(o).items() if k in (
        "jurisdiction", "audience", "required", "count", "deadline", "deadline_rule",
        "citation", "needs_review")}, "time_left": time_left(o.deadline, now)} for o in found]
    create_table_artifact(key=f"obligations-{incident_id}", table=table,
                          description="Obligations with deadlines and time left (no personal data)")


def _documents(out: Path) -> list[Path]:
    return sorted(p for folder in DOCUMENT_FOLDERS if (out / folder).is_dir()
                  for p in (out / folder).rglob("*") if p.is_file())


def documents(incident_id: str) -> None:
    """A markdown list linking every generated document (rendered samples, announcement,
    regulator reports); a new version each time more documents exist."""
    with db.session() as s:
        incident = service.get_incident(session=s, incident_id=incident_id)
        out = Path(incident.settings.out or "")
    files = _documents(out) if out.is_dir() else []
    lines = [f"# Documents of incident {markdown_escape(incident.external_id)}", "",
             f"Folder: `{out}`", ""]
    lines += [f"- [{p.relative_to(out)}]({p.resolve().as_uri()})" for p in files] or [
        "No documents yet."]
    create_markdown_artifact(key=f"documents-{incident_id}", markdown="\n".join(lines),
                             description="Links to the generated documents (no personal data)")


def _anchor_key(incident_id: str) -> str:
    return f"audit-anchor-{incident_id.lower()}"


def audit_anchor(incident_id: str) -> None:
    """Anchor the audit trail outside the database: the output folder's anchor file and a
    Prefect artifact (a new version each time), so `breachflow audit verify` can tell that
    no anchored event was removed. Counts and hashes only."""
    found = anchors.anchor_incident(incident_id)
    create_table_artifact(key=_anchor_key(incident_id), table=[found.json()],
                          description="Audit trail anchor: events so far and the newest hash")


def audit_anchors(incident_id: str) -> list[audit.Anchor]:
    """Every version of the incident's anchor artifact on the Prefect server."""
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterKey

    found = []
    with get_client(sync_client=True) as client:
        for artifact in client.read_artifacts(artifact_filter=ArtifactFilter(
                key=ArtifactFilterKey(any_=[_anchor_key(incident_id)]))):
            data = artifact.data
            try:
                rows = json.loads(data) if isinstance(data, str) else data
            except ValueError:
                rows = None
            if not isinstance(rows, list):
                found.append(audit.Anchor(-1, "", "", "Prefect artifact"))
                continue
            for row in rows:
                try:
                    found.append(audit.Anchor(int(row["events"]), str(row["head"]),
                                              str(row["at"]), "Prefect artifact"))
                except (KeyError, TypeError, ValueError):
                    found.append(audit.Anchor(-1, "", "", "Prefect artifact"))
    return found
