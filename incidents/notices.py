"""Notice generation: people with the same notice form one group; each group x channel x
recipient kind is rendered once, hashed, stored and written out as a sample for legal."""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from pathlib import Path
from typing import Any

from sqlalchemy import update
from sqlmodel import Session, col, select

from incidents import db, render, service
from incidents.models import AffectedSubject, Incident, Notice, Obligation
from incidents.sqltypes import utcnow

CHANNEL_TEMPLATES = {
    "email": ("individuals.email.txt.j2", "individuals.email.html.j2"),
    "sms": ("individuals.sms.txt.j2", None),
    "voice": ("individuals.voice.txt.j2", None),
    "push": ("individuals.push.txt.j2", None),
}
TITLE = "Notice of Data Breach"


def group_key(jurisdictions: list[str], locale: str, categories: list[str], minor: bool) -> str:
    raw = json.dumps([sorted(jurisdictions), locale, sorted(categories), minor])
    return hashlib.sha256(raw.encode()).hexdigest()[:16]


def notice_url(org: dict[str, Any], incident: Incident) -> str:
    return f"{org.get('website', '').rstrip('/')}/security-notice/{incident.external_id}"


def context(incident: Incident, *, categories: list[str], citations: list[str], locale: str,
            guardian: bool, channel: str) -> dict[str, Any]:
    return {
        "org": incident.org, "incident": incident, "categories": categories,
        "citations": citations or ["applicable data protection law"], "locale": locale,
        "guardian": guardian, "channel": channel, "title": TITLE,
        "notice_date": utcnow(), "notice_url": notice_url(incident.org, incident),
    }


def _citations(session: Session, incident_id: str) -> dict[str, list[str]]:
    found: dict[str, list[str]] = defaultdict(list)
    query = select(Obligation.jurisdiction, Obligation.citation).where(
        Obligation.incident_id == incident_id, Obligation.audience == "individuals",
        col(Obligation.required))
    for jurisdiction, citation in session.exec(query):
        found[jurisdiction].append(citation)
    return found


def generate(incident_id: str, *, out_dir: Path) -> dict[str, Any]:
    """The notice-generation stage; returns counts only."""
    samples = out_dir / "notices"
    samples.mkdir(parents=True, exist_ok=True)
    with db.session() as s:
        incident = service.get_incident(session=s, incident_id=incident_id)
        citations = _citations(s, incident.id)
        groups: dict[str, tuple[list[str], str, list[str], bool, int]] = {}
        members: dict[str, list[int]] = defaultdict(list)
        query = select(AffectedSubject.id, AffectedSubject.jurisdictions, AffectedSubject.locale,
                       AffectedSubject.data_categories, AffectedSubject.minor).where(
            AffectedSubject.incident_id == incident.id)
        for pk, jurisdictions, locale, categories, minor in s.exec(query):
            chosen = render.locale_for(locale)
            key = group_key(jurisdictions, chosen, categories, minor)
            size = groups.get(key, (jurisdictions, chosen, categories, minor, 0))[4]
            groups[key] = (jurisdictions, chosen, categories, minor, size + 1)
            members[key].append(pk or 0)
        for key, ids in members.items():
            s.execute(update(AffectedSubject).where(col(AffectedSubject.id).in_(ids))
                      .values(notice_group=key))
        existing = {(n.group_key, n.channel) for n in s.exec(select(Notice).where(
            Notice.incident_id == incident.id))}
        rendered = 0
        for key, (jurisdictions, locale, categories, minor, size) in sorted(groups.items()):
            group_citations = sorted({c for j in jurisdictions for c in citations.get(j, [])})
            for kind in ("subject", "guardian") if minor else ("subject",):
                for channel, (text_name, html_name) in CHANNEL_TEMPLATES.items():
                    notice_key = f"{key}-{kind}"
                    if (notice_key, channel) in existing:
                        continue
                    ctx = context(incident, categories=categories, citations=group_citations,
                                  locale=locale, guardian=kind == "guardian", channel=channel)
                    template, text = render.render(text_name, ctx, locale=locale,
                                                   jurisdictions=jurisdictions)
                    html = render.render(html_name, ctx, locale=locale,
                                         jurisdictions=jurisdictions)[1] if html_name else None
                    subject = render.render("individuals.subject.txt.j2", ctx, locale=locale,
                                            jurisdictions=jurisdictions)[1].strip()
                    s.add(Notice(incident_id=incident.id, group_key=notice_key, channel=channel,
                                 jurisdictions=jurisdictions, locale=locale,
                                 data_categories=categories, subject=subject, body_text=text,
                                 body_html=html, template=template, recipients=size,
                                 content_hash=render.content_hash(subject, text, html)))
                    sample = samples / f"{notice_key}.{channel}"
                    Path(f"{sample}.txt").write_text(text, encoding="utf-8")
                    if html:
                        Path(f"{sample}.html").write_text(html, encoding="utf-8")
                    rendered += 1
    return {"groups": len(groups), "rendered": rendered}
