"""The public announcement: substitute notice for people who cannot be reached individually,
and wherever a law requires notice to the public. Posted to a folder served statically."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from sqlmodel import col, select

from incidents import audit, db, render, service
from incidents.models import AffectedSubject, Announcement, Obligation
from incidents.notices import context


def needed(incident_id: str) -> tuple[int, list[str], list[str], list[str]]:
    """(people to cover, their locales, their categories, citations requiring or allowing it)."""
    with db.session() as s:
        people = s.exec(select(AffectedSubject.locale, AffectedSubject.data_categories).where(
            AffectedSubject.incident_id == incident_id, col(AffectedSubject.unreachable))).all()
        public = s.exec(select(Obligation.citation).where(
            Obligation.incident_id == incident_id, col(Obligation.required),
            col(Obligation.audience).in_(("public", "media")))).all()
        substitute = s.exec(select(Obligation.citation).where(
            Obligation.incident_id == incident_id, col(Obligation.substitute_notice))).all()
    locales = sorted({render.locale_for(locale) for locale, _ in people} | {render.DEFAULT_LOCALE})
    categories = sorted({c for _, cats in people for c in cats})
    return len(people), locales, categories, sorted(set(public) | set(substitute))


def publish(incident_id: str, *, out_dir: Path) -> dict[str, Any]:
    """The announcement stage; returns counts only."""
    people, locales, categories, citations = needed(incident_id)
    with db.session() as s:
        incident = service.get_incident(session=s, incident_id=incident_id)
        if people == 0 and not any(o.required for o in s.exec(select(Obligation).where(
                Obligation.incident_id == incident.id,
                col(Obligation.audience).in_(("public", "media"))))):
            return {"announcements": 0, "people": 0}
        categories = categories or list(incident.data_categories)
        destination = Path(os.environ.get("BREACHFLOW_ANNOUNCE_DIR", out_dir / "announcement"))
        destination.mkdir(parents=True, exist_ok=True)
        done = {a.locale for a in s.exec(select(Announcement).where(
            Announcement.incident_id == incident.id))}
        for locale in locales:
            if locale in done:
                continue
            ctx = context(incident, categories=categories, citations=citations, locale=locale,
                          guardian=False, channel="announcement")
            _, html = render.render("announcement.html.j2", ctx, locale=locale)
            _, text = render.render("announcement.txt.j2", ctx, locale=locale)
            page = destination / f"{incident.external_id}.{locale}.html"
            page.write_text(html, encoding="utf-8")
            page.with_suffix(".txt").write_text(text, encoding="utf-8")
            s.add(Announcement(incident_id=incident.id, locale=locale, destination="folder",
                               location=str(page), content_hash=render.content_hash(html, text),
                               people=people))
        audit.record(s, incident_id=incident.id, actor="breachflow", action="announcement.posted",
                     detail={"people": people, "locales": locales})
    return {"announcements": len(locales), "people": people}
