"""`breachflow export INCIDENT_ID`: the notice pack for legal, one zip file.

What a reviewer opens first has a human name:
- `cover-memo.pdf` / `.html`: the incident, who decided what and when, the obligations with
  their deadlines and states (a report's draft/approved/filed/overdue), why any is marked
  `needs_review`, what is still to complete, and the index below;
- `index/<jurisdiction>/<locale>/<channel>[-guardian].*` (and `index.json`): one representative
  notice per jurisdiction × locale × channel with the number of people it went to; letters also
  as a PDF specimen, printed as the mail house prints them;
- `to-complete.json`: everything still open, in one list;
- `data-quality.json` (the counts; the full report, which names directory ids, stays in the
  output folder) and `plan/` (the plan and its timeline chart, as the run made them).

Behind them, by content hash as before: every distinct notice version (with the elements it
carries and why, who approved it and how many people it went to), the public announcement with
where and when it was posted, the media notice (press release) with each outlet it went to and
when, the regulator reports with their filing record, the obligations
with citations, the audit trail with its verification, and a manifest tying them together.
Versions and counts only: no person's name or address is in the pack (the notices are written
per group of people).

The zip is reproducible: fixed member times, sorted members and JSON keys, and each pack's own
`export.created` audit record left out of the next pack, so the same facts give the same bytes.
Its SHA-256 goes into the audit trail.
"""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from collections import Counter
from datetime import datetime
from pathlib import Path
from typing import Any, Final

from sqlalchemy import func
from sqlmodel import Session, col, select

from incidents import accounting, audit, db, service
from incidents.exceptions import BreachflowError
from incidents.models import (
    Announcement,
    Delivery,
    Incident,
    Notice,
    Obligation,
)
from incidents.names import safe_name
from incidents.notices import page as notice_page
from incidents.notices.elements import policy_promises_kept
from incidents.notices.elements import select as select_elements
from incidents.notices.generation import laws_for
from incidents.records import filing, provenance, review
from incidents.records.status import obligation_json
from incidents.sqltypes import iso_z, utcnow

EPOCH: Final = (2000, 1, 1, 0, 0, 0)
# The plan's files as flows/planning.py writes them under the output folder.
PLAN_FOLDER: Final = "charts"
PLAN_SUFFIXES: Final = frozenset({".json", ".svg", ".png"})
EXTENSION: Final = {"email": "html", "letter": "html", "page": "html"}


def _sent(s: Session, incident_id: str) -> Counter[int]:
    """Notice id -> deliveries of that notice (by id: groups can share a version's text)."""
    return Counter({i: n for i, n in s.exec(
        select(Delivery.notice_id, func.count()).where(Delivery.incident_id == incident_id)
        .group_by(col(Delivery.notice_id))) if i is not None})


def _notices(s: Session, incident: Incident) -> tuple[list[dict[str, Any]], dict[str, bytes]]:
    laws = laws_for(s, incident.id)
    sent = _sent(s, incident.id)
    rows, files = [], {}
    for n in s.exec(select(Notice).where(Notice.incident_id == incident.id)
                    .order_by(col(Notice.group_key), col(Notice.channel))):
        stem = f"notices/{n.content_hash[:16]}-{n.channel}-{n.locale}"
        files[f"{stem}.txt"] = n.body_text.encode()
        if n.body_html:
            files[f"{stem}.html"] = n.body_html.encode()
        selection = select_elements(law for j in n.jurisdictions
                                    for law in laws.get(j, []))
        rows.append({
            "content_hash": n.content_hash, "group": n.group_key, "channel": n.channel,
            "locale": n.locale, "jurisdictions": n.jurisdictions,
            "data_categories": n.data_categories, "subject": n.subject, "template": n.template,
            "recipients_in_group": n.recipients, "deliveries": sent.get(n.id or 0, 0),
            "elements": n.elements, "element_sources": selection.sources,
            "element_decisions": selection.decisions,
            "privacy_policy_promises": policy_promises_kept(n.elements),
            "approved_by": n.approved_by, "approved_at": iso_z(n.approved_at),
            "files": [f"{stem}.txt"] + ([f"{stem}.html"] if n.body_html else []),
        })
    return rows, files


def _copy(path_text: str, member: str, files: dict[str, bytes]) -> str:
    path = Path(path_text)
    if not path.is_file():
        raise BreachflowError(f"export: document {path.name} is missing from the output folder")
    files[member] = path.read_bytes()
    return member


def _json(value: Any) -> bytes:
    return json.dumps(value, indent=2, ensure_ascii=False, sort_keys=True).encode()


def _plan(out: Path, files: dict[str, bytes]) -> list[str]:
    """The plan as the run wrote it (charts/): what the responders planned against."""
    found = sorted(p for p in (out / PLAN_FOLDER).glob("*") if p.suffix in PLAN_SUFFIXES) \
        if (out / PLAN_FOLDER).is_dir() else []
    for path in found:
        files[f"plan/{path.name}"] = path.read_bytes()
    return [f"plan/{path.name}" for path in found]


def build(session: Session, incident: Incident, *, now: datetime | None = None) -> dict[str, bytes]:
    """Member name -> bytes of the notice pack."""
    now = now or utcnow()
    notices, files = _notices(session, incident)
    announcements = []
    for a in session.exec(select(Announcement).where(Announcement.incident_id == incident.id)
                          .order_by(col(Announcement.locale), col(Announcement.id))):
        entry: dict[str, Any] = {"locale": a.locale, "destination": a.destination, "location": a.location,
                 "posted_at": iso_z(a.posted_at), "period_days": a.period_days,
                 "keep_until": iso_z(a.keep_until), "people": a.people,
                 "content_hash": a.content_hash}
        if a.destination == "folder":
            entry["files"] = [_copy(a.location, f"announcement/{Path(a.location).name}", files),
                              _copy(str(Path(a.location).with_suffix(".txt")),
                                    f"announcement/{Path(a.location).with_suffix('.txt').name}",
                                    files)]
        announcements.append(entry)
    # The press release of the media notice, with each outlet it went to and when.
    press = review.media_notice(session, incident, out=Path(incident.settings.out or "."))
    media_entry: dict[str, Any] = {
        "content_hash": press["content_hash"], "by_jurisdiction": press["by_jurisdiction"],
        "sent": press["sent"], "files": []}
    if press["release"] is not None:
        release = press["release"]
        media_entry["files"] = [_copy(str(release), f"media/{release.name}", files),
                                _copy(str(release.with_suffix(".txt")),
                                      f"media/{release.with_suffix('.txt').name}", files)]
    reports = []
    for r, o in filing.reports_of(session, incident.id):
        reports.append({"jurisdiction": r.jurisdiction, "recipient": r.recipient,
                        "phase": o.phase if o else None, "state": filing.report_state(r, o, now=now),
                        "to_complete": r.to_complete,
                        "content_hash": r.content_hash, "created_at": iso_z(r.created_at),
                        "approved_at": iso_z(r.approved_at), "approved_by": r.approved_by,
                        "filed_at": iso_z(r.filed_at), "filing_reference": r.filing_reference,
                        "files": [_copy(f, f"reports/{Path(f).name}", files) for f in r.files]})
    reports.sort(key=lambda r: (r["jurisdiction"], r["files"]))
    obligations = [obligation_json(o) for o in session.exec(
        select(Obligation).where(Obligation.incident_id == incident.id)
        .order_by(col(Obligation.jurisdiction), col(Obligation.id)))]
    events = review.trail(session, incident.id)
    out = Path(incident.settings.out or ".")
    anchors = audit.read_anchors(out)
    problems = audit.verify(session, incident_id=incident.id, anchors=anchors)
    files["audit.jsonl"] = "".join(json.dumps(
        {"id": e.id, "at": iso_z(e.at), "actor": e.actor, "action": e.action, "detail": e.detail,
         "prev_hash": e.prev_hash, "hash": e.hash}, ensure_ascii=False, sort_keys=True) + "\n"
        for e in events).encode()
    files["obligations.json"] = _json(obligations)
    files["obligations.md"] = _obligations_markdown(obligations).encode()

    # What a reviewer opens first.
    index, index_files = review.index_files(review.cells(
        list(session.exec(select(Notice).where(Notice.incident_id == incident.id))),
        _sent(session, incident.id)))
    files.update(index_files)
    files["index.json"] = _json(index)
    states = review.obligation_rows(session, incident, now=now)
    to_complete = review.to_complete(session, incident, states, problems)
    files["to-complete.json"] = _json({"incident": incident.external_id, "items": to_complete})
    files["data-quality.json"] = _json(incident.quality)
    plan_files = _plan(out, files)
    incident_json = {"id": incident.id, "external_id": incident.external_id,
                     "title": incident.title, "status": incident.status,
                     "aware_at": iso_z(incident.aware_at), "closed_at": iso_z(incident.closed_at),
                     "data_categories": incident.data_categories,
                     **provenance.document(incident)}
    audit_json = {"events": len(events), "verified": not problems, "problems": problems,
                  "anchors_checked": len(anchors), "left_out": [review.EXPORT_ACTION]}
    account = accounting.account(session, incident.id)
    memo_html, memo_pdf = review.cover_memo({
        "incident": incident, "org": incident.org, "facts_as_of": events[-1].at if events else None,
        "decisions": review.decisions(events), "obligations": states,
        "needs_review": [o for o in states if o["needs_review"]], "to_complete": to_complete,
        "index": index, "reports": reports, "announcements": review.announcements(session, incident.id),
        "media": media_entry,
        "accounting": account, "glance": review.glance(states, account),
        "quality": {k: v for k, v in sorted(incident.quality.items()) if v},
        "plan_files": plan_files, "audit": audit_json,
    })
    files["cover-memo.html"], files["cover-memo.pdf"] = memo_html, memo_pdf
    manifest = {
        "incident": incident_json,
        "review": {"cover_memo": ["cover-memo.pdf", "cover-memo.html"], "index": "index.json",
                   "index_entries": len(index), "to_complete": len(to_complete),
                   "data_quality": "data-quality.json", "plan": plan_files,
                   "letter_specimens": sorted(f for row in index for f in row["files"]
                                              if f.endswith(".pdf"))},
        "notices": notices, "announcements": announcements, "media": media_entry, "reports": reports,
        "notice_pages": notice_page.fetched_counts(session, incident_id=incident.id),
        "audit": audit_json,
        "rules_snapshot_sha256": hashlib.sha256(json.dumps(
            incident.rules_snapshot, sort_keys=True, default=str).encode()).hexdigest(),
    }
    files["manifest.json"] = _json(manifest)
    return files


def _obligations_markdown(obligations: list[dict[str, Any]]) -> str:
    lines = ["# Obligations", "", "| Jurisdiction | Audience | Required | Deadline | Citation | "
             "Review |", "|---|---|---|---|---|---|"]
    for o in obligations:
        lines.append(f"| {o['jurisdiction']} | {o['audience']} | {'yes' if o['required'] else 'no'} "
                     f"| {o['deadline'] or o['deadline_rule']} | {o['citation']} "
                     f"[{o['verification']}] | {'needs review' if o['needs_review'] else ''} |")
    return "\n".join(lines) + "\n"


def pack(files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name in sorted(files):
            info = zipfile.ZipInfo(name, date_time=EPOCH)
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, files[name])
    return buffer.getvalue()


def export(*, incident_id: str, out: Path | None = None) -> tuple[Path, str, int]:
    """Write the notice pack; (path, sha256, number of files)."""
    with db.session() as s:
        incident = service.get_incident(session=s, incident_id=incident_id)
        files = build(s, incident)
        data = pack(files)
        digest = hashlib.sha256(data).hexdigest()
        folder = out or Path(incident.settings.out or ".")
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"notice-pack-{safe_name(incident.external_id)}.zip"
        path.write_bytes(data)
        audit.record(s, incident_id=incident.id, actor="breachflow", action="export.created",
                     detail={"sha256": digest, "files": len(files)})
    return path, digest, len(files)
