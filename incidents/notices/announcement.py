"""The public announcement: substitute notice for people who cannot be reached individually,
and wherever a law requires notice to the public.

One standalone, accessible HTML page per language the covered people read (plus English), and
its plain text for press and media, derived from the page. Posted to a folder served statically
(`BREACHFLOW_ANNOUNCE_DIR`, default `<out>/announcement/`) or, with `BREACHFLOW_ANNOUNCE_URL`,
PUT to an HTTP endpoint (a CMS) as `<url>/<name>.<locale>.html|.txt` (`name`: the external id
made safe, `incidents.names`), with
`Authorization: Bearer $BREACHFLOW_ANNOUNCE_TOKEN` when set. Each posting is recorded with its
place, time and the period the law requires it to stay up (California 30 days, HIPAA 90 days).
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, Final

import httpx
from sqlalchemy import update
from sqlmodel import Session, col, func, select

from incidents import audit, db, service
from incidents.exceptions import BreachflowError
from incidents.models import AffectedSubject, Announcement, Incident, Obligation
from incidents.names import safe_name
from incidents.notices import translation
from incidents.notices.elements import LawContent, Selection, advice, consequences, ordered_categories, parts
from incidents.notices.elements import select as select_elements
from incidents.rendering import render
from incidents.rendering.textify import html_to_text
from incidents.sqltypes import utcnow
from regulators import get_regulator

DIR_ENV: Final = "BREACHFLOW_ANNOUNCE_DIR"
URL_ENV: Final = "BREACHFLOW_ANNOUNCE_URL"
TOKEN_ENV: Final = "BREACHFLOW_ANNOUNCE_TOKEN"  # noqa: S105 - a variable name
# Substitute-notice parts that are a posting with a minimum period (rules.Component kinds).
POSTED_KINDS: Final = ("website", "toll_free", "public_announcement")


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


def _public_obligations(s: Session, incident_id: str) -> list[Obligation]:
    return list(s.exec(select(Obligation).where(
        Obligation.incident_id == incident_id,
        col(Obligation.audience).in_(("public", "media")),
        col(Obligation.required) | col(Obligation.substitute_notice))).all())


def posting_period(jurisdictions: Sequence[str]) -> tuple[int | None, list[str]]:
    """The longest minimum posting period of these jurisdictions' substitute notice, in days,
    and where each comes from (e.g. '90 days: 45 CFR 164.404(d)(2)')."""
    longest: int | None = None
    sources = []
    for code in sorted(set(jurisdictions)):
        try:
            substitute = get_regulator(code).substitute
        except KeyError:
            continue
        if substitute is None:
            continue
        for component in substitute.components:
            if component.kind in POSTED_KINDS and component.min_days:
                sources.append(f"{component.min_days} days ({component.kind}): {substitute.citation}")
                longest = max(longest or 0, component.min_days)
    return longest, sorted(set(sources))


def context(incident: Incident, *, locale: str, categories: Sequence[str], citations: Sequence[str],
            selection: Selection, posted_at: datetime, keep_until: datetime | None,
            languages: Sequence[str], affected: int | None = None) -> dict[str, Any]:
    m = render.messages(locale)
    return {
        "m": m, "parts": parts(render.form(()), selection), "elements": list(selection.elements),
        "org": incident.org, "incident": incident, "categories": ordered_categories(categories),
        "consequences": consequences(categories), "advice": advice(categories),
        "guardian": False, "public": True, "channel": "announcement", "locale": locale,
        "lang": locale, "citations": list(citations), "authorities": True,
        "title": m["title"]["announcement"], "notice_date": posted_at, "posted_at": posted_at,
        "keep_until": keep_until, "affected": affected,
        "free_text": translation.free_text(incident, locale), "languages": [
            {"locale": code, "name": render.messages(code)["meta"]["language"],
             "href": f"{safe_name(incident.external_id)}.{code}.html"}
            for code in languages if code != locale],
    }


def _post(name: str, body: str, *, content_type: str, folder: Path) -> tuple[str, str]:
    """Publish one file; (destination kind, location)."""
    endpoint = os.environ.get(URL_ENV)
    if endpoint:
        url = f"{endpoint.rstrip('/')}/{name}"
        headers = {"Content-Type": content_type}
        if os.environ.get(TOKEN_ENV):
            headers["Authorization"] = f"Bearer {os.environ[TOKEN_ENV]}"
        response = httpx.put(url, content=body.encode(), headers=headers, timeout=30)
        if response.status_code >= 300:
            raise BreachflowError(f"announcement endpoint answered {response.status_code} for {name}")
        return "http", url
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(body, encoding="utf-8")
    return "folder", str(path)


def publish(incident_id: str, *, out_dir: Path) -> dict[str, Any]:
    """The announcement stage; returns counts only."""
    people, locales, categories, citations = needed(incident_id)
    with db.session() as s:
        incident = service.get_incident(session=s, incident_id=incident_id)
        public = _public_obligations(s, incident.id)
        if people == 0 and not any(o.required for o in public):
            return {"announcements": 0, "people": 0}
        categories = categories or list(incident.data_categories)
        codes = sorted({o.jurisdiction for o in public})
        selection = select_elements(LawContent(o.jurisdiction, o.citation, tuple(o.content),
                                               tuple(o.prohibited_content)) for o in public)
        period, period_sources = posting_period(codes)
        affected = s.exec(select(func.count()).select_from(AffectedSubject).where(
            AffectedSubject.incident_id == incident.id)).one()
        folder = Path(os.environ.get(DIR_ENV, out_dir / "announcement"))
        done = {a.locale: a for a in s.exec(select(Announcement).where(
            Announcement.incident_id == incident.id))}
        posted_at = min((a.posted_at for a in done.values()), default=utcnow())
        keep_until = posted_at + timedelta(days=period) if period else None
        for locale in locales:
            if locale in done:
                continue
            ctx = context(incident, locale=locale, categories=categories, citations=citations,
                          selection=selection, posted_at=posted_at, keep_until=keep_until,
                          languages=locales, affected=affected)
            html = render.render("announcement.html.j2", ctx, locale=locale)[1]
            # The press text is the notice itself, without the page's navigation.
            text = html_to_text(html[html.index("<main"):])
            # The tool's id never becomes a path or URL segment as it is (`../`, `?`).
            name = f"{safe_name(incident.external_id)}.{locale}"
            kind, location = _post(f"{name}.html", html,
                                   content_type="text/html; charset=utf-8", folder=folder)
            _post(f"{name}.txt", text,
                  content_type="text/plain; charset=utf-8", folder=folder)
            s.add(Announcement(incident_id=incident.id, locale=locale, destination=kind,
                               location=location, content_hash=render.content_hash(html, text),
                               people=people, posted_at=utcnow(), period_days=period,
                               keep_until=keep_until))
        covered = s.execute(update(AffectedSubject).where(
            col(AffectedSubject.incident_id) == incident.id, col(AffectedSubject.unreachable),
            col(AffectedSubject.announced_at).is_(None)).values(announced_at=utcnow()))
        audit.record(s, incident_id=incident.id, actor="breachflow", action="announcement.posted",
                     detail={"people": people, "newly_covered": int(covered.rowcount or 0),  # type: ignore[attr-defined]
                             "locales": locales, "period_days": period,
                             "period_sources": period_sources,
                             "keep_until": keep_until.isoformat() if keep_until else None,
                             "elements_left_out": selection.decisions})
    return {"announcements": len(locales), "people": people, "period_days": period}
