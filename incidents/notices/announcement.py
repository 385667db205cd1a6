"""The public announcement: substitute notice for people who cannot be reached individually,
and wherever a law requires notice to the public.

One standalone, accessible HTML page per audience: the people to cover who read a language (plus
English, the general page), each stating only what is true for them (their laws, their data,
the advice and contacts their laws call for); and its plain text, derived from the page.
Posted to a folder served statically (`BREACHFLOW_ANNOUNCE_DIR`, default
`<out>/announcement/`) or, with `BREACHFLOW_ANNOUNCE_URL`, PUT to an HTTP endpoint (a CMS) as
`<url>/<name>.<locale>.html|.txt` (`name`: the external id made safe, `incidents.names`), with
`Authorization: Bearer $BREACHFLOW_ANNOUNCE_TOKEN` when set. Each posting is recorded with its
place, time and the period the law requires it to stay up (California 30 days, HIPAA 90 days).
"""

from __future__ import annotations

import os
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
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
from incidents.notices import contact, translation
from incidents.notices.elements import LawContent, Selection, advice, consequences, ordered_categories, parts
from incidents.notices.elements import select as select_elements
from incidents.rendering import render
from incidents.rendering.textify import html_to_text
from incidents.sqltypes import utcnow
from regulators import cite, get_regulator

DIR_ENV: Final = "BREACHFLOW_ANNOUNCE_DIR"
URL_ENV: Final = "BREACHFLOW_ANNOUNCE_URL"
TOKEN_ENV: Final = "BREACHFLOW_ANNOUNCE_TOKEN"  # noqa: S105 - a variable name
# Substitute-notice parts that are a posting with a minimum period (rules.Component kinds).
POSTED_KINDS: Final = ("website", "toll_free", "public_announcement")


@dataclass(frozen=True)
class Audience:
    """The readers of one language version: the people it covers, their laws and their data."""

    locale: str
    people: int
    jurisdictions: frozenset[str]
    categories: tuple[str, ...]


def audiences(incident_id: str) -> list[Audience]:
    """One audience per language the people to cover read (plus English, the general page).
    Each page states what is true for its own readers: a Chinese page names Chinese law and
    the data of Chinese readers, not a US Social Security number or a US credit freeze. The
    English page covers English readers, or everyone when no one to cover reads English."""
    with db.session() as s:
        rows = s.exec(select(AffectedSubject.locale, AffectedSubject.jurisdictions,
                             AffectedSubject.data_categories).where(
            AffectedSubject.incident_id == incident_id, col(AffectedSubject.unreachable))).all()
    groups: dict[str, list[tuple[Sequence[str], Sequence[str]]]] = defaultdict(list)
    for locale, jurisdictions, categories in rows:
        groups[render.locale_for(locale)].append((jurisdictions, categories))
    if render.DEFAULT_LOCALE not in groups:
        groups[render.DEFAULT_LOCALE] = [(j, c) for _, j, c in rows]
    return [Audience(locale=locale, people=len(members),
                     jurisdictions=frozenset(code for codes, _ in members for code in codes),
                     categories=tuple(ordered_categories({c for _, cats in members for c in cats})))
            for locale, members in sorted(groups.items())]


def needed(incident_id: str) -> tuple[int, list[str], list[str], list[str]]:
    """(people to cover, their locales, their categories, citations requiring or allowing it)."""
    found = audiences(incident_id)
    with db.session() as s:
        public = s.exec(select(Obligation.citation).where(
            Obligation.incident_id == incident_id, col(Obligation.required),
            col(Obligation.audience).in_(("public", "media")))).all()
        substitute = s.exec(select(Obligation.citation).where(
            Obligation.incident_id == incident_id, col(Obligation.substitute_notice))).all()
        people = s.exec(select(func.count()).select_from(AffectedSubject).where(
            AffectedSubject.incident_id == incident_id, col(AffectedSubject.unreachable))).one()
    return (people, [a.locale for a in found], sorted({c for a in found for c in a.categories}),
            sorted(set(public) | set(substitute)))


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
        "lang": locale, "authorities": True,
        # Laws by the names readers of this language know them by, as the notices give them.
        "citations": [cite(c, locale) for c in citations],
        "title": m["title"]["announcement"], "notice_date": posted_at, "posted_at": posted_at,
        "keep_until": keep_until, "affected": affected,
        "free_text": translation.free_text(incident, locale),
        "phone_lines": contact.lines_for(incident.org, None, locale=render.cldr_locale(locale)),
        "languages": [
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
    people, locales, _, _ = needed(incident_id)
    found = audiences(incident_id)
    with db.session() as s:
        incident = service.get_incident(session=s, incident_id=incident_id)
        public = _public_obligations(s, incident.id)
        if people == 0 and not any(o.required for o in public):
            return {"announcements": 0, "people": 0}
        affected = s.exec(select(func.count()).select_from(AffectedSubject).where(
            AffectedSubject.incident_id == incident.id)).one()
        folder = Path(os.environ.get(DIR_ENV, out_dir / "announcement"))
        done = {a.locale: a for a in s.exec(select(Announcement).where(
            Announcement.incident_id == incident.id))}
        posted_at = min((a.posted_at for a in done.values()), default=utcnow())
        longest, _ = posting_period([o.jurisdiction for o in public])
        summary: dict[str, Any] = {}
        for audience in found:
            # The laws of this page's readers; a page for nobody in particular (a public
            # notice a law requires of everyone) takes every public obligation.
            mine = [o for o in public if o.jurisdiction in audience.jurisdictions] or (
                public if not audience.jurisdictions else [])
            period, period_sources = posting_period([o.jurisdiction for o in mine])
            keep_until = posted_at + timedelta(days=period) if period else None
            summary[audience.locale] = {"people": audience.people,
                                        "jurisdictions": sorted(audience.jurisdictions),
                                        "period_days": period, "period_sources": period_sources}
            if audience.locale in done:
                continue
            selection = select_elements(LawContent(o.jurisdiction, o.citation, tuple(o.content),
                                                   tuple(o.prohibited_content)) for o in mine)
            summary[audience.locale]["elements_left_out"] = selection.decisions
            ctx = context(incident, locale=audience.locale,
                          categories=audience.categories or incident.data_categories,
                          citations=sorted({o.citation for o in mine}), selection=selection,
                          posted_at=posted_at, keep_until=keep_until, languages=locales,
                          affected=affected)
            html = render.render("announcement.html.j2", ctx, locale=audience.locale,
                                 jurisdictions=sorted(audience.jurisdictions))[1]
            # The press text is the notice itself, without the page's navigation.
            text = html_to_text(html[html.index("<main"):])
            # The tool's id never becomes a path or URL segment as it is (`../`, `?`).
            name = f"{safe_name(incident.external_id)}.{audience.locale}"
            kind, location = _post(f"{name}.html", html,
                                   content_type="text/html; charset=utf-8", folder=folder)
            _post(f"{name}.txt", text,
                  content_type="text/plain; charset=utf-8", folder=folder)
            s.add(Announcement(incident_id=incident.id, locale=audience.locale, destination=kind,
                               location=location, content_hash=render.content_hash(html, text),
                               people=audience.people, posted_at=utcnow(), period_days=period,
                               keep_until=keep_until))
        covered = s.execute(update(AffectedSubject).where(
            col(AffectedSubject.incident_id) == incident.id, col(AffectedSubject.unreachable),
            col(AffectedSubject.announced_at).is_(None)).values(announced_at=utcnow()))
        audit.record(s, incident_id=incident.id, actor="breachflow", action="announcement.posted",
                     detail={"people": people, "newly_covered": int(covered.rowcount or 0),  # type: ignore[attr-defined]
                             "locales": locales, "audiences": summary,
                             "period_days": longest})
    return {"announcements": len(locales), "people": people, "period_days": longest}
