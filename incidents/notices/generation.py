"""Notice generation: people with the same notice form one group (jurisdictions x locale x their
data categories x minor); each group x recipient kind (the person, a minor's guardian) x channel
is rendered once, checked against the law, hashed, stored and written out as a sample for legal.

Each notice carries the elements its people's laws require and the privacy policy promises,
minus those a law prohibits (`notice_elements.select`); a rendered HTML notice is parsed and
checked again (`regulators.content.check_notice`), so a template edit cannot drop a required
section unnoticed. The SMS is fitted into two segments and links to the person's notice page.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final
from urllib.parse import urlsplit

from sqlalchemy import select as select_columns
from sqlalchemy import update
from sqlmodel import Session, col, select

from incidents import db, service
from incidents.exceptions import BreachflowError
from incidents.models import AffectedSubject, Incident, Notice, Obligation
from incidents.notices import activation, contact, segments, translation
from incidents.notices import page as notice_page
from incidents.notices.elements import (
    UNSPOKEN,
    LawContent,
    Selection,
    advice,
    consequences,
    ordered_categories,
    parts,
)
from incidents.notices.elements import select as select_elements
from incidents.rendering import render
from incidents.rendering.textify import html_to_text
from incidents.sqltypes import json_text, utcnow
from regulators import cite
from regulators.content import check_notice, remedy_shortfalls

SMS_MAX_SEGMENTS: Final = 2
# Where a letter's reference (its delivery id) goes; filled in per letter when it is printed.
LETTER_REFERENCE: Final = "LetterReferencePlaceholder"
# channel -> (layout, HTML or text, subject template)
CHANNELS: Final[dict[str, tuple[str, bool, str]]] = {
    "email": ("individuals.email.html.j2", True, "individuals.subject.txt.j2"),
    "sms": ("individuals.sms.txt.j2", False, "individuals.subject.txt.j2"),
    "voice": ("individuals.voice.txt.j2", False, "individuals.subject.txt.j2"),
    "push": ("individuals.push.txt.j2", False, "individuals.push.title.txt.j2"),
    "letter": ("individuals.letter.html.j2", True, "individuals.subject.txt.j2"),
    "page": ("individuals.page.html.j2", True, "individuals.subject.txt.j2"),
}
_ELEMENT_ATTR = re.compile(r"""data-element=["']([a-z_]+)["']""")


def group_key(jurisdictions: list[str], locale: str, categories: list[str], minor: bool) -> str:
    raw = json.dumps([sorted(jurisdictions), locale, sorted(categories), minor])
    return hashlib.sha256(raw.encode()).hexdigest()[:16]


GROUPS_PER_COMMIT: Final = 25
SUBJECTS_PER_COMMIT: Final = 5000


@dataclass(frozen=True)
class Group:
    """What a notice is written for: no person in it, only what their notices share."""

    jurisdictions: tuple[str, ...]
    locale: str
    categories: tuple[str, ...]
    guardian: bool = False


def laws_for(session: Session, incident_id: str) -> dict[str, list[LawContent]]:
    """jurisdiction -> what its individual-notice obligations say about content."""
    found: dict[str, list[LawContent]] = defaultdict(list)
    for o in session.exec(select(Obligation).where(
            Obligation.incident_id == incident_id, Obligation.audience == "individuals")):
        found[o.jurisdiction].append(LawContent(
            jurisdiction=o.jurisdiction, citation=o.citation, required=tuple(o.content),
            prohibited=tuple(o.prohibited_content)))
    return found


def _citations(session: Session, incident_id: str) -> dict[str, list[str]]:
    found: dict[str, list[str]] = defaultdict(list)
    for jurisdiction, citation in session.exec(select(Obligation.jurisdiction, Obligation.citation).where(
            Obligation.incident_id == incident_id, Obligation.audience == "individuals",
            col(Obligation.required))):
        found[jurisdiction].append(citation)
    return found


def _authorities(session: Session, incident_id: str) -> set[str]:
    return set(session.exec(select(Obligation.jurisdiction).where(
        Obligation.incident_id == incident_id, Obligation.audience == "regulator",
        col(Obligation.required))).all())


def context(incident: Incident, group: Group, *, selection: Selection, citations: Sequence[str],
            authorities: bool, channel: str, affected: int | None = None) -> dict[str, Any]:
    """Everything a notice layout may read. No personal data: the group has none. `affected`
    is the number of people the incident affected (R.I. Gen. Laws § 11-49.3-4(d)(1))."""
    m = render.messages(group.locale, group.jurisdictions)
    form = render.form(group.jurisdictions)
    lines = contact.lines_for(incident.org, group.jurisdictions,
                              locale=render.cldr_locale(group.locale, group.jurisdictions))
    return {
        "m": m, "form": form, "parts": parts(form, selection),
        "elements": list(selection.elements), "org": incident.org, "incident": incident,
        "categories": ordered_categories(group.categories),
        "consequences": consequences(group.categories),
        "advice": advice(group.categories, guardian=group.guardian,
                         jurisdictions=group.jurisdictions),
        "guardian": group.guardian, "channel": channel, "locale": group.locale,
        "lang": group.locale, "authorities": authorities,
        # Each law by the name its readers know it by (DSGVO, RGPD, 《个人信息保护法》).
        "citations": [cite(c, group.locale) for c in citations],
        "title": m["title"]["guardian" if group.guardian else "notice"],
        "notice_date": utcnow(), "notice_url": notice_page.placeholder_url(),
        "sender": incident.org["name"], "short": False, "affected": affected,
        "link_mode": link_mode(incident.org), "domain": org_domain(incident.org),
        "reference": LETTER_REFERENCE,
        "babel_locale": render.cldr_locale(group.locale, group.jurisdictions),
        "free_text": translation.free_text(incident, group.locale),
        "unspoken": sorted(UNSPOKEN),
        "phone_lines": lines,
        "help_phone": lines[0]["number"] if lines else incident.org["contact_phone"],
        # Filled in per person by the channel adapters (incidents/channels/base.py).
        "activation_code": activation.ACTIVATION_CODE,
        "person_reference": notice_page.REFERENCE_PLACEHOLDER,
    }


def org_domain(org: dict[str, Any]) -> str:
    """The org's known domain as a person types it: www.example.com (no scheme, no path)."""
    website = str(org.get("website") or "")
    return urlsplit(website if "//" in website else f"//{website}").hostname or website


def link_mode(org: dict[str, Any]) -> bool:
    """Whether SMS and push link the person's page: only when the org asked for it and the page
    is served on the org's own domain (a link elsewhere teaches people to follow lookalikes)."""
    if not (org.get("notice") or {}).get("sms_link"):
        return False
    domain = org_domain(org).removeprefix("www.")
    host = urlsplit(notice_page.base_url()).hostname or ""
    if not domain or not (host == domain or host.endswith(f".{domain}")):
        raise BreachflowError(f"[notice] sms_link: {notice_page.BASE_URL_ENV} must be on the "
                              f"organisation's own domain ({domain or 'website not set'})")
    return True


def elements_in(html: str) -> frozenset[str]:
    return frozenset(_ELEMENT_ATTR.findall(html))


def check(html: str, selection: Selection, *, label: str) -> None:
    """Fail when a rendered notice lacks an element the law requires or has a prohibited one."""
    prohibited = tuple(e for e, why in selection.decisions.items() if why.startswith("left out"))
    missing, present = check_notice(elements_in(html), required=selection.elements,
                                    prohibited=prohibited)
    if missing or present:
        raise BreachflowError(f"notice {label}: missing elements {list(missing)}, "
                              f"prohibited elements present {list(present)}")


def check_remedy(org: dict[str, Any], jurisdictions: Sequence[str], selection: Selection) -> None:
    """Fail when a law's minimum duration of the service exceeds what the org offers: the
    notice states the offer, so a shortfall must be fixed in the offer, never papered over."""
    short = remedy_shortfalls(tuple(jurisdictions), frozenset(selection.elements),
                              (org.get("remedy") or {}).get("months"))
    if short:
        raise BreachflowError("remedy: " + "; ".join(short) + " (org profile [remedy] months)")


def fit_sms(ctx: dict[str, Any], *, locale: str, jurisdictions: Sequence[str]) -> tuple[str, str]:
    """The SMS in at most two segments: the full text, else the short one, else the short one
    with the organisation's name cut down. Fails only if the link alone cannot fit."""
    name = str(ctx["org"]["name"])
    for short in (False, True):
        template, text = render.render("individuals.sms.txt.j2", ctx | {"short": short},
                                       locale=locale, jurisdictions=jurisdictions)
        if segments.segments(text.strip()) <= SMS_MAX_SEGMENTS:
            return template, text.strip()
    for keep in range(len(name) - 1, -1, -1):
        sender = (name[:keep].rstrip() + "…") if keep else ""
        template, text = render.render("individuals.sms.txt.j2", ctx | {"short": True, "sender": sender},
                                       locale=locale, jurisdictions=jurisdictions)
        if segments.segments(text.strip()) <= SMS_MAX_SEGMENTS:
            return template, text.strip()
    raise BreachflowError("the SMS notice does not fit in two segments even without the "
                          "organisation's name: shorten the help line, the domain or the notice URL")


@dataclass(frozen=True)
class Rendered:
    channel: str
    template: str
    subject: str
    text: str
    html: str | None


def render_group(incident: Incident, group: Group, *, selection: Selection,
                 citations: Sequence[str], authorities: bool,
                 channels: Sequence[str] = tuple(CHANNELS),
                 affected: int | None = None) -> list[Rendered]:
    """Every channel's notice for one group, checked; the text of an HTML notice is derived
    from its HTML, so both parts of an e-mail say the same."""
    check_remedy(incident.org, group.jurisdictions, selection)
    out = []
    for channel in channels:
        layout, is_html, subject_name = CHANNELS[channel]
        ctx = context(incident, group, selection=selection, citations=citations,
                      authorities=authorities, channel=channel, affected=affected)
        codes = group.jurisdictions
        subject = render.render(subject_name, ctx, locale=group.locale,
                                jurisdictions=codes)[1].strip()
        if channel == "sms":
            template, text = fit_sms(ctx, locale=group.locale, jurisdictions=codes)
            html = None
        else:
            template, body = render.render(layout, ctx, locale=group.locale, jurisdictions=codes)
            html = body if is_html else None
            text = html_to_text(body) if is_html else body.strip() + "\n"
        if html is not None:
            check(html, selection, label=f"{channel} {group.locale} {','.join(codes) or '-'}")
        out.append(Rendered(channel, template, subject, text, html))
    return out


def generate(incident_id: str, *, out_dir: Path) -> dict[str, Any]:
    """The notice-generation stage; returns counts only."""
    samples = out_dir / "notices"
    samples.mkdir(parents=True, exist_ok=True)
    with db.session() as s:
        incident = service.get_incident(session=s, incident_id=incident_id)
        citations = _citations(s, incident.id)
        laws = laws_for(s, incident.id)
        regulated = _authorities(s, incident.id)
        affected = 0
        groups: dict[str, tuple[list[str], str, list[str], bool, int]] = {}
        members: dict[str, list[int]] = defaultdict(list)
        query = select_columns(col(AffectedSubject.id), json_text(AffectedSubject.jurisdictions),
                               col(AffectedSubject.locale),
                               json_text(AffectedSubject.data_categories),
                               col(AffectedSubject.minor)).where(
            col(AffectedSubject.incident_id) == incident.id)
        keys: dict[tuple[Any, ...], tuple[str, list[str], str, list[str]]] = {}
        for pk, jurisdictions_text, locale, categories_text, minor in s.execute(query):
            # The same texts give the same group: decoded and hashed once per distinct value.
            raw = (jurisdictions_text, locale, categories_text, bool(minor))
            if raw not in keys:
                jurisdictions, categories = (list(json.loads(jurisdictions_text or "[]")),
                                             list(json.loads(categories_text or "[]")))
                chosen = render.locale_for(locale)
                keys[raw] = (group_key(jurisdictions, chosen, categories, bool(minor)),
                             jurisdictions, chosen, categories)
            key, jurisdictions, chosen, categories = keys[raw]
            size = groups.get(key, (jurisdictions, chosen, categories, minor, 0))[4]
            groups[key] = (jurisdictions, chosen, categories, minor, size + 1)
            members[key].append(pk or 0)
            affected += 1
        existing = {(n.group_key, n.channel) for n in s.exec(select(Notice).where(
            Notice.incident_id == incident.id))}
    # Short transactions (the same key again on a re-run): on SQLite one transaction over a
    # million people held the only writer for minutes, and the regulator track waited.
    _set_groups(members)
    links = notice_page.create_links(incident_id=incident.id)
    rendered = 0
    ordered = sorted(groups.items())
    # Committed a few groups at a time: a crash keeps what was rendered, a re-run renders the rest.
    for start in range(0, len(ordered), GROUPS_PER_COMMIT):
        with db.session() as s:
            rendered += _render_groups(s, incident, ordered[start:start + GROUPS_PER_COMMIT],
                                       existing=existing, laws=laws, citations=citations,
                                       regulated=regulated, samples=samples, affected=affected)
    return {"groups": len(groups), "rendered": rendered, "links": links}


def _set_groups(members: dict[str, list[int]]) -> None:
    """Each person's notice group, a few thousand people per transaction."""
    batch: list[tuple[str, list[int]]] = []
    size = 0

    def commit() -> None:
        with db.session() as s:
            for key, ids in batch:
                s.execute(update(AffectedSubject).where(col(AffectedSubject.id).in_(ids))
                          .values(notice_group=key))

    for key, ids in members.items():
        for start in range(0, len(ids), SUBJECTS_PER_COMMIT):
            chunk = ids[start:start + SUBJECTS_PER_COMMIT]
            batch.append((key, chunk))
            size += len(chunk)
            if size >= SUBJECTS_PER_COMMIT:
                commit()
                batch, size = [], 0
    if batch:
        commit()


def _render_groups(s: Session, incident: Incident,
                   groups: list[tuple[str, tuple[list[str], str, list[str], bool, int]]], *,
                   existing: set[tuple[str, str]], laws: Any, citations: dict[str, list[str]],
                   regulated: set[str], samples: Path, affected: int) -> int:
    rendered = 0
    for key, (jurisdictions, locale, categories, minor, size) in groups:
        selection = select_elements(law for j in jurisdictions for law in laws.get(j, []))
        group_citations = sorted({c for j in jurisdictions for c in citations.get(j, [])})
        for kind in ("subject", "guardian") if minor else ("subject",):
            notice_key = f"{key}-{kind}"
            todo = [c for c in CHANNELS if (notice_key, c) not in existing]
            if not todo:
                continue
            group = Group(tuple(jurisdictions), locale, tuple(categories), kind == "guardian")
            for r in render_group(incident, group, selection=selection,
                                  citations=group_citations,
                                  authorities=bool(regulated & set(jurisdictions)),
                                  channels=todo, affected=affected):
                s.add(Notice(incident_id=incident.id, group_key=notice_key, channel=r.channel,
                             jurisdictions=jurisdictions, locale=locale,
                             data_categories=categories, subject=r.subject, body_text=r.text,
                             body_html=r.html, template=r.template, recipients=size,
                             elements=list(selection.elements),
                             content_hash=render.content_hash(r.subject, r.text, r.html)))
                sample = samples / f"{notice_key}.{r.channel}"
                Path(f"{sample}.txt").write_text(r.text, encoding="utf-8")
                if r.html:
                    Path(f"{sample}.html").write_text(r.html, encoding="utf-8")
                rendered += 1
    return rendered
