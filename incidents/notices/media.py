"""The media notice: a press release for the statewide-media part of substitute notice (Cal. Civ.
Code § 1798.82(j)(3)(C), N.Y. Gen. Bus. Law § 899-aa(5)(d), Tex. Bus. & Com. Code § 521.053(f))
and for HIPAA's notice to prominent media outlets (45 CFR 164.406).

The public announcement is a page people look for; the media notice goes to outlets, which
decide what to print, so it carries the facts a journalist needs and a media contact (org
profile `media_contact_*`). It is prepared with the announcement, written to
`<out>/media/<name>.en.html|.txt`, and each outlet it went to is recorded (`breachflow media`,
audited) until every law that asks for it has a record: its state is `due` until then, `sent`
after.
"""

from __future__ import annotations

import unicodedata
from collections import Counter
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, Final

from sqlmodel import Session, col, select

from incidents import audit, db, service
from incidents.exceptions import InputError
from incidents.models import AffectedSubject, Incident, MediaNotice, Obligation
from incidents.names import safe_name
from incidents.notices.elements import ordered_categories
from incidents.rendering import render
from incidents.rendering.textify import html_to_text
from incidents.sqltypes import utcnow
from regulators import get_regulator

# Substitute-notice components (regulators.rules.Component kinds) that are a media notice.
MEDIA_KINDS: Final = ("statewide_media", "media")
LOCALE: Final = "en"  # US statewide media: the release is in English
MAX_OUTLET: Final = 200
# A time a little ahead of this machine's clock is a clock difference, not a prediction.
CLOCK_SKEW: Final = timedelta(minutes=5)


def _wants_media(obligation: Obligation) -> bool:
    if obligation.audience == "media":
        return obligation.required
    return (obligation.audience == "public" and obligation.required and obligation.substitute_notice
            and any(c.split(":")[0].split(" ")[0] in MEDIA_KINDS
                    for c in obligation.substitute_components))


def required(s: Session, incident_id: str) -> list[Obligation]:
    """The obligations that ask for notice to the media, one per law."""
    rows = s.exec(select(Obligation).where(
        Obligation.incident_id == incident_id,
        col(Obligation.audience).in_(("public", "media")))).all()
    return sorted((o for o in rows if _wants_media(o)), key=lambda o: (o.jurisdiction, o.id or 0))


def release_path(incident: Incident, out_dir: Path) -> Path:
    return out_dir / "media" / f"{safe_name(incident.external_id)}.{LOCALE}.html"


def _name(code: str) -> str:
    try:
        return get_regulator(code).name
    except KeyError:
        return code


def _people(s: Session, incident_id: str, codes: set[str]) -> tuple[Counter[str], list[str]]:
    """How many people each of these laws covers, and their data categories."""
    counts: Counter[str] = Counter()
    categories: set[str] = set()
    for jurisdictions, cats in s.exec(select(AffectedSubject.jurisdictions,
                                             AffectedSubject.data_categories).where(
            AffectedSubject.incident_id == incident_id)):
        mine = codes & set(jurisdictions)
        if mine:
            counts.update(mine)
            categories |= set(cats)
    return counts, ordered_categories(categories)


def prepare(incident_id: str, *, out_dir: Path) -> dict[str, Any]:
    """Write the press release where a law asks for media notice; counts only."""
    with db.session() as s:
        incident = service.get_incident(session=s, incident_id=incident_id)
        wanted = required(s, incident.id)
        if not wanted:
            return {"media_notices": 0}
        codes = {o.jurisdiction for o in wanted}
        counts, categories = _people(s, incident.id, codes)
        m = render.messages(LOCALE)
        ctx = {"m": m, "org": incident.org, "incident": incident, "obligations": wanted,
               "counts": sorted(counts.items()), "total": sum(counts.values()),
               "categories": categories, "released_at": utcnow(),
               "names": {code: _name(code) for code in codes}}
        html = render.render("media.release.html.j2", ctx, locale=LOCALE)[1]
        path = release_path(incident, out_dir)
        path.parent.mkdir(parents=True, exist_ok=True)
        if not path.is_file():  # the version outlets may already have is not rewritten
            path.write_text(html, encoding="utf-8")
            path.with_suffix(".txt").write_text(html_to_text(html[html.index("<main"):]),
                                                encoding="utf-8")
            audit.record(s, incident_id=incident.id, actor="breachflow", action="media.prepared",
                         detail={"jurisdictions": sorted(codes),
                                 "content_hash": render.content_hash(html)})
    return {"media_notices": 1, "jurisdictions": len(codes)}


def _sent_at_checked(incident: Incident, at: datetime) -> datetime:
    if at.tzinfo is None or at.utcoffset() is None:
        raise InputError("at: give a time zone, e.g. 2026-12-05T14:30:00-08:00 or ...Z", field="at")
    if at > utcnow() + CLOCK_SKEW:
        raise InputError("at: the time is in the future; record the notice once it went", field="at")
    if at < incident.aware_at:
        raise InputError("at: before the organisation became aware of the incident", field="at")
    return at


def record(session: Session, *, incident_id: str, outlet: str, sent_at: datetime,
           jurisdictions: list[str] | None, actor: str, out_dir: Path) -> MediaNotice:
    """Record that the release went to an outlet (audited). `jurisdictions`: the laws this
    outlet serves (default: every law that asks for media notice)."""
    incident = service.get_incident(session=session, incident_id=incident_id)
    wanted = {o.jurisdiction for o in required(session, incident.id)}
    if not wanted:
        raise InputError(f"incident {incident.external_id}: no law asks for a media notice",
                         field="incident")
    path = release_path(incident, out_dir)
    if not path.is_file():
        raise InputError("the media notice is not prepared yet: run or resume the incident "
                         "past the announcement first", field="incident")
    name = outlet.strip()
    if not name or len(name) > MAX_OUTLET or any(unicodedata.category(c).startswith("C")
                                                  for c in name):
        raise InputError(f"outlet: the outlet's name, 1 to {MAX_OUTLET} printable characters",
                         field="outlet")
    codes = sorted(set(jurisdictions or wanted))
    unknown = sorted(set(codes) - wanted)
    if unknown:
        raise InputError(f"jurisdiction: {unknown[0]} does not ask for a media notice here "
                         f"(those that do: {', '.join(sorted(wanted))})", field="jurisdiction")
    at = _sent_at_checked(incident, sent_at)
    row = MediaNotice(incident_id=incident.id, outlet=name, sent_at=at, jurisdictions=codes,
                      content_hash=render.content_hash(path.read_text(encoding="utf-8")),
                      recorded_by=actor[:200])
    session.add(row)
    audit.record(session, incident_id=incident.id, actor=actor, action="media.sent",
                 detail={"outlet": name, "sent_at": at.isoformat(), "jurisdictions": codes,
                         "content_hash": row.content_hash})
    return row


def state(session: Session, incident: Incident, *, out_dir: Path | None) -> dict[str, Any]:
    """The media notice as an obligation: per law `due` until an outlet is recorded, then `sent`."""
    wanted = required(session, incident.id)
    sent = session.exec(select(MediaNotice).where(MediaNotice.incident_id == incident.id)
                        .order_by(col(MediaNotice.sent_at))).all()
    covered = {code for row in sent for code in row.jurisdictions}
    release = release_path(incident, out_dir) if out_dir is not None else None
    return {
        "release": str(release) if release is not None and release.is_file() else None,
        "by_jurisdiction": {o.jurisdiction: {"state": "sent" if o.jurisdiction in covered else "due",
                                             "citation": o.citation, "recipient": o.recipient}
                            for o in wanted},
        "sent": [{"outlet": r.outlet, "sent_at": r.sent_at.isoformat(),
                  "jurisdictions": r.jurisdictions, "recorded_by": r.recorded_by} for r in sent],
    }


def refusal(session: Session, incident: Incident) -> str | None:
    """Why the incident cannot close while a law's media notice has no recorded outlet, and
    what to do; None when every law that asks for it has one (or none asks)."""
    due = [(code, entry["citation"]) for code, entry in
           state(session, incident, out_dir=None)["by_jurisdiction"].items()
           if entry["state"] == "due"]
    if not due:
        return None
    ref = incident.external_id
    laws = "; ".join(f"{code} ({citation})" for code, citation in due)
    return (f"the media notice is due and not recorded as sent: {laws}. Send the press release "
            f"(see `breachflow status {ref}`) to major statewide media, record each outlet with "
            f"`breachflow media {ref} --outlet NAME --at TIME`, then `breachflow resume {ref}`")

