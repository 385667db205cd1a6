"""What a reviewer opens first in the notice pack: the cover memo, the index of representative
notices, the one list of what is still to complete, and letter specimens as PDFs.

Everything here is counts, decisions and notice versions written per group of people: no name,
address or directory id. The memo's wording lives in `templates/export/cover-memo.html.j2`.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, Final

from sqlmodel import Session, col, select

from incidents import accounting, config
from incidents.models import Announcement, AuditEvent, Incident, Notice, Obligation, Step
from incidents.names import safe_name
from incidents.notices import media
from incidents.notices import page as notice_page
from incidents.notices.generation import LETTER_REFERENCE
from incidents.records import filing, register
from incidents.records.status import STAGES
from incidents.rendering import render
from incidents.rendering.letter_pdf import letter_pdf, paper_for
from incidents.rendering.pdf import html_to_pdf
from incidents.sqltypes import iso_z

# Each pack records itself in the audit trail; that record is left out of the next pack, or no
# two packs of the same facts could ever be the same bytes.
EXPORT_ACTION: Final = "export.created"
# Detail keys of audit events that say what was decided (never personal data: the trail holds
# decisions and counts only).
DECISION_KEYS: Final = (
    "approver",
    "approved",
    "route",
    "severity",
    "risk_level",
    "status",
    "because",
    "reason",
    "people",
    "jurisdiction",
    "report",
    "reference",
    "filed_at",
    "obligations",
    "needs_review",
    "action",
    "method",
    "aware_at",
)
REPORTED: Final = ("regulator", "credit_agencies")


def trail(session: Session, incident_id: str) -> list[AuditEvent]:
    """The incident's audit events, the packs' own records left out."""
    return list(
        session.exec(
            select(AuditEvent)
            .where(AuditEvent.incident_id == incident_id, AuditEvent.action != EXPORT_ACTION)
            .order_by(col(AuditEvent.id))
        )
    )


def decisions(events: list[AuditEvent]) -> list[dict[str, Any]]:
    """Who decided what and when, from the audit trail, in the order it happened."""
    rows = []
    for e in events:
        shown = {k: e.detail[k] for k in DECISION_KEYS if k in e.detail and e.detail[k] not in (None, "")}
        rows.append(
            {
                "at": iso_z(e.at),
                "actor": e.actor,
                "action": e.action,
                "detail": "; ".join(f"{k}: {_short(v)}" for k, v in shown.items()),
            }
        )
    return rows


def _short(value: Any) -> str:
    text = ", ".join(map(str, value)) if isinstance(value, list) else str(value)
    return text if len(text) <= 160 else text[:157] + "..."


# -- the index: one representative notice per jurisdiction x locale x channel x recipient -----


@dataclass
class Cell:
    jurisdiction: str
    locale: str
    channel: str
    recipient: str  # person | guardian
    groups: int = 0
    people: int = 0
    sent: int = 0
    hashes: set[str] = field(default_factory=set)
    best: Notice | None = None
    best_rank: tuple[int, int, str] = (-1, -1, "")

    @property
    def stem(self) -> str:
        suffix = "-guardian" if self.recipient == "guardian" else ""
        return f"index/{safe_name(self.jurisdiction)}/{safe_name(self.locale)}/{self.channel}{suffix}"


def cells(notices: list[Notice], sent: Counter[int]) -> list[Cell]:
    """One cell per jurisdiction x locale x channel x recipient. Its representative is the
    version that went to the most people (then the largest group, then the smallest hash, so
    the choice never depends on the database order)."""
    found: dict[tuple[str, str, str, str], Cell] = {}
    for n in notices:
        recipient = "guardian" if n.group_key.endswith("-guardian") else "person"
        went = sent.get(n.id or 0, 0)
        for j in n.jurisdictions or ["UNKNOWN"]:
            key = (j, n.locale, n.channel, recipient)
            cell = found.setdefault(key, Cell(*key))
            cell.groups += 1
            cell.people += n.recipients
            cell.sent += went
            cell.hashes.add(n.content_hash)
            rank = (went, n.recipients, _inverse(n.content_hash))
            if rank > cell.best_rank:
                cell.best, cell.best_rank = n, rank
    return [found[k] for k in sorted(found)]


def _inverse(text: str) -> str:
    return "".join(chr(0x10FFFF - ord(c)) for c in text)


def specimen_letter(notice: Notice) -> bytes:
    """The letter notice as printed, with a specimen address and reference in the letter's
    language in place of a person's (US Letter for US and Canadian laws, A4 elsewhere)."""
    words = render.messages(notice.locale, notice.jurisdictions)["letter"]
    mark = str(words["specimen"])
    html = notice.body_html or ""
    for placeholder in (LETTER_REFERENCE, notice_page.PLACEHOLDER,
                        *(p for p, _ in notice_page.personal_fills(mark, mark))):
        html = html.replace(placeholder, mark)
    country = (notice.jurisdictions[0] if notice.jurisdictions else "").split("-")[0]
    pdf, _ = letter_pdf(html, recipient=[str(line) for line in words["specimen_address"]],
                        paper=paper_for(country), reference=mark)
    return pdf


def index_files(cells_: list[Cell]) -> tuple[list[dict[str, Any]], dict[str, bytes]]:
    rows, files = [], {}
    for c in cells_:
        n = c.best
        if n is None:
            continue
        names = [f"{c.stem}.txt"]
        files[f"{c.stem}.txt"] = n.body_text.encode()
        if n.body_html:
            names.append(f"{c.stem}.html")
            files[f"{c.stem}.html"] = n.body_html.encode()
        if c.channel == "letter" and n.body_html:
            names.append(f"{c.stem}.pdf")
            files[f"{c.stem}.pdf"] = specimen_letter(n)
        rows.append(
            {
                "jurisdiction": c.jurisdiction,
                "locale": c.locale,
                "channel": c.channel,
                "recipient": c.recipient,
                "people_in_groups": c.people,
                # The page is not sent: it is what the link in the other notices opens.
                "sent": None if c.channel == "page" else c.sent,
                "groups": c.groups,
                "versions": len(c.hashes),
                "representative": n.content_hash,
                "subject": n.subject,
                "approved_by": n.approved_by,
                "approved_at": iso_z(n.approved_at),
                "files": names,
            }
        )
    return rows, files


# -- obligations with their states, and what is still to complete ---------------------------


def obligation_rows(session: Session, incident: Incident, *, now: datetime) -> list[dict[str, Any]]:
    """Every obligation with its deadline and state: a report's filing state (draft, approved,
    filed, overdue) where a report exists, else the register's deadline state (met, missed,
    open, done, no fixed deadline), or `not required`."""
    obligations = list(
        session.exec(
            select(Obligation)
            .where(Obligation.incident_id == incident.id)
            .order_by(col(Obligation.jurisdiction), col(Obligation.id))
        )
    )
    required = iter(register.entry(session, incident, now=now)["obligations"])
    reports = {r.obligation_id: r for r, _ in filing.reports_of(session, incident.id)}
    rows = []
    for o in obligations:
        deadline_state = next(required)["state"] if o.required else "not required"
        report = reports.get(o.id or 0)
        rows.append(
            {
                "jurisdiction": o.jurisdiction,
                "audience": o.audience,
                "phase": o.phase,
                "required": o.required,
                "recipient": o.recipient,
                "deadline": iso_z(o.deadline),
                "deadline_rule": o.deadline_rule,
                "citation": o.citation,
                "verification": o.verification,
                "state": deadline_state,
                "report_state": filing.report_state(report, o, now=now) if report else None,
                "report_to_complete": list(report.to_complete) if report else [],
                "filed_at": iso_z(report.filed_at) if report else None,
                "filing_reference": report.filing_reference if report else None,
                "needs_review": o.needs_review,
                "reasons": list(o.reasons) if o.needs_review else [],
            }
        )
    return rows


def to_complete(
    session: Session, incident: Incident, obligations: list[dict[str, Any]], audit_problems: list[str]
) -> list[dict[str, str]]:
    """One list of everything still open, each with where it belongs and what to do."""
    items: list[dict[str, str]] = []

    def add(kind: str, where: str, what: str) -> None:
        items.append({"kind": kind, "where": where, "what": what})

    if incident.status != "closed":
        add("incident", incident.external_id, f"the incident is {incident.status}, not closed")
    steps = {s.name: s.state for s in session.exec(select(Step).where(Step.incident_id == incident.id))}
    for name in STAGES:
        if steps.get(name, "pending") != "done" and incident.is_breach is not False:
            add("step", name, f"stage {name} is {steps.get(name, 'not started')}")
    for o in obligations:
        phase = f" ({o['phase']})" if o["phase"] != "initial" else ""
        label = f"{o['jurisdiction']} {o['audience']}{phase}" + (
            f": {o['recipient']}" if o["recipient"] else ""
        )
        for missing in o["report_to_complete"]:
            add("report", label, f"complete before filing: {missing}")
        if o["report_state"] in ("draft", "approved", "overdue"):
            add(
                "report",
                label,
                f"report is {o['report_state']}: not filed yet"
                + (f" (deadline {_readable(o['deadline'])})" if o["deadline"] else ""),
            )
        elif o["required"] and o["state"] in ("open", "missed") and o["audience"] not in REPORTED:
            add(
                "obligation",
                label,
                f"{o['state']}: deadline {_readable(o['deadline']) or o['deadline_rule']}",
            )
        if o["needs_review"]:
            add(
                "review",
                label,
                f"confirm the engine's recommendation "
                f"({'required' if o['required'] else 'not required'}; {o['citation']})",
            )
    account = accounting.account(session, incident.id)
    if accounting.unaccounted(account):
        add(
            "people",
            "accounting",
            f"{account['needs_action']} people need action, {account['pending']} pending",
        )
    for code, entry in media.state(session, incident, out_dir=None)["by_jurisdiction"].items():
        if entry["state"] == "due":
            add("media", code, f"media notice due ({entry['citation']}): send the press release to "
                               f"major statewide media and record each outlet with `breachflow media`")
    unapproved = session.exec(
        select(Notice.channel).where(Notice.incident_id == incident.id, col(Notice.approved_at).is_(None))
    ).all()
    for channel, n in sorted(Counter(unapproved).items()):
        add("notice", channel, f"{n} notice versions not approved")
    for problem in audit_problems:
        add("audit", "trail", problem)
    return items


def _readable(iso: str | None) -> str | None:
    """2026-12-08T14:23:38Z -> 2026-12-08 14:23 UTC"""
    return f"{iso[:16].replace('T', ' ')} UTC" if iso else None


def glance(obligations: list[dict[str, Any]], account: dict[str, Any]) -> dict[str, Any]:
    """The few numbers the memo opens with."""
    reports = Counter(o["report_state"] for o in obligations if o["report_state"])
    return {
        "people": account["people"],
        "notified": account["notified"],
        "announced": account["announced"],
        "exempt": account["exempt"],
        "unaccounted": accounting.unaccounted(account),
        "required": sum(o["required"] for o in obligations),
        "missed": sum(o["state"] == "missed" for o in obligations),
        "needs_review": sum(o["needs_review"] for o in obligations),
        "reports": {state: reports.get(state, 0) for state in filing.STATES},
    }


def announcements(session: Session, incident_id: str) -> list[dict[str, Any]]:
    return [
        {
            "locale": a.locale,
            "destination": a.destination,
            "people": a.people,
            "posted_at": iso_z(a.posted_at),
            "keep_until": iso_z(a.keep_until),
        }
        for a in session.exec(
            select(Announcement)
            .where(Announcement.incident_id == incident_id)
            .order_by(col(Announcement.locale), col(Announcement.id))
        )
    ]


def media_notice(session: Session, incident: Incident, *, out: Path) -> dict[str, Any]:
    """The media notice (press release) for the pack: per law its state and citation, and each
    outlet it went to with the time and who recorded it (outlets are organisations, not people)."""
    found = media.state(session, incident, out_dir=out)
    release = Path(found["release"]) if found["release"] else None
    return {
        "release": release,
        "content_hash": render.content_hash(release.read_text(encoding="utf-8")) if release else None,
        "by_jurisdiction": found["by_jurisdiction"],
        "sent": found["sent"],
    }


def cover_memo(context: dict[str, Any]) -> tuple[bytes, bytes]:
    """The memo as HTML and as PDF (the PDF is laid out from the same HTML)."""
    env = render.environment(config.load().templates_dir / "export")
    html = env.get_template("cover-memo.html.j2").render(context)
    title = f"Notice pack {context['incident'].external_id}: cover memo"
    return html.encode(), html_to_pdf(html, title=title)
