"""The personal notice page: each person (and each minor's guardian) gets an unguessable token;
the SMS and push notices link to `<BREACHFLOW_NOTICE_BASE_URL>/<token>`, which shows that
person's full notice. The URL carries no personal data. Each fetch of the page is recorded on
the link (first and last fetch, count). A fetch is not a reading: mail scanners and
messaging apps' link previews fetch links by themselves, so the record is reported as
"fetched" — evidence that the link was delivered and followed by something, never that the
person read the notice.

The page is served by the intake app; this module is framework-independent:

    status, html = notice_page(token=token)        # also records the fetch
    headers = PAGE_HEADERS                          # no caching, indexing, referrer or framing

Notices are rendered once per group of people with a placeholder URL of the same length and
alphabet as a real one (so the SMS segment count is exact); the channel adapters put each
person's URL in with `personalize(text, token=...)`, tokens from `tokens_for(...)`.
"""

from __future__ import annotations

import os
import re
import secrets
from collections.abc import Iterable
from html import escape
from typing import Any, Final

from sqlalchemy import func, insert, update
from sqlmodel import Session, col, select

from incidents import db
from incidents.models import AffectedSubject, Notice, NoticeLink
from incidents.notices import activation
from incidents.rendering import render
from incidents.sqltypes import utcnow

BASE_URL_ENV: Final = "BREACHFLOW_NOTICE_BASE_URL"
DEFAULT_BASE_URL: Final = "http://127.0.0.1:8000/n"
# 16 random bytes = 128 bits; URL-safe base64 without padding is 22 characters, all GSM-7.
TOKEN_BYTES: Final = 16
TOKEN_LENGTH: Final = 22
PLACEHOLDER: Final = "NoticeTokenPlaceholder"
# The person's reference until the adapter fills it in: as long as a real one, all GSM-7.
REFERENCE_PLACEHOLDER: Final = "XXXXX-XXXXX"
TOKEN_PATTERN: Final = re.compile(r"[A-Za-z0-9_-]{22}")
PAGE_HEADERS: Final[dict[str, str]] = {
    "Content-Type": "text/html; charset=utf-8",
    "Cache-Control": "no-store",
    "X-Robots-Tag": "noindex, nofollow",
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
    # No other site may frame a person's notice (clickjacking, or a page posing as ours).
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; "
                               "frame-ancestors 'none'; base-uri 'none'; form-action 'none'",
    "X-Frame-Options": "DENY",
}


def base_url() -> str:
    return os.environ.get(BASE_URL_ENV, DEFAULT_BASE_URL).rstrip("/")


def url_for(token: str) -> str:
    return f"{base_url()}/{token}"


def placeholder_url() -> str:
    """What rendered notices carry until an adapter personalizes them."""
    return url_for(PLACEHOLDER)


def personalize(text: str, *, token: str) -> str:
    """The notice text with this person's page URL in place of the placeholder."""
    if not TOKEN_PATTERN.fullmatch(token):
        raise ValueError("not a notice token")
    return text.replace(placeholder_url(), url_for(token))


def new_token() -> str:
    return secrets.token_urlsafe(TOKEN_BYTES)


# Crockford base32 without I, L, O, U: read aloud to a help line and typed without confusion.
REFERENCE_ALPHABET: Final = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


def new_reference() -> str:
    """Ten characters in two groups (50 bits): unique enough within an incident, short enough
    to read to a help line. Unguessable is not needed: a reference alone opens nothing."""
    # Five random bits per character (the alphabet has 32): one call for all ten, not ten
    # calls of secrets.choice (a million people wait for these).
    bits = int.from_bytes(secrets.token_bytes(7), "big")
    raw = "".join(REFERENCE_ALPHABET[(bits >> (5 * n)) & 31] for n in range(10))
    return f"{raw[:5]}-{raw[5:]}"


LINKS_PER_COMMIT: Final = 5000


def create_links(*, incident_id: str) -> int:
    """One link per person and per guardian of a minor; idempotent. Returns links created.
    Committed a few thousand at a time: on SQLite a million links in one transaction kept every
    other writer (the regulator track's reports and gates) out for minutes; a re-run after a
    crash makes only the links still missing."""
    with db.session() as session:
        existing = {(pk, kind) for pk, kind in session.exec(
            select(NoticeLink.subject_pk, NoticeLink.recipient_kind).where(
                NoticeLink.incident_id == incident_id))}
        wanted = [(pk, kind) for pk, minor in session.exec(
            select(AffectedSubject.id, AffectedSubject.minor).where(
                AffectedSubject.incident_id == incident_id, col(AffectedSubject.in_directory)))
            for kind in (("subject", "guardian") if minor else ("subject",))
            if (pk, kind) not in existing]
    now = utcnow()
    for start in range(0, len(wanted), LINKS_PER_COMMIT):
        rows: list[dict[str, Any]] = [
            {"token": new_token(), "incident_id": incident_id, "subject_pk": pk,
             "recipient_kind": kind, "created_at": now, "opens": 0, "reference": new_reference()}
            for pk, kind in wanted[start:start + LINKS_PER_COMMIT]]
        with db.session() as session:
            session.execute(insert(NoticeLink), rows)
    return len(wanted)


def tokens_for(session: Session, *, incident_id: str,
               subject_pks: Iterable[int]) -> dict[tuple[int, str], str]:
    """(subject_pk, recipient kind) -> token, for the people of one batch."""
    return {key: token for key, (token, _) in links_for(session, incident_id=incident_id,
                                                         subject_pks=subject_pks).items()}


def links_for(session: Session, *, incident_id: str,
              subject_pks: Iterable[int]) -> dict[tuple[int, str], tuple[str, str | None]]:
    """(subject_pk, recipient kind) -> (token, reference), for the people of one batch."""
    wanted = list(set(subject_pks))
    found: dict[tuple[int, str], tuple[str, str | None]] = {}
    for start in range(0, len(wanted), 5000):
        for pk, kind, token, reference in session.exec(
                select(NoticeLink.subject_pk, NoticeLink.recipient_kind, NoticeLink.token,
                       NoticeLink.reference).where(
                    NoticeLink.incident_id == incident_id,
                    col(NoticeLink.subject_pk).in_(wanted[start:start + 5000]))):
            found[(pk, kind)] = (token, reference)
    return found


def personal_fills(reference: str | None, code: str | None) -> list[tuple[str, str]]:
    """(placeholder, value) of what a notice carries for its one reader: their reference and
    their activation code (a minor's code goes to the guardian's notice)."""
    return [(placeholder, value) for placeholder, value in
            ((REFERENCE_PLACEHOLDER, reference), (activation.ACTIVATION_CODE, code)) if value]


def _not_found() -> tuple[int, str]:
    html = render.render("notice_not_found.html.j2", {"m": render.messages("en")})[1]
    return 404, html


def notice_page(*, token: str) -> tuple[int, str]:
    """(HTTP status, HTML) for a notice page; a valid token's fetch is recorded."""
    if not TOKEN_PATTERN.fullmatch(token or ""):
        return _not_found()
    with db.session() as s:
        link = s.exec(select(NoticeLink).where(NoticeLink.token == token)).first()
        if link is None:
            return _not_found()
        group = s.exec(select(AffectedSubject.notice_group).where(
            AffectedSubject.id == link.subject_pk)).first()
        notice = s.exec(select(Notice).where(
            Notice.incident_id == link.incident_id, Notice.channel == "page",
            Notice.group_key == f"{group}-{link.recipient_kind}")).first()
        if notice is None or not notice.body_html:
            return _not_found()
        html = notice.body_html
        # The person's own reference and activation code, as their e-mail or letter carries
        # them: for someone reached only by a text, this page is the notice (escaped anyway).
        code = activation.codes_for(s, incident_id=link.incident_id,
                                    subject_pks=[link.subject_pk]).get(link.subject_pk)
        for placeholder, value in personal_fills(link.reference, code):
            html = html.replace(placeholder, escape(value))
        now = utcnow()
        # One UPDATE, so that concurrent fetches all count.
        s.execute(update(NoticeLink).where(col(NoticeLink.id) == link.id).values(
            opens=NoticeLink.opens + 1, last_opened_at=now,
            first_opened_at=func.coalesce(NoticeLink.first_opened_at, now)))
        return 200, html


def fetched_counts(session: Session, *, incident_id: str) -> dict[str, int]:
    """Links made and links fetched at least once (by the person or by a link preview)."""
    links = session.exec(select(NoticeLink.first_opened_at).where(
        NoticeLink.incident_id == incident_id)).all()
    return {"links": len(links), "fetched": sum(1 for at in links if at is not None)}
