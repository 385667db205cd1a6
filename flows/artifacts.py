"""Artifacts on every run, for the responders in the Prefect UI: the obligations with their
deadlines and time left, each rendered notice with its text, and the generated documents.
One card per key, updated in place. Rules, ids, counts, hashes and group-rendered notice text
only: never a person's data."""

from __future__ import annotations

import json
import threading
from datetime import datetime
from pathlib import Path
from typing import Any

from prefect.artifacts import create_markdown_artifact, create_table_artifact
from sqlmodel import select

from incidents import audit, db, service
from incidents.models import Notice, Obligation
from incidents.notices import samples
from incidents.records import anchors
from incidents.records.status import obligation_json
from incidents.rendering.textify import markdown_escape
from incidents.sqltypes import utcnow

DOCUMENT_FOLDERS = ("notices", "announcement", "reports", "charts")
NOTICE_TEXT_LIMIT = 6000  # characters of a notice shown in its card; the HTML link has all
FENCE = "`" * 3


def time_left(deadline: datetime | None, now: datetime) -> str:
    if deadline is None:
        return "-"
    seconds = int((deadline - now).total_seconds())
    days, rest = divmod(abs(seconds), 86400)
    text = f"{days} d {rest // 3600} h" if days else f"{rest // 3600} h {rest % 3600 // 60} min"
    return f"overdue by {text}" if seconds < 0 else text


def key_of(kind: str, incident_id: str, *parts: str) -> str:
    """Prefect artifact keys: lowercase letters, digits and dashes."""
    return "-".join([kind, incident_id.lower(), *(p.lower() for p in parts)])


def ui_link(artifact_id: Any) -> str:
    """The Prefect UI's page of an artifact (its content), relative to the UI."""
    return f"/artifacts/artifact/{artifact_id}"


def link_for_key(key: str) -> str | None:
    found = _latest_id(key)
    return ui_link(found) if found is not None else None


def _latest_id(key: str) -> Any | None:
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterKey
    from prefect.client.schemas.sorting import ArtifactSort

    with get_client(sync_client=True) as client:
        found = client.read_artifacts(artifact_filter=ArtifactFilter(
            key=ArtifactFilterKey(any_=[key])), sort=ArtifactSort.CREATED_DESC, limit=1)
    return found[0].id if found else None


_UPSERT = threading.Lock()  # the regulator track's thread and the run's own both write cards

# Prefect refuses an event over 1.5 MB, and updating an artifact emits one with its text: the
# documents card of a few hundred thousand people (a line per rendered notice) outgrew it and
# failed the run. Cards stay well under it; the files themselves are in the output folder.
MARKDOWN_MAX_BYTES = 1_000_000


def bounded(markdown: str, limit: int = MARKDOWN_MAX_BYTES) -> str:
    """The card's text cut at a line end to stay under `limit` bytes, saying so."""
    if len(markdown.encode("utf-8")) <= limit:
        return markdown
    note = "\n\n(cut here: the card is too long for Prefect; every document is in the output folder)"
    head = markdown.encode("utf-8")[:limit - len(note.encode("utf-8"))].decode("utf-8", "ignore")
    return head[:head.rfind("\n")] + note if "\n" in head else head + note


def upsert(kind: str, key: str, data: Any, description: str) -> str:
    """One card per key, updated in place: a resumed run passes here again and must not add
    another identical card (the audit anchor alone keeps every version, by design). Returns
    the artifact's id, stable across updates, for links to it."""

    with _UPSERT:
        return _upsert(kind, key, data, description)


def _upsert(kind: str, key: str, data: Any, description: str) -> str:
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.actions import ArtifactUpdate

    if kind == "markdown":
        data = bounded(data)
    found = _latest_id(key)
    if found is None:
        if kind == "table":
            created = create_table_artifact(key=key, table=data, description=description)
        else:
            created = create_markdown_artifact(key=key, markdown=data, description=description)
        return str(created)
    payload = json.dumps(data) if kind == "table" else data
    with get_client(sync_client=True) as client:
        client.update_artifact(found, ArtifactUpdate(data=payload, description=description))
    return str(found)


def _obligation_rows(incident_id: str, now: datetime) -> list[Obligation]:
    with db.session() as s:
        found = list(s.exec(select(Obligation).where(Obligation.incident_id == incident_id)))

    def order(o: Obligation) -> tuple[Any, ...]:
        # Open before fulfilled, dated before undated, the earliest (so the overdue) first.
        return (o.fulfilled_at is not None, o.deadline is None, o.deadline or now,
                o.jurisdiction, o.audience)

    return sorted(found, key=order)


def label(o: Obligation) -> str:
    return f"{o.jurisdiction} {o.audience}"


def nearest_deadline(incident_id: str) -> str | None:
    """"EU regulator due in 1 d 19 h" for the open obligation due first, else None."""
    now = utcnow()
    for o in _obligation_rows(incident_id, now):
        if o.fulfilled_at is None and o.deadline is not None and o.required:
            left = time_left(o.deadline, now)
            return f"{label(o)} {left}" if left.startswith("overdue") else f"{label(o)} due in {left}"
    return None


def obligations(incident_id: str) -> None:
    """One table per incident, updated in place as things move: time left is computed now."""
    now = utcnow()
    table = []
    for o in _obligation_rows(incident_id, now):
        table.append({
            "jurisdiction": o.jurisdiction,
            "time_left": "fulfilled" if o.fulfilled_at else time_left(o.deadline, now),
            "audience": o.audience, "deadline": obligation_json(o)["deadline"],
            "required": o.required, "count": o.count, "phase": o.phase,
            "deadline_rule": o.deadline_rule, "citation": o.citation,
            "needs_review": o.needs_review})
    upsert("table", key_of("obligations", incident_id), table,
           f"Obligations, overdue first; time left as of {now:%Y-%m-%d %H:%M} UTC "
           "(no personal data)")


def _documents(out: Path) -> list[Path]:
    return sorted(p for folder in DOCUMENT_FOLDERS if (out / folder).is_dir()
                  for p in (out / folder).rglob("*") if p.is_file())


def notice_key(notice: Notice) -> str:
    """The card of the notice's cell: jurisdictions × locale × channel, and the audience."""
    return key_of("notice", notice.incident_id, notice.channel, notice.audience, notice.locale,
                  *notice.jurisdictions)


def group_label(notice: Notice) -> str:
    places = ", ".join(notice.jurisdictions) or "-"
    who = "" if notice.audience in ("individuals", "subject") else f" ({notice.audience})"
    return f"{places} × {notice.locale} × {notice.channel}{who}"


def _notice_markdown(notice: Notice, external_id: str, *, recipients: int, versions: int) -> str:
    url = samples.sample_url(notice)
    text = notice.body_text
    lines = [f"# Notice: {markdown_escape(group_label(notice))}", "",
             f"Incident **{markdown_escape(external_id)}** · audience {notice.audience} · "
             f"**{recipients} recipients** in {versions} version(s); shown: the version sent to "
             f"{notice.recipients} · content hash `{notice.content_hash[:16]}` · "
             f"data categories: {', '.join(notice.data_categories) or '-'}", "",
             (f"[Open the rendered notice (HTML)]({url})" if url else
              "The rendered HTML is linked here when BREACHFLOW_API_TOKEN is set."), "",
             f"**Subject:** {markdown_escape(notice.subject)}", "", FENCE + "text",
             text[:NOTICE_TEXT_LIMIT].replace(FENCE, "'''"), FENCE]
    if len(text) > NOTICE_TEXT_LIMIT:
        lines += ["", f"(the first {NOTICE_TEXT_LIMIT} characters; the HTML link shows all)"]
    if versions > 1:
        lines += ["", "The other versions differ only in what the group's people had exposed "
                  "(data categories, minors); every version is in the notice pack's index."]
    return "\n".join(lines)


def _cells(incident_id: str) -> list[tuple[Notice, int, int]]:
    """One cell per jurisdictions × locale × channel × audience: (the version most people
    get, recipients in all, versions). Rendered notices split further by data categories; a
    card each would be thousands of cards at scale and nothing a reviewer can read through."""
    with db.session() as s:
        found = list(s.exec(select(Notice).where(Notice.incident_id == incident_id)))
    cells: dict[str, list[Notice]] = {}
    for notice in sorted(found, key=lambda n: (-n.recipients, n.group_key)):
        cells.setdefault(notice_key(notice), []).append(notice)
    rows = [(group[0], sum(n.recipients for n in group), len(group)) for group in cells.values()]
    return sorted(rows, key=lambda row: (-row[1], row[0].channel, row[0].locale))


def notices(incident_id: str) -> list[str]:
    """One Markdown card per cell (jurisdictions × locale × channel): the text of the version
    most of its people get (a person's page link is still the placeholder), the recipient
    count, the content hash and a link to the HTML. Returns the keys."""
    with db.session() as s:
        external_id = service.get_incident(session=s, incident_id=incident_id).external_id
    keys = []
    for notice, recipients, versions in _cells(incident_id):
        key = notice_key(notice)
        upsert("markdown", key, _notice_markdown(notice, external_id, recipients=recipients,
                                                 versions=versions),
               f"Notice {group_label(notice)}: {recipients} recipients (no personal data)")
        keys.append(key)
    return keys


def notice_index(incident_id: str) -> str:
    """A Markdown table of the notice cells, linking their cards and their HTML."""
    found = _cells(incident_id)
    lines = ["| jurisdictions × locale × channel | recipients | versions | hash | text | HTML |",
             "|---|---:|---:|---|---|---|"]
    for n, recipients, versions in found:
        url, card = samples.sample_url(n), link_for_key(notice_key(n))
        lines.append(f"| {markdown_escape(group_label(n))} | {recipients} | {versions} | "
                     f"`{n.content_hash[:12]}` | {f'[read]({card})' if card else '-'} | "
                     f"{f'[HTML]({url})' if url else '-'} |")
    return "\n".join(lines) if found else "No notices rendered yet."


def documents(incident_id: str) -> None:
    """The notices (cards to read, HTML links) and the generated files by folder; one card
    per incident, updated in place as more documents exist."""
    with db.session() as s:
        incident = service.get_incident(session=s, incident_id=incident_id)
        out = Path(incident.settings.out or "")
    counts: dict[str, int] = {}
    for p in _documents(out) if out.is_dir() else []:
        folder = p.relative_to(out).parts[0]
        counts[folder] = counts.get(folder, 0) + 1
    lines = [f"# Documents of incident {markdown_escape(incident.external_id)}", "",
             "## Notices", "", notice_index(incident.id), "", "## Files", "",
             f"In the output folder `{markdown_escape(out.name)}` on the breachflow host:", ""]
    lines += [f"- `{folder}/`: {count} files" for folder, count in sorted(counts.items())] or [
        "No documents yet."]
    upsert("markdown", key_of("documents", incident.id), "\n".join(lines),
           "The notices to read and approve, and the generated files (no personal data)")


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
