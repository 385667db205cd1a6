"""A notice group's rendered text, for the responders who approve it: served by the intake API
at `/v1/incidents/{id}/notices/{notice_id}?key=<key>` and linked from the Prefect UI.

A notice is rendered once per group of people (flows/artifacts.py lists them), so its text
names nobody: the URL of a person's own page is still the placeholder. The link is a
capability: its key is an HMAC of the incident, the notice and its content hash under the
intake API's bearer token (BREACHFLOW_API_TOKEN), so only someone handed the link (the
Prefect UI) can read it, and a new version of the text needs a new link. Framework-free:

    status, html = sample_page(incident_id=..., notice_id=..., key=..., secret=...)
"""

from __future__ import annotations

import hashlib
import hmac
import html
import os
from typing import Final

from incidents import db
from incidents.models import Notice
from incidents.rendering import render

API_TOKEN_ENV: Final = "BREACHFLOW_API_TOKEN"  # noqa: S105 - a name, not a secret
PUBLIC_URL_ENV: Final = "BREACHFLOW_PUBLIC_URL"
DEFAULT_PUBLIC_URL: Final = "http://127.0.0.1:8000"
PATH: Final = "/v1/incidents/{incident_id}/notices/{notice_id}"


def public_url() -> str:
    return os.environ.get(PUBLIC_URL_ENV, DEFAULT_PUBLIC_URL).rstrip("/")


def key_for(*, incident_id: str, notice_id: int, content_hash: str, secret: str) -> str:
    message = f"notice-sample:{incident_id}:{notice_id}:{content_hash}".encode()
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()[:32]


def sample_url(notice: Notice) -> str | None:
    """The link to a notice's text, or None without a bearer token to key it with."""
    secret = os.environ.get(API_TOKEN_ENV)
    if not secret or notice.id is None:
        return None
    key = key_for(incident_id=notice.incident_id, notice_id=notice.id,
                  content_hash=notice.content_hash, secret=secret)
    return (public_url() + PATH.format(incident_id=notice.incident_id, notice_id=notice.id)
            + f"?key={key}")


def _not_found() -> tuple[int, str]:
    return 404, render.render("notice_not_found.html.j2", {"m": render.messages("en")})[1]


def sample_page(*, incident_id: str, notice_id: int, key: str, secret: str) -> tuple[int, str]:
    """(HTTP status, HTML): the notice as rendered for its group; 404 for a wrong key or an id
    no database column can hold."""
    if not 0 < notice_id < 2**63:
        return _not_found()
    with db.session() as s:
        notice = s.get(Notice, notice_id)
        if notice is None or notice.incident_id != incident_id:
            return _not_found()
        wanted = key_for(incident_id=incident_id, notice_id=notice_id,
                         content_hash=notice.content_hash, secret=secret)
        if not hmac.compare_digest(wanted.encode(), (key or "").encode()):
            return _not_found()
        if notice.body_html:
            return 200, notice.body_html
        # Text channels (SMS, voice, push): the text as the person receives it.
        return 200, ("<!doctype html><meta charset='utf-8'><title>"
                     f"{html.escape(notice.subject)}</title><pre style='white-space:pre-wrap'>"
                     f"{html.escape(notice.body_text)}</pre>")
